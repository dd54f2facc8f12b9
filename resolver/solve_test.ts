import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../tests/support/assert.ts";
import { EnvknitError } from "../core/errors.ts";
import {
  type CandidateVersion,
  resolve,
  type ResolverProvider,
  type VersionMetadata,
} from "./mod.ts";
import { LINUX_312_TARGET as ENV } from "./testdata/environments.ts";

type Registry = Record<string, Record<string, string[]>>;

/** An in-memory provider that records what it was asked, optionally answering after a delay. */
class Recorder implements ResolverProvider {
  calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  failing = new Set<string>();
  /** Delays of particular calls (`versions x`), in place of `delayMs`. */
  delays = new Map<string, number>();

  constructor(readonly registry: Registry, readonly delayMs = 0) {}

  async #io<T>(what: string, value: () => T): Promise<T> {
    this.calls.push(what);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const delay = this.delays.get(what) ?? this.delayMs;
      if (delay) await new Promise((r) => setTimeout(r, delay));
      if (this.failing.has(what)) throw new Error(`cannot fetch ${what}`);
      return value();
    } finally {
      this.inFlight--;
      this.calls.push(`done ${what}`);
    }
  }

  listVersions(name: string): Promise<CandidateVersion[] | null> {
    return this.#io(`versions ${name}`, () => {
      const versions = this.registry[name];
      if (!versions) return null;
      return Object.keys(versions).map((version) => ({
        version,
        yanked: false,
        requiresPython: null,
        unavailable: null,
      }));
    });
  }

  getMetadata(name: string, version: string): Promise<VersionMetadata> {
    return this.#io(`metadata ${name} ${version}`, () => ({
      requiresDist: this.registry[name][version],
      requiresPython: ">=3.8",
    }));
  }

  prefetch(name: string): void {
    this.calls.push(`prefetch ${name}`);
  }

  prefetchMetadata(name: string, version: string): void {
    this.calls.push(`prefetch-metadata ${name} ${version}`);
  }
}

Deno.test("resolve returns the solution sorted by name, with applicable dependencies and extras", async () => {
  const provider = new Recorder({
    web: { "1.0": ["http[tls]>=2", "win32api; sys_platform == 'win32'", "docs; extra == 'doc'"] },
    http: { "2.0": ["certs; extra == 'tls'"], "3.0": ["certs; extra == 'tls'"] },
    certs: { "1.0": [] },
  });
  const result = await resolve({ requirements: ["web"], environment: ENV }, provider);
  assert(result.ok);
  assertEquals(result.packages, [
    { name: "certs", version: "1.0", dependencies: [], requiresPython: ">=3.8", extras: [] },
    {
      name: "http",
      version: "3.0",
      dependencies: ["certs"],
      requiresPython: ">=3.8",
      extras: ["tls"],
    },
    {
      name: "web",
      version: "1.0",
      dependencies: ["http[tls]>=2"],
      requiresPython: ">=3.8",
      extras: [],
    },
  ]);
});

Deno.test("resolve keeps preferred versions and explains failures", async () => {
  const registry: Registry = { a: { "1.0": [], "2.0": [] }, b: { "1.0": ["a>=2"] } };
  const kept = await resolve(
    { requirements: ["a"], environment: ENV, preferences: { a: "1.0" } },
    new Recorder(registry),
  );
  assert(kept.ok);
  assertEquals(kept.packages.map((p) => p.version), ["1.0"]);
  const failed = await resolve(
    { requirements: ["a<2", "b"], environment: ENV },
    new Recorder(registry),
  );
  assert(!failed.ok);
  assertStringIncludes(failed.explanation, "b==1.0 depends on a>=2");
  assertStringIncludes(failed.explanation, "you require a<2");
});

Deno.test("the driver fetches ahead: new names and likely versions are hinted and started early", async () => {
  const provider = new Recorder({
    app: { "1.0": ["lib-a", "lib-b"] },
    "lib-a": { "1.0": ["leaf"], "2.0": ["leaf"] },
    "lib-b": { "1.0": ["leaf"] },
    leaf: { "1.0": [] },
  }, 5);
  const result = await resolve({ requirements: ["app"], environment: ENV }, provider);
  assert(result.ok);
  const calls = provider.calls;
  // lib-a and lib-b are announced (prefetch) as soon as app's metadata arrives…
  assert(calls.includes("prefetch lib-a") && calls.includes("prefetch lib-b"), calls.join("\n"));
  // …and the version the solver will try is hinted before the solver asks for it.
  assert(calls.includes("prefetch-metadata lib-a 2.0"), calls.join("\n"));
  // Fetches ran in parallel, and nothing was fetched twice.
  assert(provider.maxInFlight >= 2, `${provider.maxInFlight}`);
  const fetches = calls.filter((c) => !c.startsWith("prefetch"));
  assertEquals(new Set(fetches).size, fetches.length);
});

Deno.test("an answer is handed to the solver as it arrives: its hints start before slower needs end", async () => {
  const provider = new Recorder({
    fast: { "1.0": ["leaf"] },
    slow: { "1.0": [] },
    leaf: { "1.0": [] },
  }, 5);
  provider.delays.set("versions slow", 300);
  const result = await resolve({ requirements: ["fast", "slow"], environment: ENV }, provider);
  assert(result.ok);
  const calls = provider.calls;
  // fast's page came first: its likely metadata, and then the page of its dependency, were
  // fetched while slow's page (needed as well) was still on its way.
  const slowDone = calls.indexOf("done versions slow");
  assert(calls.indexOf("metadata fast 1.0") < slowDone, calls.join("\n"));
  assert(calls.indexOf("versions leaf") < slowDone, calls.join("\n"));
});

Deno.test("answers ride along in batches: a wide graph takes few wasm crossings", async () => {
  const registry: Registry = { root: { "1.0": [] } };
  const layer = (prefix: string, n: number, deps: (i: number) => string[]) => {
    for (let i = 0; i < n; i++) registry[`${prefix}${i}`] = { "1.0": deps(i), "2.0": deps(i) };
  };
  layer("c", 100, () => []);
  layer("b", 100, (i) => [`c${i}`, `c${(i + 1) % 100}`]);
  layer("a", 50, (i) => [`b${2 * i}`, `b${2 * i + 1}`]);
  const result = await resolve(
    { requirements: Array.from({ length: 50 }, (_, i) => `a${i}`), environment: ENV },
    new Recorder(registry),
  );
  assert(result.ok);
  assertEquals(result.packages.length, 250);
  // 250 packages and 250 metadata answers, but only a handful of rounds.
  assert(result.stats!.steps <= 12, `${result.stats!.steps} steps`);
});

Deno.test("provider errors: needed data fails the resolution, data only fetched ahead does not", async () => {
  const registry: Registry = { a: { "1.0": [], "2.0": [] } };
  const broken = new Recorder(registry);
  broken.failing.add("versions a");
  await assertRejects(
    () => resolve({ requirements: ["a"], environment: ENV }, broken),
    Error,
    "cannot fetch",
  );
  // The metadata of a 2.0 is fetched ahead, fails, but is never needed: a==1.0 is pinned.
  const ahead = new Recorder(registry);
  ahead.failing.add("metadata a 2.0");
  const result = await resolve({ requirements: ["a==1.0"], environment: ENV }, ahead);
  assert(result.ok);
});

Deno.test("bad input is an EnvknitError, not a crash", async () => {
  const provider = new Recorder({});
  await assertRejects(
    () => resolve({ requirements: ["a >>> 1"], environment: ENV }, provider),
    EnvknitError,
    "invalid requirement",
  );
  await assertRejects(
    () =>
      resolve({ requirements: [], environment: { ...ENV, python_full_version: "x" } }, provider),
    EnvknitError,
    "target Python",
  );
  // Malformed data from a provider: invalid versions are skipped, invalid metadata makes the
  // version unusable, and the explanation says so.
  const messy = new Recorder({ a: { "1.0": ["b; os_name =="], "junk!": [] } });
  const result = await resolve({ requirements: ["a"], environment: ENV }, messy);
  assert(!result.ok);
  assertStringIncludes(result.explanation, "the metadata of a==1.0 is invalid");
});

/** A deterministic generator for the garbage tests (no Math.random: failures must reproduce). */
function lcg(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
  };
}

const PIECES = [
  "a",
  "b",
  "c",
  "A_b.C",
  "1.0",
  "2.0a1",
  "1!3",
  "1.0+local",
  "*",
  "===x",
  ">=",
  "<",
  "!=",
  "~=",
  ",",
  ";",
  "[",
  "]",
  "(",
  ")",
  "'",
  '"',
  " ",
  "and",
  "or",
  "extra",
  "==",
  "python_version",
  "sys_platform",
  "é",
  "\u0000",
  "@ https://x",
  "999999999999999999999",
  ".post1",
  ".dev",
  "-",
];

Deno.test("garbage from the user or the provider is an error or an explanation, never a trap", async () => {
  const next = lcg(7);
  const junk = (parts: number) =>
    Array.from({ length: parts }, () => PIECES[next(PIECES.length)]).join("");
  let results = 0, errors = 0;
  for (let round = 0; round < 300; round++) {
    const registry: Registry = {};
    for (const name of ["a", "b", "c"]) {
      registry[name] = {};
      for (let k = 0; k < 1 + next(4); k++) {
        const version = next(3) === 0 ? junk(2) : `${1 + next(4)}.${next(3)}`;
        registry[name][version] = Array.from(
          { length: next(4) },
          () => next(2) ? `${["a", "b", "c"][next(3)]}${junk(next(4))}` : junk(1 + next(5)),
        );
      }
    }
    const requirements = Array.from(
      { length: 1 + next(3) },
      () => next(3) ? ["a", "b", "c"][next(3)] + (next(2) ? junk(next(3)) : "") : junk(3),
    );
    try {
      const result = await resolve({ requirements, environment: ENV }, new Recorder(registry));
      results++;
      if (!result.ok) assert(result.explanation.length > 0);
    } catch (error) {
      // Only the documented error; a wasm trap would be a RuntimeError.
      assert(error instanceof EnvknitError, `${requirements}: ${error}`);
      errors++;
    }
  }
  assert(results > 50 && errors > 20, `${results} results, ${errors} errors`);
});

Deno.test("a very deep failure is explained within the wasm stack", async () => {
  const depth = 3000;
  const registry: Registry = {};
  for (let i = 0; i < depth; i++) registry[`p${i}`] = { "1.0": [`p${i + 1}`] };
  const result = await resolve({ requirements: ["p0"], environment: ENV }, new Recorder(registry));
  assert(!result.ok);
  assertStringIncludes(result.explanation, `p${depth} was not found`);
  assertStringIncludes(result.explanation, "your requirements cannot be satisfied.");
});
