/**
 * Runnable scripts of an entry's `bin/`: console and gui entry points (`entry_points.txt`, the
 * entry points specification) and the `.data/scripts/` files whose first line is `#!python`.
 *
 * Which interpreter? A store is shared by projects and interpreters, so no absolute `#!` path can
 * be right for everyone at install time. Every generated script is a small sh/Python polyglot:
 * `/bin/sh` reads its second line and execs `$ENVKNIT_PYTHON` (which `envknit run` sets to the
 * interpreter it selected), falling back to `python3` on `PATH`, with the script itself as
 * argument; Python then reads the same file and sees that line as a string literal. So `pytest`
 * under `envknit run` starts the right interpreter, and `python bin/pytest` works too.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";

/** One console or gui script declared by a wheel. */
export interface ScriptEntryPoint {
  /** The command name (the file name in `bin/`). */
  name: string;
  /** `console_scripts` or `gui_scripts`. */
  group: "console_scripts" | "gui_scripts";
  /** The module to import, e.g. `pytest`. */
  module: string;
  /** The attribute path within it, e.g. `console_main` or `cli.main`. */
  attribute: string;
  /** Extras named after the reference (informational: nothing to install here). */
  extras: string[];
}

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

function dotted(value: string): boolean {
  return value.split(".").every((part) => IDENT.test(part));
}

/**
 * The console and gui scripts of an `entry_points.txt` (INI syntax: `[group]` sections,
 * `name = module:attr [extras]` lines, `#`/`;` comments). Other groups are ignored.
 *
 * @throws EnvknitError when a script's reference or name is malformed or unsafe as a file name.
 */
export function parseScriptEntryPoints(text: string, source: string): ScriptEntryPoint[] {
  const scripts: ScriptEntryPoint[] = [];
  let group: string | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      group = section[1].trim();
      continue;
    }
    if (group !== "console_scripts" && group !== "gui_scripts") continue;
    const bad = (why: string) =>
      new EnvknitError(`${source} line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    const eq = line.indexOf("=");
    if (eq <= 0) throw bad("expected 'name = module:attr'");
    const name = line.slice(0, eq).trim();
    let reference = line.slice(eq + 1).trim();
    let extras: string[] = [];
    const extrasMatch = /\[([^\]]*)\]\s*$/.exec(reference);
    if (extrasMatch) {
      extras = extrasMatch[1].split(",").map((e) => e.trim()).filter((e) => e !== "");
      reference = reference.slice(0, extrasMatch.index).trim();
    }
    const colon = reference.indexOf(":");
    const module = (colon === -1 ? reference : reference.slice(0, colon)).trim();
    const attribute = colon === -1 ? "" : reference.slice(colon + 1).trim();
    if (!dotted(module)) throw bad("invalid module in entry point");
    if (!attribute || !dotted(attribute)) throw bad("a script entry point needs 'module:function'");
    if (!safeScriptName(name)) {
      throw bad(
        "script name is not a plain name (letters, digits, '.', '_', '-', '+'; " +
          "not starting with '-' or '.')",
      );
    }
    scripts.push({ name, group, module, attribute, extras });
  }
  return scripts;
}

/**
 * A script name must be a plain name: letters, digits, `.`, `_`, `-` and `+`, starting with a
 * letter, a digit or `_` (no leading `-`, which a shell or tool would take for an option, nor
 * `.`), at most 255 bytes. No path separators, spaces, quotes or other shell metacharacters: the
 * name becomes a file in `bin/`, a command on `PATH`, and a word in generated shell scripts.
 */
export function safeScriptName(name: string): boolean {
  return /^[\p{L}\p{N}_][\p{L}\p{N}._+-]*$/u.test(name) &&
    new TextEncoder().encode(name).length <= 255;
}

/**
 * The launcher header: for `/bin/sh` an `exec` of the selected interpreter, for Python a string
 * statement. `args` are extra interpreter options from a `#!python -X` line.
 */
function launcher(args: string[]): string {
  const extra = args.map((a) => ` ${shellQuote(a)}`).join("");
  return [
    "#!/bin/sh",
    `'''exec' "\${ENVKNIT_PYTHON:-python3}"${extra} "$0" "$@"`,
    "' '''",
    "# Written by envknit: sh runs the interpreter `envknit run` chose ($ENVKNIT_PYTHON).",
    "",
  ].join("\n");
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** The text of the `bin/` script for a console or gui entry point. */
export function entryPointScript(ep: ScriptEntryPoint): string {
  const top = ep.attribute.split(".")[0];
  return launcher([]) + [
    "import sys",
    `from ${ep.module} import ${top}`,
    "",
    'if __name__ == "__main__":',
    `    sys.exit(${ep.attribute}())`,
    "",
  ].join("\n");
}

/**
 * Rewrites a `.data/scripts/` file whose first line is `#!python` (or `#!pythonw`, with optional
 * interpreter options) to use the launcher; returns null for any other content (kept as is).
 */
export function rewriteScript(data: Uint8Array): Uint8Array | null {
  const prefix = [0x23, 0x21, 0x70, 0x79, 0x74, 0x68, 0x6f, 0x6e]; // "#!python"
  if (data.length < prefix.length || prefix.some((b, i) => data[i] !== b)) return null;
  let end = data.indexOf(0x0a);
  if (end === -1) end = data.length;
  const first = new TextDecoder().decode(data.subarray(0, end)).replace(/\r$/, "");
  const m = /^#!pythonw?(?:\s+(.*))?$/.exec(first);
  if (!m) return null;
  const args = (m[1] ?? "").split(/\s+/).filter((a) => a !== "");
  const head = new TextEncoder().encode(launcher(args));
  const rest = data.subarray(Math.min(end + 1, data.length));
  const out = new Uint8Array(head.length + rest.length);
  out.set(head);
  out.set(rest, head.length);
  return out;
}
