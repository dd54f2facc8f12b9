/**
 * `deno task test`: every test suite of the project, then one line `N passed, N failed`.
 *
 *   deno task test                 Deno tests, the resolver's Rust tests, the runtime's pytest suite
 *   deno task test deno pytest     only the named suites (deno, cargo, pytest)
 *   deno task test -- <args>       extra arguments for `deno test` (e.g. a file or --filter)
 *
 * Each suite writes a JUnit report that is counted here, so the totals cover all three. The exit
 * code is 1 when any test failed or a suite could not run.
 *
 * @module
 */

const root = new URL("..", import.meta.url).pathname;

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts the test cases of a JUnit XML report (the format `deno test` and pytest both write). */
export function countJunit(xml: string): Counts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const m of xml.matchAll(/<testcase\b[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[1] ?? "";
    if (/<(failure|error)\b/.test(body)) counts.failed++;
    else if (/<skipped\b/.test(body)) counts.skipped++;
    else counts.passed++;
  }
  return counts;
}

/** Counts `cargo test` output: the sum of its `test result:` lines. */
export function countCargo(output: string): Counts {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (
    const m of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/g)
  ) {
    counts.passed += Number(m[1]);
    counts.failed += Number(m[2]);
    counts.skipped += Number(m[3]);
  }
  return counts;
}

async function run(cmd: string[], env: Record<string, string> = {}, capture = false) {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: root,
    env,
    stdout: capture ? "piped" : "inherit",
    stderr: "inherit",
  }).spawn();
  if (!capture) return { code: (await child.status).code, text: "" };
  const { code, stdout } = await child.output();
  await Deno.stdout.write(stdout);
  return { code, text: new TextDecoder().decode(stdout) };
}

async function suiteDeno(extra: string[], tmp: string): Promise<Counts> {
  const report = `${tmp}/deno.xml`;
  const { code } = await run([
    "deno",
    "test",
    "-A",
    "--parallel",
    `--junit-path=${report}`,
    ...extra,
  ]);
  const counts = await Deno.readTextFile(report).then(
    countJunit,
    () => ({ passed: 0, failed: 0, skipped: 0 }),
  );
  if (code !== 0 && counts.failed === 0) counts.failed = 1; // a module that did not even load
  return counts;
}

async function suiteCargo(): Promise<Counts> {
  const cargo = "/usr/bin/cargo";
  try {
    await Deno.stat(cargo);
  } catch {
    console.error(
      "error: Debian's cargo is missing: apt-get install -y rustc cargo libstd-rust-dev-wasm32",
    );
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const { code, text } = await run(
    [cargo, "test", "--quiet", "--release", "--manifest-path", "resolver/wasm/Cargo.toml"],
    { RUSTC: "/usr/bin/rustc", CARGO_TARGET_DIR: `${root}resolver/wasm/target` },
    true,
  );
  const counts = countCargo(text);
  if (code !== 0 && counts.failed === 0) counts.failed = 1; // did not compile
  return counts;
}

/**
 * pytest's arguments: quiet, but `-rs` lists each skipped test with its reason, as the summary
 * line ("each says why above") promises.
 */
export function pytestArgs(report: string): string[] {
  return ["-m", "pytest", "-q", "-rs", "runtime_py/tests", `--junitxml=${report}`];
}

async function suitePytest(tmp: string): Promise<Counts> {
  const report = `${tmp}/pytest.xml`;
  const python = Deno.env.get("ENVKNIT_TEST_PYTHON") ?? "python3";
  const { code } = await run([python, ...pytestArgs(report)], {
    PYTHONDONTWRITEBYTECODE: "1",
  });
  const counts = await Deno.readTextFile(report).then(
    countJunit,
    () => ({ passed: 0, failed: 0, skipped: 0 }),
  );
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

if (import.meta.main) {
  const dash = Deno.args.indexOf("--");
  const names = dash === -1 ? Deno.args : Deno.args.slice(0, dash);
  const extra = dash === -1 ? [] : Deno.args.slice(dash + 1);
  const wanted = new Set(names.length ? names : ["deno", "cargo", "pytest"]);
  const tmp = await Deno.makeTempDir({ prefix: "envknit-test-" });
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const lines: string[] = [];
  const suites: [string, () => Promise<Counts>][] = [
    ["cargo", suiteCargo],
    ["deno", () => suiteDeno(extra, tmp)],
    ["pytest", () => suitePytest(tmp)],
  ];
  for (const [name, suite] of suites) {
    if (!wanted.has(name)) continue;
    const started = performance.now();
    const c = await suite();
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    lines.push(
      `  ${name.padEnd(6)} ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${secs}s)`,
    );
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  await Deno.remove(tmp, { recursive: true });
  console.log(`\nsuites:\n${lines.join("\n")}`);
  if (total.skipped) console.log(`${total.skipped} skipped (each says why above)`);
  console.log(`${total.passed} passed, ${total.failed} failed`);
  Deno.exit(total.failed ? 1 : 0);
}
