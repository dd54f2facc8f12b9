// The `solver` wire contract against the examples in resolver/testdata/wire/*.json, which
// `cargo test` checks on the Rust side (resolver/wasm/src/solver_wire_tests.rs): every accepted
// call's arguments and answer are valid values of the types in ./wire.ts (checked member by member
// at run time, nothing missing, nothing more), and every call, run through the real wasm module,
// answers what the example says. Session numbers in an example are labels: a `solver.create`'s
// `ok.session` names the session in the calls that follow and is mapped to the real number.
import { assert, assertEquals } from "../tests/support/assert.ts";
import { call, ResolverCallError } from "./wasm.ts";
import type * as wire from "./wire.ts";
import type { MarkerEnvironment } from "./pep.ts";

/** A check of a value against type T: an error message, or null when it is one. */
type Check<T> = ((value: unknown, at: string) => string | null) & { readonly type?: T };

const str: Check<string> = (v, at) => typeof v === "string" ? null : `${at}: not a string`;
const bool: Check<boolean> = (v, at) => typeof v === "boolean" ? null : `${at}: not a boolean`;
const whole: Check<number> = (v, at) =>
  Number.isSafeInteger(v) && (v as number) >= 0 ? null : `${at}: not a whole number`;
const literal = <T extends string | boolean>(...values: T[]): Check<T> => (v, at) =>
  values.includes(v as T) ? null : `${at}: not one of ${values.join(", ")}`;
const nullable = <T>(check: Check<T>): Check<T | null> => (v, at) =>
  v === null ? null : check(v, at);
const list = <T>(check: Check<T>): Check<T[]> => (v, at) =>
  Array.isArray(v)
    ? v.map((x, i) => check(x, `${at}[${i}]`)).find((e) => e) ?? null
    : `${at}: not a list`;
const record = <T>(check: Check<T>): Check<Record<string, T>> => (v, at) =>
  typeof v === "object" && v !== null && !Array.isArray(v)
    ? Object.entries(v).map(([k, x]) => check(x, `${at}.${k}`)).find((e) => e) ?? null
    : `${at}: not an object`;
/** An object with exactly the members of T (the mapped type makes every member need a check). */
const object = <T>(shape: { [K in keyof T]-?: Check<T[K]> }): Check<T> => (v, at) => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return `${at}: not an object`;
  const extra = Object.keys(v).find((k) => !(k in shape));
  if (extra) return `${at}: unknown member '${extra}'`;
  for (const [key, check] of Object.entries(shape) as [string, Check<unknown>][]) {
    if (!(key in v)) return `${at}: '${key}' is missing`;
    const error = check((v as Record<string, unknown>)[key], `${at}.${key}`);
    if (error) return error;
  }
  return null;
};
const nameVersion: Check<wire.NameVersion> = (v, at) =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string"
    ? null
    : `${at}: not a [name, version] pair`;

const environment = object<MarkerEnvironment>({
  implementation_name: str,
  implementation_version: str,
  os_name: str,
  platform_machine: str,
  platform_python_implementation: str,
  platform_release: str,
  platform_system: str,
  platform_version: str,
  python_full_version: str,
  python_version: str,
  sys_platform: str,
});
const stats = object<wire.Stats>({
  decisions: whole,
  conflicts: whole,
  propagations: whole,
  incompatibilities: whole,
});
const candidate = object<wire.CandidateVersion>({
  version: str,
  yanked: bool,
  requires_python: nullable(str),
  unavailable: nullable(str),
});
const versionMetadata = object<wire.VersionMetadata>({
  name: str,
  version: str,
  requires_dist: list(str),
  requires_python: nullable(str),
});
const stepResponses: { [S in wire.StepResponse["status"]]: Check<wire.StepResponse> } = {
  need: object<wire.NeedResponse>({
    status: literal("need"),
    versions: list(str),
    metadata: list(nameVersion),
    prefetch: list(str),
    prefetch_metadata: list(nameVersion),
  }),
  done: object<wire.DoneResponse>({
    status: literal("done"),
    packages: list(object<wire.ResolvedPackage>({
      name: str,
      version: str,
      dependencies: list(str),
      requires_python: nullable(str),
      extras: list(str),
    })),
    stats,
  }),
  failed: object<wire.FailedResponse>({ status: literal("failed"), explanation: str, stats }),
};
const stepResponse: Check<wire.StepResponse> = (v, at) => {
  const status = (v as { status?: unknown } | null)?.status;
  const check = stepResponses[status as wire.StepResponse["status"]];
  return check ? check(v, at) : `${at}.status: not need, done or failed`;
};
const session: Check<number> = (v, at) =>
  whole(v, at) ?? ((v as number) > 0xffffffff ? `${at}: more than 32 bits` : null);

const OPS: {
  [Op in keyof wire.SolverOps]: [
    Check<wire.SolverOps[Op]["args"]>,
    Check<wire.SolverOps[Op]["ok"]>,
  ];
} = {
  "solver.create": [
    object<wire.CreateRequest>({
      requirements: list(str),
      environment,
      python: nullable(str),
      requires_python: nullable(str),
      prereleases: literal("if-necessary-or-explicit", "allow", "disallow"),
      preferences: record(str),
    }),
    object<wire.CreateResponse>({ session }),
  ],
  "solver.step": [
    object<wire.StepRequest>({
      session,
      versions: list(
        object<wire.ProjectVersions>({ name: str, versions: nullable(list(candidate)) }),
      ),
      metadata: list(versionMetadata),
    }),
    stepResponse,
  ],
  "solver.drop": [object<wire.SessionRequest>({ session }), literal(true)],
};

interface Example {
  about: string;
  calls: { op: string; args: unknown; ok?: unknown; error?: string }[];
}

const DIR = new URL("./testdata/wire/", import.meta.url);

async function examples(): Promise<[string, Example][]> {
  const out: [string, Example][] = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (!entry.name.endsWith(".json")) continue;
    out.push([entry.name, JSON.parse(await Deno.readTextFile(new URL(entry.name, DIR)))]);
  }
  assert(out.length > 0, "no examples in resolver/testdata/wire");
  return out.sort((a, b) => a[0] < b[0] ? -1 : 1);
}

Deno.test("every accepted call of the wire examples has the shapes wire.ts declares", async () => {
  let checked = 0;
  for (const [file, example] of await examples()) {
    assertEquals(typeof example.about, "string", `${file}: 'about'`);
    for (const [i, c] of example.calls.entries()) {
      assert(("ok" in c) !== ("error" in c), `${file} call ${i}: either 'ok' or 'error'`);
      if (!("ok" in c)) continue; // arguments of refused calls are bad on purpose
      assert(c.op in OPS, `${file} call ${i}: ${c.op} is not a solver op`);
      const [args, ok] = OPS[c.op as keyof wire.SolverOps];
      assertEquals(args(c.args, "args"), null, `${file} call ${i} (${c.op})`);
      assertEquals(ok(c.ok, "ok"), null, `${file} call ${i} (${c.op})`);
      checked++;
    }
  }
  assert(checked >= 10, `only ${checked} accepted calls`);
});

Deno.test("the validators refuse what the types refuse", () => {
  const [args] = OPS["solver.step"];
  const good = { session: 1, versions: [], metadata: [] };
  assertEquals(args(good, "args"), null);
  assertEquals(args({ ...good, extra: 1 }, "args"), "args: unknown member 'extra'");
  assertEquals(args({ session: 1, versions: [] }, "args"), "args: 'metadata' is missing");
  assertEquals(
    args({ ...good, versions: [{ name: "a", versions: [{ version: "1", yanked: 0 }] }] }, "args"),
    "args.versions[0].versions[0].yanked: not a boolean",
  );
  assertEquals(stepResponse({ status: "maybe" }, "ok"), "ok.status: not need, done or failed");
});

Deno.test("every call of the wire examples answers as written through the real wasm module", async () => {
  for (const [file, example] of await examples()) {
    const sessions = new Map<number, number>();
    for (const [i, c] of example.calls.entries()) {
      let args = c.args;
      if (typeof args === "object" && args !== null && !Array.isArray(args) && "session" in args) {
        const label = (args as { session: unknown }).session;
        if (typeof label === "number" && sessions.has(label)) {
          args = { ...args, session: sessions.get(label) };
        }
      }
      let answer: { ok: unknown } | { error: string };
      try {
        answer = { ok: call(c.op, args) };
      } catch (error) {
        assert(error instanceof ResolverCallError, `${file} call ${i}: ${error}`);
        answer = { error: error.message };
      }
      if (c.op === "solver.create" && "ok" in answer && "ok" in c) {
        const real = (answer.ok as wire.CreateResponse).session;
        const label = (c.ok as wire.CreateResponse).session;
        sessions.set(label, real);
        answer = { ok: { session: label } };
      }
      const expected = "ok" in c ? { ok: c.ok } : { error: c.error };
      assertEquals<unknown>(answer, expected, `${file} call ${i} (${c.op})`);
    }
  }
});
