/**
 * Runtime benchmark (`deno run -A bench/runtime/main.ts [--quick]`): runs
 * `bench/runtime/bench_runtime.py` with `python3` (or `$ENVKNIT_TEST_PYTHON`) and prints the JSON
 * it writes:
 *
 * - `use_enter_exit`: a `with envknit.use(...)` block on a warm environment (target < 10 µs);
 * - `import_in_use`: a 50-module package imported inside `use()` against a plain import
 *   (target ratio < 1.3);
 * - `worker_round_trip`: one call to a `worker()` process and back (target < 100 µs).
 *
 * Each section has `ok` beside its target. The numbers are printed, never asserted.
 *
 * @module
 */

const SCRIPT = new URL("./bench_runtime.py", import.meta.url).pathname;

/** Runs the Python benchmark and returns its parsed JSON report. */
export async function runRuntimeBench(args: string[] = []): Promise<Record<string, unknown>> {
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
  console.log(JSON.stringify(await runRuntimeBench(Deno.args), null, 2));
}
