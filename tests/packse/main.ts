/**
 * `deno task packse [DIR] [--json OUT]`: resolves every packse scenario under DIR (default
 * `../shared/packse/scenarios` beside the repository) with the in-memory provider, prints one
 * line per scenario and a final `N passed, N failed`. `--json OUT` writes
 * `{scenario name: {"satisfiable": bool, "packages": {name: version}}}`.
 *
 * Exit code 1 when a scenario failed (unsupported ones are listed with their reason, not failed).
 *
 * @module
 */
import { loadScenarios, SCENARIOS_DIR } from "../support/packse.ts";
import { jsonResults, reportLine, runScenarios, totals } from "./runner.ts";

const USAGE = "usage: deno task packse [DIR] [--json OUT]";

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
  try {
    options = parseArgs(Deno.args);
  } catch (error) {
    console.error((error as Error).message);
    Deno.exit(2);
  }
  const scenarios = await loadScenarios(options.dir);
  const started = performance.now();
  const reports = await runScenarios(scenarios, undefined, (r) => console.log(reportLine(r)));
  const t = totals(reports);
  if (options.json !== null) {
    await Deno.writeTextFile(options.json, JSON.stringify(jsonResults(reports), null, 2) + "\n");
  }
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  console.log(`${t.unsupported} unsupported (listed above with the reason), ${secs}s`);
  console.log(`${t.passed} passed, ${t.failed} failed`);
  Deno.exit(t.failed ? 1 : 0);
}
