/**
 * Islands benchmark (`deno run -A bench/islands/main.ts [--quick]`; issue #16, point 5): runs
 * `bench/islands/bench_islands.py` with `python3` (or `$ENVKNIT_TEST_PYTHON`) and prints the JSON
 * it writes, each section beside a plain import or call:
 *
 * - `import_50`: a 50-module split package imported through a non-default island (target ratio
 *   < 1.3);
 * - `hot_import`: an `import` statement re-executed inside a hot function of island code (target
 *   ratio < 1.5);
 * - `call`: calling functions of island code (target: as fast as plain code).
 *
 * The numbers are printed, never asserted.
 *
 * @module
 */

const SCRIPT = new URL("./bench_islands.py", import.meta.url).pathname;

/** Runs the Python benchmark and returns its parsed JSON report. */
export async function runIslandsBench(args: string[] = []): Promise<Record<string, unknown>> {
  const python = Deno.env.get("ENVKNIT_TEST_PYTHON") ?? "python3";
  const { code, stdout, stderr } = await new Deno.Command(python, {
    args: [SCRIPT, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  if (code !== 0) throw new Error(`${python} ${SCRIPT} exited with ${code}:\n${err}`);
  return JSON.parse(new TextDecoder().decode(stdout));
}

if (import.meta.main) {
  console.log(JSON.stringify(await runIslandsBench(Deno.args), null, 2));
}
