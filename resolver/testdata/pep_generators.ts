/**
 * Seeded generators of PEP 440/508 inputs for the differential and fuzz tests: versions,
 * specifier sets, requirements and markers in every spelling the grammars allow, plus mutated
 * (mostly invalid) variants. Deterministic for a given seed.
 *
 * @module
 */
import { mulberry32 } from "../../tests/support/random.ts";

/** A small deterministic PRNG (mulberry32) with helpers. */
export class Gen {
  readonly #random: () => number;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.#random();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Shuffled copy. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

const SEPS = ["", "", "", ".", "-", "_"];
const SPACES = [" ", "\t", "\n", "\u00a0", "\u3000", "\u2003", "\u001f", "  "];

/** A version number: mostly small, sometimes with leading zeros or far beyond 64 bits. */
export function number(g: Gen): string {
  const r = g.next();
  if (r < 0.2) return "0";
  if (r < 0.6) return String(1 + g.int(9));
  if (r < 0.75) return String(10 + g.int(90));
  if (r < 0.85) return "0" + g.int(10);
  if (r < 0.95) return String(100 + g.int(999900));
  let digits = String(1 + g.int(9));
  const len = 19 + g.int(12);
  while (digits.length < len) digits += String(g.int(10));
  return digits;
}

/** A valid version in a random spelling (surrounding space, `v`, case, separators, …). */
export function version(g: Gen): string {
  let s = "";
  if (g.chance(0.05)) s += g.pick(SPACES);
  if (g.chance(0.1)) s += g.pick(["v", "V"]);
  if (g.chance(0.08)) s += number(g) + "!";
  const parts = 1 + (g.chance(0.3) ? 0 : g.chance(0.5) ? 1 : g.chance(0.6) ? 2 : 3);
  s += Array.from({ length: parts }, () => number(g)).join(".");
  if (g.chance(0.3)) {
    s += g.pick(SEPS) +
      g.pick(["a", "alpha", "b", "beta", "c", "rc", "pre", "preview", "RC", "Alpha", "B"]);
    if (g.chance(0.8)) s += g.pick(SEPS) + number(g);
  }
  if (g.chance(0.2)) {
    if (g.chance(0.3)) s += "-" + number(g);
    else {
      s += g.pick(SEPS) + g.pick(["post", "rev", "r", "POST", "Post"]);
      if (g.chance(0.8)) s += g.pick(SEPS) + number(g);
    }
  }
  if (g.chance(0.2)) {
    s += g.pick(SEPS) + g.pick(["dev", "DEV", "Dev"]);
    if (g.chance(0.8)) s += g.pick(SEPS) + number(g);
  }
  if (g.chance(0.15)) {
    const n = 1 + g.int(3);
    s += "+" + Array.from(
      { length: n },
      (_, i) =>
        (i ? g.pick([".", "-", "_"]) : "") +
        g.pick(["ubuntu", "1", "01", "abc2", "x", "000", "Z9", "deb11u1"]),
    ).join("");
  }
  if (g.chance(0.05)) s += g.pick(SPACES);
  return s;
}

const MUTATION_CHARS = [..."0123456789.-_+!*vVabcdeprostlnxyzABC ,;()[]@'\"=<>~\t\n\\éß\u00a0"];

/** `s` with one to three random edits (insert, delete, replace, duplicate, truncate). */
export function mutate(g: Gen, s: string): string {
  let out = [...s];
  const edits = 1 + g.int(3);
  for (let k = 0; k < edits; k++) {
    const i = g.int(out.length + 1);
    switch (g.int(5)) {
      case 0:
        out.splice(i, 0, g.pick(MUTATION_CHARS));
        break;
      case 1:
        out.splice(i, 1);
        break;
      case 2:
        out[Math.min(i, Math.max(out.length - 1, 0))] = g.pick(MUTATION_CHARS);
        break;
      case 3:
        out = [...out.slice(0, i), ...out.slice(g.int(out.length + 1))];
        break;
      default:
        out = out.slice(0, i);
    }
  }
  return out.join("");
}

/** A version string for the differential test: mostly valid, a fifth mutated. */
export function versionCase(g: Gen): string {
  const v = version(g);
  return g.chance(0.2) ? mutate(g, v) : v;
}

const RELEASES = [
  "0",
  "1",
  "1.0",
  "1.0.0",
  "1.0.1",
  "1.1",
  "1.2",
  "1.2.3",
  "2",
  "2.0",
  "2.0.0",
  "3",
  "10",
  "1!1.0",
  "0.9",
];
const SUFFIXES = [
  "",
  "",
  "a1",
  "b2",
  "rc1",
  ".post1",
  ".post0",
  ".dev0",
  ".dev1",
  "a1.dev1",
  ".post1.dev1",
  "rc1.post1",
  "a0",
  ".post2",
];
const LOCALS = ["+local", "+1.2", "+abc.0", "+0"];

/** Candidate versions clustered around the versions specifiers name, so answers vary. */
export function candidatePool(): string[] {
  const out: string[] = [];
  for (const r of RELEASES) {
    for (const s of SUFFIXES) out.push(r + s);
    for (const l of LOCALS) out.push(r + l);
    out.push(r + "rc1" + LOCALS[0], r + ".post1" + LOCALS[1]);
  }
  out.push("1.0-1", "1.0.c1", "V1.0", "1.0RC1", "not a version", "1.0.x", "", "FOO", "foo");
  return out;
}

/** An odd-but-valid spelling of a version close to the candidates (for `~=` and `===`). */
function spelledVersion(g: Gen, allowLocal: boolean): string {
  if (g.chance(0.1)) {
    return g.pick([
      "1.0-1",
      "1.0.c1",
      "v1.0",
      "1.0RC1",
      "1.0.rc1",
      "1.0.pre1",
      "1.0.rev1",
      "1.0.A1",
    ]);
  }
  let v = g.pick(RELEASES) + g.pick(SUFFIXES);
  if (allowLocal && g.chance(0.15)) v += g.pick(LOCALS);
  return v;
}

/** One specifier, operator and version (possibly `.*`, a local label, `===` text). */
export function specifier(g: Gen): string {
  const op = g.pick(["==", "==", "!=", "<=", ">=", ">=", "<", "<", ">", "~=", "~=", "==="]);
  const space = g.chance(0.2) ? g.pick([" ", "  ", "\t", "\u00a0"]) : "";
  let v: string;
  if (op === "===") {
    v = g.pick(["1.0", "1.0.0", "foo", "FOO", "1.0rc1", "2.0+local", "1!1.0", "1.0-1"]);
  } else if ((op === "==" || op === "!=") && g.chance(0.3)) {
    v = g.pick(RELEASES) + ".*";
  } else {
    v = spelledVersion(g, op === "==" || op === "!=");
  }
  return op + space + v;
}

/** A comma-separated specifier set (possibly empty, with stray commas and spaces). */
export function specifierSet(g: Gen): string {
  const n = g.chance(0.05) ? 0 : g.chance(0.6) ? 1 : g.chance(0.7) ? 2 : 3;
  const items = Array.from({ length: n }, () => specifier(g));
  let s = items.join(g.pick([",", ", ", " ,", " , ", ","]));
  if (g.chance(0.03)) s += ",";
  if (g.chance(0.05)) s = g.pick(SPACES) + s;
  return g.chance(0.1) ? mutate(g, s) : s;
}

const VERSION_VARS = [
  "python_version",
  "python_full_version",
  "implementation_version",
  "platform_release",
];
const STRING_VARS = [
  "os_name",
  "os.name",
  "sys_platform",
  "sys.platform",
  "platform_system",
  "platform_machine",
  "platform.machine",
  "platform_version",
  "platform.version",
  "platform_python_implementation",
  "platform.python_implementation",
  "python_implementation",
  "implementation_name",
];
const VERSION_VALUES = [
  "3.8",
  "3.11",
  "3.11.*",
  "3",
  "3.11.7",
  "2.7",
  "3.12.0rc1",
  "3.13.0+local",
  "3.11.0",
  "3.11a-1",
  "6",
  "6.1.0",
  " 3.9 ",
  "3.8, <4",
];
const STRING_VALUES = [
  "linux",
  "posix",
  "Linux",
  "CPython",
  "x86_64",
  "lin",
  "win32 linux",
  "cpython",
  "",
  "Windows",
  "darwin",
  "nt",
  'a"b',
  "#1 SMP",
  "arm64",
];
const EXTRA_VALUES = ["test", "Test_X", "foo.bar", "", "security", "FOO-BAR"];
const MARKER_OPS = ["==", "==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"];

function quote(g: Gen, value: string): string {
  let text = value;
  if (g.chance(0.05)) text += g.pick(["\\x41", "\\t", "\\\\", "\\q", "\\u00e9"]);
  const q = text.includes("'") ? '"' : text.includes('"') ? "'" : g.pick(["'", '"']);
  return q + text + q;
}

function markerItem(g: Gen): string {
  const sp = () => g.pick(["", " ", " ", "  ", "\t"]);
  const op = g.pick(MARKER_OPS);
  const r = g.next();
  let variable: string;
  let value: string;
  if (r < 0.35) {
    variable = g.pick(VERSION_VARS);
    value = g.pick(VERSION_VALUES);
  } else if (r < 0.8) {
    variable = g.pick(STRING_VARS);
    value = g.pick(STRING_VALUES);
  } else if (r < 0.95) {
    variable = "extra";
    value = g.pick(EXTRA_VALUES);
  } else if (r < 0.97) {
    return g.pick(STRING_VARS) + " " + op + " " + g.pick(VERSION_VARS);
  } else {
    return quote(g, g.pick(STRING_VALUES)) + sp() + op + sp() +
      quote(g, g.pick(["python_version", "os_name", "x", "extra"]));
  }
  const wordOp = op === "in" || op === "not in";
  const left = wordOp ? " " : sp();
  const right = wordOp ? g.pick([" ", "  "]) : sp();
  return g.chance(0.25)
    ? quote(g, value) + left + op + right + variable
    : variable + left + op + right + quote(g, value);
}

/** A marker expression: comparisons joined by `and`/`or`, with (nested) parentheses. */
export function marker(g: Gen, depth = 0): string {
  const n = 1 + (g.chance(0.5) ? 0 : g.int(3));
  const atoms = Array.from({ length: n }, () => {
    if (depth < 3 && g.chance(0.2)) {
      const inner = marker(g, depth + 1);
      return g.chance(0.15) ? `((${inner}))` : `(${g.pick(["", " "])}${inner}${g.pick(["", " "])})`;
    }
    return markerItem(g);
  });
  let s = atoms[0];
  for (const atom of atoms.slice(1)) {
    s += g.pick([" ", " ", "  ", ""]) + g.pick(["and", "or"]) + g.pick([" ", " ", "\t"]) + atom;
  }
  return s;
}

/** A marker for the differential test: mostly valid, some mutated. */
export function markerCase(g: Gen): string {
  const m = marker(g);
  return g.chance(0.15) ? mutate(g, m) : m;
}

const NAMES = ["requests", "Foo_Bar", "a.b-c", "x", "Django", "zope.interface", "A1", "pkg-9"];
const EXTRAS = ["security", "socks", "Test_X", "a.b", "tests", "SOCKS"];

/** A requirement with every optional part in random spellings; some mutated. */
export function requirement(g: Gen): string {
  const sp = () => g.pick(["", "", " ", "  ", "\t"]);
  let s = sp() + g.pick(NAMES) + sp();
  if (g.chance(0.3)) {
    const n = g.int(4);
    s += "[" + sp() +
      Array.from({ length: n }, () => g.pick(EXTRAS)).join(sp() + "," + sp()) + sp() + "]" + sp();
  }
  if (g.chance(0.05)) {
    s += "@" + sp() + "https://example.com/x-1.0-py3-none-any.whl";
    if (g.chance(0.5)) s += " ; " + marker(g);
  } else {
    if (g.chance(0.7)) {
      const spec = specifierSet(g);
      s += g.chance(0.3) ? "(" + sp() + spec + sp() + ")" : spec;
    }
    if (g.chance(0.4)) s += sp() + ";" + sp() + marker(g);
  }
  if (g.chance(0.05)) s += g.pick([" ", "\n", "\t"]);
  return g.chance(0.15) ? mutate(g, s) : s;
}

/** A project name for the differential test (valid or not). */
export function nameCase(g: Gen): string {
  const n = g.pick([...NAMES, ...EXTRAS, "-x", "x-", "", "a b", "é", "A__B..c", "1"]);
  return g.chance(0.3) ? mutate(g, n) : n;
}
