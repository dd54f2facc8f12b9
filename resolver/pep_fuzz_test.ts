/**
 * Fuzzing the PEP 440/508 parsers through the wasm boundary: random and mutated strings into
 * every `pep.*` operation. A panic in Rust is a wasm trap (a `WebAssembly.RuntimeError` here);
 * every answer must instead be a value or a `ResolverCallError`, and quickly.
 */
import { assert } from "../tests/support/assert.ts";
import { call, ResolverCallError } from "./wasm.ts";
import {
  Gen,
  marker,
  mutate,
  requirement,
  specifierSet,
  version,
} from "./testdata/pep_generators.ts";

const ENV = {
  implementation_name: "cpython",
  implementation_version: "3.11.7",
  os_name: "posix",
  platform_machine: "x86_64",
  platform_python_implementation: "CPython",
  platform_release: "6.1.0",
  platform_system: "Linux",
  platform_version: "#1",
  python_full_version: "3.13.0+",
  python_version: "3.13",
  sys_platform: "linux",
};

/** A random string over grammar characters, controls and non-ASCII text. */
function noise(g: Gen): string {
  const alphabet = [..."0123456789.-_+!*vVabcrpostden ,;()[]@'\"=<>~\\\t\n\0é𝟘\u00a0\u2028"];
  return Array.from({ length: g.int(50) }, () => g.pick(alphabet)).join("");
}

/** Calls `op` and requires a value or a rejection, never a crash. */
function survive(op: string, args: unknown): unknown {
  try {
    return call(op, args);
  } catch (error) {
    if (error instanceof ResolverCallError) return error;
    throw new Error(`${op} ${JSON.stringify(args).slice(0, 300)} crashed: ${error}`);
  }
}

Deno.test("every pep operation survives random and mutated input", () => {
  const g = new Gen(7);
  const started = performance.now();
  const makers = [version, specifierSet, requirement, (g: Gen) => marker(g), noise];
  const inputs = Array.from({ length: 6000 }, (_, i) => {
    const base = makers[i % makers.length](g);
    return g.chance(0.6) ? mutate(g, base) : base;
  });
  const cases: [string, (s: string) => unknown][] = [
    ["pep.version_normalize", (s) => ({ version: s })],
    ["pep.version_info", (s) => ({ version: s })],
    ["pep.version_compare", (s) => ({ a: s, b: "1.0" })],
    ["pep.specifier_normalize", (s) => ({ specifier: s })],
    ["pep.specifier_contains", (s) => ({ specifier: s, versions: ["1.0", s], prereleases: null })],
    ["pep.specifier_ranges", (s) => ({ specifier: s, versions: ["0", "1.0", "2.0rc1"] })],
    ["pep.requirement_parse", (s) => ({ requirement: s })],
    ["pep.marker_normalize", (s) => ({ marker: s })],
    ["pep.marker_evaluate", (s) => ({ marker: s, environment: ENV, extras: ["x", s] })],
    ["pep.name_normalize", (s) => ({ name: s })],
  ];
  let answered = 0;
  for (const [op, args] of cases) {
    const results = survive(op, { batch: inputs.map(args) }) as { ok?: unknown }[];
    assert(Array.isArray(results) && results.length === inputs.length, op);
    answered += results.filter((r) => r.ok !== undefined).length;
    // Single calls too: the error path of the boundary itself.
    for (const input of inputs.slice(0, 300)) survive(op, args(input));
  }
  assert(answered > inputs.length, `only ${answered} answers: the inputs do not reach the parsers`);
  assert(performance.now() - started < 30_000, "fuzzing took too long");
});

Deno.test("malformed requests are errors, not crashes", () => {
  for (
    const args of [
      null,
      1,
      "x",
      [],
      { version: 1 },
      { batch: 3 },
      { batch: [1, null] },
      {
        specifier: ">=1",
        versions: [1],
      },
      { marker: "os_name == 'a'", environment: { os_name: 1 } },
      { requirement: null },
    ]
  ) {
    for (const op of ["version_normalize", "specifier_contains", "marker_evaluate"]) {
      survive(`pep.${op}`, args);
    }
  }
});

Deno.test("huge and deeply nested input is refused or answered quickly", () => {
  const cases = [
    "(".repeat(100_000),
    `${"(".repeat(50_000)}os_name == 'a'${")".repeat(50_000)}`,
    "1." + "9".repeat(100_000),
    Array.from({ length: 5_000 }, (_, i) => `!=${i}`).join(","),
    Array.from({ length: 5_000 }, () => "os_name == 'a'").join(" and "),
    "x".repeat(200_000),
  ];
  for (const input of cases) {
    const started = performance.now();
    for (const op of ["version_normalize", "requirement_parse", "marker_normalize"]) {
      const key = op.split("_")[0];
      survive(`pep.${op}`, { [key]: input });
    }
    survive("pep.specifier_ranges", { specifier: input, versions: ["1.0"] });
    survive("pep.marker_evaluate", { marker: input, environment: ENV });
    const ms = performance.now() - started;
    assert(ms < 5_000, `${input.slice(0, 20)}… took ${ms} ms`);
  }
});
