// The strict reader of envknit's own lock layout must read exactly what the YAML parser reads,
// or decline (null). Checked on generated locks and on thousands of mutations of them.
import { assert, assertEquals } from "../tests/support/assert.ts";
import { mulberry32 } from "../tests/support/random.ts";
import { type Lockfile, type LockPackage, serializeLock } from "./lock.ts";
import { readCanonicalLock } from "./lock_text.ts";
import { parseYaml } from "../core/yaml.ts";

const ODD = ['"', "\\", "\n", "\t", "é", "😀", "#", ": ", ", ", "{", "}", "[", "]", "'", "\u0001"];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function text(rand: () => number, plain: string): string {
  let out = plain;
  const n = Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) out += pick(rand, ODD);
  return out;
}

function lock(rand: () => number): Lockfile {
  const environments: Record<string, LockPackage[]> = {};
  const envCount = Math.floor(rand() * 3);
  for (let e = 0; e < envCount; e++) {
    const packages: LockPackage[] = [];
    const count = Math.floor(rand() * 4);
    for (let p = 0; p < count; p++) {
      const pkg: LockPackage = {
        name: `pkg${p}`,
        version: `1.${p}`,
        dependencies: Array.from(
          { length: Math.floor(rand() * 3) },
          (_, i) => text(rand, `dep${i}>=1`),
        ),
        wheels: Array.from({ length: Math.floor(rand() * 3) }, (_, i) => ({
          file: `pkg${p}-1.${p}-py3-none-any${i}.whl`,
          url: text(rand, `https://files.example/${i}`),
          sha256: "ab".repeat(32),
          ...(rand() < 0.5 ? { size: Math.floor(rand() * 1e9) } : {}),
        })),
      };
      if (rand() < 0.3) pkg.marker = text(rand, 'sys_platform == "win32"');
      if (rand() < 0.3) pkg.extras = [text(rand, "socks")];
      if (rand() < 0.3) pkg.dev = true;
      if (rand() < 0.5) pkg.requiresPython = text(rand, ">=3.8");
      if (rand() < 0.5) pkg.index = text(rand, "https://pypi.org/simple");
      if (rand() < 0.1) pkg.installPath = text(rand, "/opt/x");
      packages.push(pkg);
    }
    environments[pick(rand, ["default", "ml", "dev_1", "a.b-c"]) + e] = packages;
  }
  const out: Lockfile = {
    schemaVersion: "1.1",
    lockGeneratedAt: text(rand, "2026-11-21T00:00:00Z"),
    resolverVersion: text(rand, "envknit/0.1.0"),
    configHash: text(rand, "c".repeat(64)),
    target: { python: "3.11", platform: text(rand, "manylinux_2_36_x86_64") },
    environments,
  };
  if (rand() < 0.3) {
    out.targets = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, t) => ({
      python: `3.1${t}`,
      platform: text(rand, "win_amd64"),
      marker: text(rand, `python_version == "3.1${t}"`),
    }));
  }
  return out;
}

async function yamlOrError(source: string): Promise<unknown> {
  try {
    return await parseYaml(source, "mutated.lock");
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

Deno.test("every lock serializeLock writes is read by the strict reader exactly as YAML reads it", async () => {
  const rand = mulberry32(7);
  for (let i = 0; i < 300; i++) {
    const source = serializeLock(lock(rand));
    const strict = readCanonicalLock(source);
    assert(strict !== null, `declined its own layout:\n${source}`);
    assertEquals(strict, await parseYaml(source, "lock"), source);
  }
});

Deno.test("on mutated locks the strict reader agrees with YAML or declines", async () => {
  const rand = mulberry32(11);
  const pieces = [
    '"',
    "\\",
    " ",
    "\n",
    ":",
    "-",
    "#",
    "{",
    "}",
    "[",
    "]",
    ",",
    "x",
    "0",
    "'",
    "\r",
  ];
  // Escapes YAML's double-quoted scalars know and JSON does not, or reads alike, or half a pair.
  const escapes = [
    "\\ud800",
    "\\udc00x",
    "\\x41",
    "\\e",
    "\\0",
    "\\/",
    "\\N",
    "\\_",
    "\\U0001F600",
    "\\u00e9",
  ];
  let agreed = 0;
  let declined = 0;
  for (let i = 0; i < 3000; i++) {
    let source = serializeLock(lock(rand));
    const edits = 1 + Math.floor(rand() * 3);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rand() * source.length);
      const kind = rand();
      if (kind < 0.4) source = source.slice(0, at) + source.slice(at + 1);
      else if (kind < 0.7) source = source.slice(0, at) + pick(rand, pieces) + source.slice(at);
      else if (kind < 0.85) {
        // An escape inside a string: just after some opening quote.
        const quote = source.indexOf(': "', at);
        const where = quote === -1 ? at : quote + 3;
        source = source.slice(0, where) + pick(rand, escapes) + source.slice(where);
      } else {
        const lines = source.split("\n");
        const l = Math.floor(rand() * lines.length);
        lines.splice(l, 0, lines[Math.floor(rand() * lines.length)]); // a line twice
        source = lines.join("\n");
      }
    }
    const strict = readCanonicalLock(source);
    if (strict === null) {
      declined++;
      continue;
    }
    assertEquals(strict, await yamlOrError(source), JSON.stringify(source));
    agreed++;
  }
  assert(agreed > 300 && declined > 300, `${agreed} agreed, ${declined} declined`);
});
