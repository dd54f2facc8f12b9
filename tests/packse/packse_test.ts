import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import {
  loadScenarios,
  packse,
  type PackseScenario,
  parseScenario,
  requiresDist,
} from "../support/packse.ts";
import { parseArgs } from "./main.ts";
import { lowerBoundsOnly } from "./memory_provider.ts";
import { forkPythons, forkTargets, OTHER } from "./fork_targets.ts";
import { type OracleCase, oracleProblemsEach } from "../support/target_oracle.ts";
import {
  expectationFor,
  jsonResults,
  judge,
  label,
  reportLine,
  REQUIRED_CATEGORIES as REQUIRED,
  resolveInMemory,
  runScenarios,
  type ScenarioReport,
  totals,
} from "./runner.ts";

let cached: ScenarioReport[] | null = null;

/** The whole set through the in-memory backend, once for all tests of this file. */
async function allReports(): Promise<ScenarioReport[]> {
  cached ??= await runScenarios(await loadScenarios());
  return cached;
}

packse.test("packse: every scenario of the required categories passes", async () => {
  const reports = await allReports();
  for (const category of REQUIRED) {
    assert(reports.some((r) => r.scenario.category === category), `no scenario in ${category}`);
  }
  const failing = reports
    .filter((r) => REQUIRED.includes(r.scenario.category) && !r.status.startsWith("pass"))
    .map(reportLine);
  assertEquals(failing, []);
  assertEquals(
    totals(reports).failed,
    0,
    reports.filter((r) => r.status === "FAIL").map(reportLine).join("\n"),
  );
});

packse.test("packse: the fork scenarios pass as multi-target locks, each with its verdict", async () => {
  const forks = (await allReports()).filter((r) => r.scenario.category === "fork");
  assertEquals(forks.length, 32);
  for (const r of forks) {
    assert(r.status.startsWith("pass"), reportLine(r));
    assert(r.outcome?.fork, label(r.scenario));
    assertEquals(r.outcome.satisfiable, r.outcome.fork.satisfiable);
    if (!r.outcome.satisfiable) assertStringIncludes(r.outcome.explanation ?? "", "for the target");
  }
  assertEquals(totals(await allReports()).unsupported, 0);
  // packse's own verdict, except where uv's forking finds a conflict that no target has.
  const differ = forks.filter((r) => r.status === "pass (per-target)").map((r) => r.scenario.name);
  assertEquals(differ.sort(), [
    "fork-non-local-fork-marker-direct",
    "fork-non-local-fork-marker-transitive",
    "preferences-dependent-forking-conflicting",
  ]);
  for (const r of forks.filter((r) => r.status === "pass (per-target)")) {
    assertEquals(r.scenario.expected.satisfiable, false);
    assertEquals(r.outcome?.satisfiable, true);
  }
  // One version where one serves every target (uv's regression test: a single `a`).
  const selection = forks.find((r) => r.scenario.name === "fork-marker-selection")!;
  assertEquals(selection.outcome?.packages, {
    a: "0.1.0",
    'b ; sys_platform == "darwin"': "1.0.0",
    'b ; sys_platform == "linux"': "2.0.0",
  });
});

packse.test("packse: packaging confirms the fork scenarios' locks target by target", async () => {
  const forks = (await allReports()).filter((r) =>
    r.scenario.category === "fork" && r.outcome?.fork?.satisfiable
  );
  assert(forks.length >= 25, `${forks.length}`);
  const cases: OracleCase[] = forks.map((r) => {
    const s = r.scenario;
    const index: OracleCase["index"] = {};
    for (const [name, versions] of Object.entries(s.packages)) {
      index[name] = {};
      for (const v of Object.values(versions)) {
        index[name][v.version] = {
          requires_dist: requiresDist(v),
          requires_python: v.requiresPython,
        };
      }
    }
    return {
      requirements: s.root.requires,
      requires_python: s.root.requiresPython,
      index,
      targets: r.outcome!.fork!.targets.map((t) => ({ env: t.environment, python: t.python })),
      entries: r.outcome!.fork!.entries,
    };
  });
  const problems = await oracleProblemsEach(cases);
  assertEquals(
    problems.flatMap((p, i) => p.map((x) => `${forks[i].scenario.name}: ${x}`)),
    [],
  );
});

packse.test("packse: a fork scenario's targets come from its markers and Python range", async () => {
  const byName = new Map((await loadScenarios()).map((s) => [s.name, s]));
  const basic = forkTargets(byName.get("fork-basic")!);
  assertEquals(basic.map((t) => [t.python, t.environment.sys_platform]), [
    ["3.12.0", "darwin"],
    ["3.12.0", "linux"],
    ["3.12.0", OTHER],
  ]);
  // The project's Requires-Python bounds the Pythons, to the first patch release inside it.
  assertEquals(forkPythons(byName.get("fork-requires-python-patch-overlap")!), [
    "3.10.1",
    "3.11.0",
    "3.12.0",
  ]);
  // Without one, the scenario's Python and later (packse's default).
  assertEquals(forkPythons(byName.get("fork-incomplete-markers")!), [
    "3.12.0",
    "3.13.0",
    "3.14.0",
    "3.15.0",
  ]);
  const track = forkTargets(byName.get("fork-marker-track")!);
  assertEquals(track.length, 3 * 4); // sys_platform × implementation_name, on Python 3.12
  // Every target can be told apart from every other by a marker.
  assertEquals(new Set(track.map((t) => JSON.stringify(t.environment))).size, track.length);
});

packse.test("packse: wheels-only expectations come from the scenario data", async () => {
  const reports = await allReports();
  const wheelsOnly = reports.filter((r) => r.status === "pass (wheels-only)");
  assert(wheelsOnly.length >= 5, `${wheelsOnly.length}`);
  for (const r of wheelsOnly) {
    // packse itself expects a solution (through an sdist); envknit explains it has no wheel.
    assert(r.scenario.expected.satisfiable, label(r.scenario));
    assertEquals(r.outcome?.satisfiable, false);
    assertStringIncludes(r.outcome?.explanation ?? "", "no usable wheel");
  }
});

/** What an explanation must mention, per category, when envknit finds no solution. */
const CAUSE: Record<string, RegExp> = {
  backtracking: /not found in the package index/,
  does_not_exist: /not found in the package index|there is no version of/,
  excluded: /depends on|there is no version of/,
  extras: /a\[extra(-b|-c)?\]/,
  incompatible_versions: /depends on|you require/,
  local: /\+(foo|bar)|there is no version of/,
  post: /there is no version of a/,
  prereleases: /pre-release/,
  requires_python: /Python(>=|<=|<|>)3\.\d+|no usable wheel|there is no version of/,
  yanked: /yanked/,
  wheels: /no usable wheel/,
};

packse.test("packse: explanations of unsatisfiable scenarios name the cause", async () => {
  let checked = 0;
  for (const r of await allReports()) {
    if (!REQUIRED.includes(r.scenario.category) || r.outcome?.satisfiable !== false) continue;
    const text = r.outcome.explanation ?? "";
    const where = `${label(r.scenario)}:\n${text}`;
    assertMatch(text, /^Because /, where);
    assertMatch(text, /your requirements cannot be satisfied\.$/, where);
    assertMatch(text, CAUSE[r.scenario.category], where);
    // It names at least one package the user asked for.
    const roots = r.scenario.root.requires.map((q) => /^\s*([A-Za-z0-9._-]+)/.exec(q)?.[1] ?? q);
    assert(roots.some((name) => text.includes(name)), where);
    if (r.scenario.category === "requires_python" && /requires Python/.test(text)) {
      assertMatch(text, /the target Python version is \d+\.\d+\.\d+/, where);
    }
    checked++;
  }
  assert(checked >= 40, `${checked}`);
});

packse.test("packse: a few explanations, word for word", async () => {
  const byName = new Map((await allReports()).map((r) => [r.scenario.name, r]));
  const text = (name: string) => byName.get(name)?.outcome?.explanation;
  assertEquals(
    text("backtrack-to-missing-package"),
    "Because a==1.0.0 depends on c and c was not found in the package index, a==1.0.0 cannot be used.\n" +
      "So, because every version of b depends on a==1.0.0 and you require b, your requirements " +
      "cannot be satisfied.",
  );
  assertEquals(
    text("python-greater-than-current"),
    "Because a==1.0.0 requires Python>=3.10 and you require a==1.0.0, you require Python>=3.10.\n" +
      "So, because the target Python version is 3.9.0, your requirements cannot be satisfied.",
  );
  assertEquals(
    text("transitive-yanked-and-unyanked-dependency"),
    "Because a==1.0.0 depends on c==2.0.0 and c==2.0.0 is yanked (a yanked version is used only " +
      "when your requirements pin it with ==), no version of a can be used.\n" +
      "So, because you require a, your requirements cannot be satisfied.",
  );
  assertEquals(
    text("no-wheels"),
    "Because a==1.0.0 has no usable wheel (only a source distribution (a-1.0.0.tar.gz) is " +
      "available, and envknit installs wheels only) and you require a, your requirements cannot " +
      "be satisfied.",
  );
});

function scenario(toml: string, category = "made-up"): PackseScenario {
  return parseScenario(toml, `/tmp/${category}/s.toml`, category);
}

Deno.test("runner: a backend's wrong answers are failures, and why is said", async () => {
  const s = scenario(`
name = "s"
[root]
requires = ["a"]
[expected]
satisfiable = true
[expected.packages]
a = "1.0.0"
[packages.a.versions."1.0.0"]
[packages.a.versions."2.0.0"]
requires = ["missing"]
`);
  const [good] = await runScenarios([s]);
  assertEquals(good.status, "pass");
  const [wrong] = await runScenarios(
    [s],
    () => Promise.resolve({ satisfiable: true, packages: { a: "2.0.0" } }),
  );
  assertEquals(wrong.status, "FAIL");
  assertStringIncludes(wrong.detail, "expected a==1.0.0, got a==2.0.0");
  const [extra] = await runScenarios(
    [s],
    () => Promise.resolve({ satisfiable: true, packages: { a: "1.0.0", missing: "1" } }),
  );
  assertEquals(extra.status, "FAIL");
  const [thrown] = await runScenarios([s], () => Promise.reject(new Error("index down")));
  assertEquals(thrown.status, "FAIL");
  assertStringIncludes(thrown.detail, "index down");
  assertEquals(totals([good, wrong, extra, thrown]), { passed: 1, failed: 3, unsupported: 0 });
});

Deno.test("runner: an answer that needs an sdist becomes 'no solution, no usable wheel'", async () => {
  const s = scenario(`
name = "sdist-only"
[root]
requires = ["a"]
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
wheel = false
`);
  const expectation = await expectationFor(s);
  assertEquals(expectation.kind, "wheels-only");
  // A backend that "finds" a solution anyway fails; one without the reason fails too.
  assertMatch(
    judge(expectation, { satisfiable: true, packages: { a: "1.0.0" } }) ?? "",
    /expected no solution/,
  );
  assertMatch(
    judge(expectation, { satisfiable: false, packages: {}, explanation: "Because no." }) ?? "",
    /no usable wheel/,
  );
  const outcome = await resolveInMemory(s);
  assertEquals(judge(expectation, outcome), null);
  // The same version with a wheel is a plain expected solution.
  const withWheel = scenario(`
name = "wheel"
[root]
requires = ["a"]
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
`);
  assertEquals((await expectationFor(withWheel)).kind, "solution");
});

packse.test("runner: --json document", async () => {
  const reports = (await allReports()).slice(0, 3);
  const doc = jsonResults(reports);
  for (const r of reports) {
    assertEquals(Object.keys(doc[r.scenario.name]).sort(), ["packages", "satisfiable"]);
  }
});

Deno.test("runner: a solution that needs a Requires-Python upper bound ignored has none", async () => {
  // packse (uv) ignores the upper bound; envknit counts it, as pip does when it installs.
  const s = scenario(`
name = "capped"
[root]
requires = ["a"]
[environment]
python = "3.9"
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
requires_python = "<=3.8"
`);
  const expectation = await expectationFor(s);
  assertEquals(expectation.kind, "requires-python");
  const outcome = await resolveInMemory(s);
  assertEquals(outcome.satisfiable, false);
  assertStringIncludes(outcome.explanation ?? "", "a==1.0.0 requires Python<=3.8");
  assertEquals(judge(expectation, outcome), null);
  assertMatch(
    judge(expectation, { satisfiable: false, packages: {}, explanation: "Because no." }) ?? "",
    /Requires-Python/,
  );
  // An older version without the cap is the answer for both.
  const older = scenario(`
name = "capped-newest"
[root]
requires = ["a"]
[environment]
python = "3.9"
[expected]
satisfiable = true
[packages.a.versions."1.0.0"]
requires_python = ">=3.7"
[packages.a.versions."2.0.0"]
requires_python = ">=3.7,<3.9"
`);
  assertEquals(await resolveInMemory(older), { satisfiable: true, packages: { a: "1.0.0" } });
  assertEquals((await resolveInMemory(older, { packse: true })).packages, { a: "2.0.0" });
});

Deno.test("lowerBoundsOnly reads Requires-Python as uv does for a concrete Python", () => {
  assertEquals(lowerBoundsOnly(">=3.8, <3.11"), ">=3.8");
  assertEquals(lowerBoundsOnly("<=3.8"), "");
  assertEquals(lowerBoundsOnly("~=3.8"), ">=3.8");
  assertEquals(lowerBoundsOnly("==3.8.*,!=3.8.1"), ">=3.8");
  assertEquals(lowerBoundsOnly(">3.7"), ">3.7");
});

Deno.test("runner: arguments", () => {
  assertEquals(parseArgs(["some/dir", "--json", "out.json"]), {
    dir: "some/dir",
    json: "out.json",
  });
  assertEquals(parseArgs(["--json=o.json"]).json, "o.json");
  let threw = false;
  try {
    parseArgs(["--frobnicate"]);
  } catch {
    threw = true;
  }
  assert(threw);
});

Deno.test("deno task packse runs any directory of scenarios and writes --json", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-packse-" });
  try {
    await Deno.mkdir(`${dir}/mine`);
    await Deno.writeTextFile(
      `${dir}/mine/one.toml`,
      `name = "one"\n[root]\nrequires = ["a>1"]\n[expected]\nsatisfiable = false\n` +
        `[packages.a.versions."1.0.0"]\n`,
    );
    const out = `${dir}/out.json`;
    const main = new URL("./main.ts", import.meta.url).pathname;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", config, main, dir, "--json", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(run.stdout);
    assertEquals(run.code, 0, stdout + new TextDecoder().decode(run.stderr));
    assertMatch(stdout, /^pass +mine\/one$/m);
    assertMatch(stdout, /\n1 passed, 0 failed\n$/);
    assertEquals(JSON.parse(await Deno.readTextFile(out)), {
      one: { satisfiable: false, packages: {} },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
