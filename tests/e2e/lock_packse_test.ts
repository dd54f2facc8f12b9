// packse end to end: a representative subset of the scenarios, each served by the loopback index
// and locked through the CLI, judged as the conformance runner judges the in-memory backend.
// The whole set runs with `deno task packse --e2e` (about 25 s: too long to repeat in every
// `deno task test`); this subset covers every required category and every scenario option the
// CLI maps (no_binary, prereleases, universal without a platform, python_platform), ~10 s.
import { assert, assertEquals } from "../support/assert.ts";
import { loadScenarios, packse, type PackseScenario } from "../support/packse.ts";
import { cliBackend, lockArguments } from "../packse/e2e_backend.ts";
import {
  label,
  reportLine,
  REQUIRED_CATEGORIES as REQUIRED,
  runScenarios,
} from "../packse/runner.ts";

/** The first and last scenario of each required category, and every one that sets an option. */
function representative(all: PackseScenario[]): PackseScenario[] {
  const chosen = new Set<PackseScenario>();
  for (const category of REQUIRED) {
    const inCategory = all.filter((s) => s.category === category);
    if (inCategory.length) chosen.add(inCategory[0]).add(inCategory[inCategory.length - 1]);
  }
  for (const s of all) {
    if (!REQUIRED.includes(s.category)) continue;
    const o = s.resolverOptions;
    if (o.noBinary.length || o.prereleases !== null || o.pythonPlatform !== null) chosen.add(s);
    if (o.universal) chosen.add(s);
  }
  return all.filter((s) => chosen.has(s));
}

packse.test("packse through the CLI: a representative subset passes", async () => {
  const scenarios = representative(await loadScenarios());
  assert(scenarios.length >= 24, `${scenarios.length} scenarios`);
  for (const category of REQUIRED) {
    assert(scenarios.some((s) => s.category === category), category);
  }
  const home = await Deno.makeTempDir({ prefix: "envknit-packse-e2e-" });
  try {
    const reports = await runScenarios(scenarios, cliBackend(home));
    const failing = reports.filter((r) => !r.status.startsWith("pass")).map(reportLine);
    assertEquals(failing, []);
    // The options really went through the command line.
    const flags = new Set(scenarios.flatMap(lockArguments));
    for (const flag of ["--no-binary", "--prerelease", "--any-wheel", "--platform"]) {
      assert(flags.has(flag), flag);
    }
    console.log(`${reports.length} scenarios: ${reports.map((r) => label(r.scenario)).join(", ")}`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
