/**
 * Start-up of `envknit run` by environment size (issue #15.2): environments of 10, 100 and 300
 * small packages (one module and its dist-info each, built here and served by the loopback index)
 * are locked and installed into one store; then, interleaved, with an empty environment:
 *
 * - `python -c pass`: the bare interpreter;
 * - `<view>/bin/python -c pass`: the environment's view started directly (`envknit env python`);
 * - `envknit run -- python -c pass`, as a user runs it (`deno run` of the CLI);
 * - `envknit --version`: Deno's and the CLI's own start-up, for reference.
 *
 * Targets: `envknit run` adds under 35 ms to bare python at 100 packages, and 300 packages cost
 * within 5 ms of 10. `python3 bench/run/bench_run.py` times the views alone in more detail.
 *
 *   deno run -A bench/run/main.ts [--rounds N]
 *
 * Prints medians (and minimums); never fails on a target.
 *
 * @module
 */
import { startIndex } from "../../tests/support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../../tests/support/wheel_factory.ts";
import { PYTHON } from "../../tests/support/python.ts";
import { MAIN, RUN_FLAGS } from "../../tests/support/cli.ts";
import { writeTestLock } from "../../tests/e2e/install_support.ts";
import { median, option, timeCommand } from "../support.ts";

const SIZES = [10, 100, 300];

const ROUNDS = option("rounds", 15);

async function main() {
  const work = await Deno.realPath(await Deno.makeTempDir({ prefix: "envknit-bench-run-" }));
  try {
    const wheels: BuiltWheel[] = [];
    for (let i = 0; i < Math.max(...SIZES); i++) {
      const name = `benchpkg${String(i).padStart(3, "0")}`;
      wheels.push(
        await buildWheel({
          name,
          version: "1.0",
          files: { [`${name}/__init__.py`]: "X = 1\n", [`${name}/util.py`]: "" },
        }),
      );
    }
    await using index = await startIndex({
      projects: Object.fromEntries(wheels.map((w) => [w.name, [w]])),
    });
    const home = `${work}/home`;
    const base = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? work,
    };
    const env = {
      ...base,
      ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
      ENVKNIT_HOME: home,
      ENVKNIT_PYTHON: PYTHON,
      NO_COLOR: "1",
    };
    const cli = (...args: string[]) => ["run", "-A", ...RUN_FLAGS, "--no-lock", MAIN, ...args];
    const deno = Deno.execPath();
    const projects: Record<number, { dir: string; view: string }> = {};
    for (const size of SIZES) {
      const dir = `${work}/p${size}`;
      await Deno.mkdir(dir);
      await writeTestLock(
        `${dir}/envknit.lock.yaml`,
        { default: wheels.slice(0, size).map((w) => ({ wheels: [w] })) },
        index,
      );
      await timeCommand(deno, cli("install"), env, dir);
      const view = (await timeCommand(deno, cli("env", "python"), env, dir)).stdout.trim();
      await timeCommand(deno, cli("run", "--", "python", "-c", "pass"), env, dir); // warm the plan
      projects[size] = { dir, view };
    }

    const results: Record<string, number[]> = {};
    const add = (label: string, ms: number) => (results[label] ??= []).push(ms);
    for (let round = 0; round < ROUNDS; round++) {
      add("python -c pass", (await timeCommand(PYTHON, ["-c", "pass"], base, work)).ms);
      add("envknit --version", (await timeCommand(deno, cli("--version"), env, work)).ms);
      for (const size of SIZES) {
        const { dir, view } = projects[size];
        add(`view ${size}`, (await timeCommand(view, ["-c", "pass"], base, dir)).ms);
        add(
          `run ${size}`,
          (await timeCommand(deno, cli("run", "--", "python", "-c", "pass"), env, dir)).ms,
        );
      }
    }

    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const check = (ok: boolean) => (ok ? "ok" : "MISSED");
    const row = (label: string, values: number[], note = "") =>
      console.log(
        `${label.padEnd(46)}${ms(median(values)).padStart(9)}  (min ${ms(Math.min(...values))})${
          note ? `   ${note}` : ""
        }`,
      );
    const bare = median(results["python -c pass"]);
    console.log(`${ROUNDS} rounds, medians; python: ${PYTHON}\n`);
    row("python -c pass", results["python -c pass"]);
    row("envknit --version (Deno + CLI start-up)", results["envknit --version"]);
    for (const size of SIZES) {
      row(`<view>/bin/python -c pass, ${size} packages`, results[`view ${size}`]);
    }
    for (const size of SIZES) {
      const added = median(results[`run ${size}`]) - bare;
      row(
        `envknit run -- python -c pass, ${size} packages`,
        results[`run ${size}`],
        `adds ${ms(added)}` + (size === 100 ? `; target < 35 ms: ${check(added < 35)}` : ""),
      );
    }
    const spread = median(results["run 300"]) - median(results["run 10"]);
    const minSpread = Math.min(...results["run 300"]) - Math.min(...results["run 10"]);
    const sign = (x: number) => `${x >= 0 ? "+" : ""}${ms(x)}`;
    console.log(
      `\n300 packages vs 10, envknit run: ${sign(spread)} (medians), ${
        sign(minSpread)
      } (minimums); ` +
        `view alone: ${sign(median(results["view 300"]) - median(results["view 10"]))}; ` +
        `target within 5 ms: ${check(Math.abs(spread) < 5)} (minimums: ${
          check(Math.abs(minSpread) < 5)
        })`,
    );
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
