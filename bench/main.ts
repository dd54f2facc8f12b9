/**
 * `deno task bench`: every benchmark, one after the other, each in its own process (so one's
 * caches and memory do not colour the next), with its output as it comes.
 *
 *   deno task bench                      resolver, runtime, islands, run, lock, install, crc32
 *   deno task bench lock install         only those
 *   deno task bench lock -- --rounds 3   arguments after `--` go to each selected benchmark
 *
 * The lock and install benchmarks run beside pip on real wheels from the local mirror
 * (/opt/pypi) and say so and skip when it is absent; resolver, runtime, islands, run (`envknit
 * run -- python -c pass` beside bare python at 10, 100 and 300 packages) and crc32 need nothing.
 * Benchmarks print numbers and ratios; they are not tests and never fail on a target.
 *
 * @module
 */

const BENCHES: Record<string, string> = {
  resolver: "resolver/main.ts",
  runtime: "runtime/main.ts",
  islands: "islands/main.ts",
  run: "run/main.ts",
  lock: "lock/main.ts",
  install: "install/main.ts",
  crc32: "crc32/main.ts",
};

const dash = Deno.args.indexOf("--");
const names = dash === -1 ? Deno.args : Deno.args.slice(0, dash);
const extra = dash === -1 ? [] : Deno.args.slice(dash + 1);
const unknown = names.filter((n) => !(n in BENCHES));
if (unknown.length) {
  console.error(
    `error: unknown benchmark ${unknown.join(", ")}; choose from ${
      Object.keys(BENCHES).join(", ")
    }`,
  );
  Deno.exit(2);
}

let failed = 0;
for (const name of names.length ? names : Object.keys(BENCHES)) {
  console.log(`\n=== bench/${name} ===`);
  const script = new URL(BENCHES[name], import.meta.url).pathname;
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...extra],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) {
    console.error(`bench/${name} exited with ${code}`);
    failed++;
  }
}
Deno.exit(failed ? 1 : 0);
