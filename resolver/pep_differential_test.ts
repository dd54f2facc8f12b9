/**
 * Differential tests: thousands of generated versions, specifier sets, requirements, markers and
 * names, answered by the wasm module and by Python's `packaging` (one python3 process running
 * testdata/pep_oracle.py), which must agree. Mismatches are reported with their input.
 */
import { assert, assertEquals } from "../tests/support/assert.ts";
import { runPython } from "../tests/support/python.ts";
import { call } from "./wasm.ts";
import {
  candidatePool,
  Gen,
  markerCase,
  nameCase,
  requirement,
  specifierSet,
  versionCase,
} from "./testdata/pep_generators.ts";
import type { MarkerEnvironment } from "./pep.ts";
import { LINUX_311_DEBIAN } from "./testdata/environments.ts";

type Result<T> = { ok: T; error?: undefined } | { ok?: undefined; error: string };

/** Runs `pep.<op>` once per element of `items` in one wasm call. */
function batch<T>(op: string, items: unknown[]): Result<T>[] {
  return call<Result<T>[]>(`pep.${op}`, { batch: items });
}

const ENVIRONMENTS: MarkerEnvironment[] = [
  LINUX_311_DEBIAN,
  {
    implementation_name: "cpython",
    implementation_version: "3.8.10",
    os_name: "nt",
    platform_machine: "AMD64",
    platform_python_implementation: "CPython",
    platform_release: "10",
    platform_system: "Windows",
    platform_version: "10.0.19045",
    python_full_version: "3.8.10",
    python_version: "3.8",
    sys_platform: "win32",
  },
  {
    implementation_name: "cpython",
    implementation_version: "3.12.0rc1",
    os_name: "posix",
    platform_machine: "arm64",
    platform_python_implementation: "CPython",
    platform_release: "23.1.0",
    platform_system: "Darwin",
    platform_version: "Darwin Kernel Version 23.1.0",
    python_full_version: "3.12.0rc1",
    python_version: "3.12",
    sys_platform: "darwin",
  },
  {
    implementation_name: "pypy",
    implementation_version: "7.3.13",
    os_name: "posix",
    platform_machine: "aarch64",
    platform_python_implementation: "PyPy",
    platform_release: "6",
    platform_system: "Linux",
    platform_version: "#1 SMP",
    python_full_version: "3.13.0+",
    python_version: "3.13",
    sys_platform: "linux",
  },
];

const SEED = 20261121;
const COUNTS = {
  versions: 4000,
  specifiers: 1500,
  perSpecifier: 24,
  requirements: 2500,
  markers: 2500,
};

interface SpecCase {
  spec: string;
  versions: string[];
}

interface MarkerCase {
  marker: string;
  env: MarkerEnvironment;
  extra: string;
}

// Generate every case up front, ask Python once, then each test compares one part.
const g = new Gen(SEED);
const pool = candidatePool();
const versions = Array.from({ length: COUNTS.versions }, () => versionCase(g));
const specs: SpecCase[] = Array.from({ length: COUNTS.specifiers }, () => ({
  spec: specifierSet(g),
  versions: Array.from({ length: COUNTS.perSpecifier }, () => g.pick(pool)),
}));
const requirements = Array.from({ length: COUNTS.requirements }, () => requirement(g));
const markers: MarkerCase[] = Array.from({ length: COUNTS.markers }, () => ({
  marker: markerCase(g),
  env: g.pick(ENVIRONMENTS),
  extra: g.pick(["", "", "test", "Test_X", "foo.bar", "security"]),
}));
const names = Array.from({ length: 500 }, () => nameCase(g));

const normalized = batch<string>("version_normalize", versions.map((version) => ({ version })));
const sortInput = g.shuffle(versions.filter((_, i) => normalized[i].ok !== undefined));

const oracle = JSON.parse(
  (await runPython(null, [new URL("./testdata/pep_oracle.py", import.meta.url).pathname], {
    stdin: JSON.stringify({
      versions,
      sort: sortInput,
      specifiers: specs,
      requirements,
      markers,
      names,
    }),
  })).stdout,
) as {
  packaging: string;
  versions: ({ ok: string; pre: boolean } | { error: string; ok?: undefined })[];
  sort: string[];
  sort_equal: boolean[];
  specifiers: ({
    ok: string;
    pre: boolean;
    yes: boolean[];
    default: boolean[];
    no: boolean[];
    respelled: boolean;
  } | { error: string; ok?: undefined })[];
  requirements: ({
    url: boolean;
    name: string;
    extras: string[];
    specifier: string;
    marker: string | null;
    normalized: string;
  } | { error: string; url?: undefined })[];
  markers: ({
    ok: string;
    packaging_str: string;
    value: boolean | null;
    eval_error: string | null;
  } | { error: string; ok?: undefined })[];
  names: ({ ok: string } | { error: string; ok?: undefined })[];
};

/** Collects disagreements; fails with the first few, inputs quoted. */
class Mismatches {
  list: string[] = [];
  add(input: string, what: string) {
    this.list.push(`${JSON.stringify(input)}: ${what}`);
  }
  check(cases: number) {
    assert(
      this.list.length === 0,
      `${this.list.length} of ${cases} cases disagree with packaging ${oracle.packaging}:\n` +
        this.list.slice(0, 25).join("\n"),
    );
  }
}

Deno.test("the oracle is packaging 26 and the cases cover valid and invalid input", () => {
  assert(oracle.packaging.startsWith("26."), `packaging ${oracle.packaging}`);
  const valid = oracle.versions.filter((v) => v.ok !== undefined).length;
  assert(valid > COUNTS.versions * 0.6 && valid < COUNTS.versions * 0.95, `${valid} valid`);
  const validSpecs = oracle.specifiers.filter((s) => s.ok !== undefined).length;
  assert(validSpecs > COUNTS.specifiers * 0.6, `${validSpecs} valid specifiers`);
  const validReqs = oracle.requirements.filter((r) => r.url !== undefined).length;
  assert(validReqs > COUNTS.requirements * 0.5, `${validReqs} valid requirements`);
});

Deno.test("versions: same normal form, same pre-release flag, same refusals", () => {
  const bad = new Mismatches();
  const info = batch<{ normalized: string; prerelease: boolean }>(
    "version_info",
    versions.map((version) => ({ version })),
  );
  versions.forEach((v, i) => {
    const expected = oracle.versions[i];
    const got = info[i];
    if (expected.ok === undefined) {
      if (got.ok !== undefined) bad.add(v, `accepted as ${got.ok.normalized}, packaging refuses`);
      return;
    }
    if (got.ok === undefined) bad.add(v, `refused (${got.error}), packaging: ${expected.ok}`);
    else if (got.ok.normalized !== expected.ok || got.ok.prerelease !== expected.pre) {
      bad.add(v, `${JSON.stringify(got.ok)}, packaging: ${expected.ok} pre=${expected.pre}`);
    }
  });
  bad.check(versions.length);
});

Deno.test("versions: same order (sorting every valid version, and pairwise)", () => {
  assert(sortInput.length > 2000);
  const sorted = call<string[]>("pep.versions_sort", { versions: sortInput });
  assertEquals(sorted, oracle.sort);
  // Neighbours in packaging's order compare as packaging says (equal spellings compare equal).
  const pairs = oracle.sort.slice(1).map((b, i) => ({ a: oracle.sort[i], b }));
  const answers = batch<number>("version_compare", pairs);
  const bad = new Mismatches();
  pairs.forEach(({ a, b }, i) => {
    const expected = oracle.sort_equal[i] ? 0 : -1;
    if (answers[i].ok !== expected) {
      bad.add(`${a} vs ${b}`, `${answers[i].ok}, expected ${expected}`);
    }
  });
  assert(oracle.sort_equal.some((e) => e), "some neighbours are equal versions");
  bad.check(pairs.length);
});

Deno.test("specifiers: same form, same contains answers (prereleases true, default, false)", () => {
  const bad = new Mismatches();
  let respelled = 0;
  let checks = 0;
  const forms = batch<string>("specifier_normalize", specs.map((c) => ({ specifier: c.spec })));
  const info = batch<{ mentions_prerelease: boolean }>(
    "specifier_ranges",
    specs.map((c) => ({ specifier: c.spec })),
  );
  const modes: [string, boolean | null][] = [["yes", true], ["default", null], ["no", false]];
  const answers = modes.map(([, prereleases]) =>
    batch<boolean[]>(
      "specifier_contains",
      specs.map((c) => ({ specifier: c.spec, versions: c.versions, prereleases })),
    )
  );
  specs.forEach((c, i) => {
    const expected = oracle.specifiers[i];
    if (expected.ok === undefined) {
      if (forms[i].ok !== undefined) {
        bad.add(c.spec, `accepted as ${forms[i].ok}, packaging refuses`);
      }
      return;
    }
    if (forms[i].ok !== expected.ok) {
      bad.add(c.spec, `form ${forms[i].ok ?? forms[i].error}, packaging: ${expected.ok}`);
      return;
    }
    if (info[i].ok?.mentions_prerelease !== expected.pre) {
      bad.add(c.spec, `mentions_prerelease ${info[i].ok?.mentions_prerelease}`);
    }
    if (expected.respelled) respelled++;
    modes.forEach(([mode], m) => {
      const got = answers[m][i].ok;
      const want = expected[mode as "yes" | "default" | "no"];
      c.versions.forEach((v, k) => {
        checks++;
        if (got?.[k] !== want[k]) bad.add(`${c.spec} contains ${v} (${mode})`, `${got?.[k]}`);
      });
    });
  });
  bad.check(checks);
  // The documented `~=` respelling applies to a few cases only.
  assert(respelled < specs.length / 10, `${respelled} respelled`);
});

Deno.test("specifiers: the version set agrees with contains(v, prereleases=True)", () => {
  const bad = new Mismatches();
  let checks = 0;
  // `===` compares text, which a version set cannot (it holds 1.0 and 1.0.0 alike): left out.
  const cases = specs.map((c, i) => ({ c, expected: oracle.specifiers[i] }))
    .filter(({ c, expected }) => expected.ok !== undefined && !c.spec.includes("==="));
  const answers = batch<{ in_ranges: (boolean | null)[] }>(
    "specifier_ranges",
    cases.map(({ c }) => ({ specifier: c.spec, versions: c.versions })),
  );
  cases.forEach(({ c, expected }, i) => {
    if (expected.ok === undefined) return;
    const got = answers[i].ok?.in_ranges ?? [];
    c.versions.forEach((v, k) => {
      if (got[k] === null) return; // not a version: no set holds it
      checks++;
      if (got[k] !== expected.yes[k]) bad.add(`${c.spec} ranges hold ${v}`, `${got[k]}`);
    });
  });
  assert(checks > 15000, `${checks} checks`);
  bad.check(checks);
});

Deno.test("requirements: same name, extras, specifier, marker and normal form; URLs refused", () => {
  const bad = new Mismatches();
  let urls = 0;
  const got = batch<{
    name: string;
    extras: string[];
    specifier: string;
    marker: string | null;
    normalized: string;
  }>("requirement_parse", requirements.map((requirement) => ({ requirement })));
  requirements.forEach((r, i) => {
    const expected = oracle.requirements[i];
    const answer = got[i];
    if (expected.url === undefined) {
      if (answer.ok !== undefined) {
        bad.add(r, `accepted as ${answer.ok.normalized}, packaging refuses`);
      }
    } else if (expected.url) {
      urls++;
      if (!answer.error?.includes("direct URL references are not supported")) {
        bad.add(r, `a URL requirement gave ${JSON.stringify(answer)}`);
      }
    } else if (answer.ok === undefined) {
      bad.add(r, `refused (${answer.error}), packaging: ${expected.normalized}`);
    } else {
      const { url: _, ...want } = expected;
      if (JSON.stringify(answer.ok) !== JSON.stringify(want)) {
        bad.add(r, `${JSON.stringify(answer.ok)}\n   packaging: ${JSON.stringify(want)}`);
      }
    }
  });
  assert(urls > 20, `${urls} URL requirements`);
  bad.check(requirements.length);
});

Deno.test("markers: same form, same evaluation in four environments, same errors", () => {
  const bad = new Mismatches();
  let evaluated = 0;
  const forms = batch<string>("marker_normalize", markers.map((c) => ({ marker: c.marker })));
  const values = batch<boolean>(
    "marker_evaluate",
    markers.map((c) => ({
      marker: c.marker,
      environment: c.env,
      extras: c.extra ? [c.extra] : [],
    })),
  );
  markers.forEach((c, i) => {
    const expected = oracle.markers[i];
    const label =
      `${c.marker} [${c.env.sys_platform} ${c.env.python_full_version} extra=${c.extra}]`;
    if (expected.ok === undefined) {
      if (forms[i].ok !== undefined) {
        bad.add(c.marker, `accepted as ${forms[i].ok}, packaging refuses`);
      }
      return;
    }
    if (forms[i].ok !== expected.ok) bad.add(c.marker, `form ${forms[i].ok ?? forms[i].error}`);
    if (expected.eval_error !== null) {
      if (values[i].ok !== undefined) {
        bad.add(label, `${values[i].ok}, packaging: ${expected.eval_error}`);
      }
    } else {
      evaluated++;
      if (values[i].ok !== expected.value) {
        bad.add(label, `${values[i].ok ?? values[i].error}, packaging: ${expected.value}`);
      }
    }
  });
  assert(evaluated > COUNTS.markers / 3, `${evaluated} evaluated`);
  bad.check(markers.length);
});

Deno.test("names: same PEP 503 form, same refusals", () => {
  const bad = new Mismatches();
  const got = batch<string>("name_normalize", names.map((name) => ({ name })));
  names.forEach((n, i) => {
    if (got[i].ok !== oracle.names[i].ok) {
      bad.add(n, `${got[i].ok ?? "refused"}, packaging: ${oracle.names[i].ok ?? "refuses"}`);
    }
  });
  bad.check(names.length);
});
