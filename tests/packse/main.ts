/**
 * `deno task packse [DIR] [--json OUT]`: resolves every packse scenario under DIR (default
 * `$ENVKNIT_PACKSE_DIR/scenarios`, else `../shared/packse/scenarios` beside the repository) with
 * the in-memory provider, prints one line per scenario and a final `N passed, N failed`.
 * `--json OUT` writes `{scenario name: {"satisfiable": bool, "packages": {name: version}}}`.
 *
 * `--e2e` runs the same scenarios end to end instead: each served by the loopback index and
 * locked through the CLI (`e2e_backend.ts`).
 *
 * Exit code 1 when a scenario failed (unsupported ones are listed with their reason, not failed).
 *
 * @module
 */
import { loadScenarios, SCENARIOS_DIR } from "../support/packse.ts";
import { jsonResults, reportLine, runScenarios, totals } from "./runner.ts";
import { cliBackend } from "./e2e_backend.ts";

const USAGE = "usage: deno task packse [DIR] [--json OUT] [--e2e]";

/** Parses the command line: the scenarios directory and the JSON output path. */
export function parseArgs(args: string[]): { dir: string; json: string | null } {
  let dir: string | null = null;
  let json: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--json") {
      json = args[++i] ?? null;
      if (json === null) throw new Error(`--json needs a file name\n${USAGE}`);
    } else if (a.startsWith("--json=")) {
      json = a.slice("--json=".length);
    } else if (a === "-h" || a === "--help") {
      throw new Error(USAGE);
    } else if (a.startsWith("-")) {
      throw new Error(`unknown option ${a}\n${USAGE}`);
    } else if (dir === null) {
      dir = a;
    } else {
      throw new Error(`more than one directory given\n${USAGE}`);
    }
  }
  return { dir: dir ?? SCENARIOS_DIR, json };
}

if (import.meta.main) {
  let options;
  const e2e = Deno.args.includes("--e2e");
  try {
    options = parseArgs(Deno.args.filter((a) => a !== "--e2e"));
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(2);
  }
  let scenarios;
  try {
    scenarios = await loadScenarios(options.dir);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    Deno.exit(1);
  }
  const started = performance.now();
  const home = e2e ? await Deno.makeTempDir({ prefix: "envknit-packse-home-" }) : null;
  const backend = home ? cliBackend(home) : undefined;
  const reports = await runScenarios(scenarios, backend, (r) => console.log(reportLine(r)));
  if (home) await Deno.remove(home, { recursive: true });
  const t = totals(reports);
  if (options.json !== null) {
    await Deno.writeTextFile(options.json, JSON.stringify(jsonResults(reports), null, 2) + "\n");
  }
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`${t.unsupported} unsupported (listed above with the reason), ${secs}s`);
  console.log(`${t.passed} passed, ${t.failed} failed`);
  Deno.exit(t.failed ? 1 : 0);
}
