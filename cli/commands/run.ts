/**
 * `envknit run -- CMD [ARGS…]`: run a command with an environment's packages importable
 * (`PYTHONPATH`), its scripts on `PATH`, and the runtime configured (`ENVKNIT_*`).
 *
 * The command inherits stdin, stdout and stderr; its exit status is ours (128 + N when a signal
 * N ended it). Signals sent to envknit are passed on to it. Interrupts typed at a terminal
 * (Ctrl-C, Ctrl-\) already reach the whole foreground process group, the command included, so
 * they are passed on only when stdin is not a terminal (someone ran `kill -INT` on envknit).
 * `python`/`python3` as the command means the interpreter chosen for the environment.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { LOCK_OPTIONS, lockPath } from "../lock_options.ts";
import { EnvknitError, UsageError } from "../../project/errors.ts";
import { prepareRun } from "../../store/activate.ts";

const FORWARDED: Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGINT", "SIGQUIT"];
const TERMINAL_SIGNALS = new Set<Deno.Signal>(["SIGINT", "SIGQUIT"]);

export const command: Command = {
  name: "run",
  summary: "run a command with an environment's packages",
  usage: "[--env NAME] [--no-dev] [--lock FILE] -- COMMAND [ARGS...]",
  options: [...LOCK_OPTIONS],
  async run(ctx) {
    const argv = ctx.args.passthrough ?? ctx.args.positionals;
    if (argv === undefined || argv.length === 0) {
      throw new UsageError("no command to run", {
        hints: ["envknit run -- python script.py"],
      });
    }
    if (ctx.args.passthrough && ctx.args.positionals.length) {
      throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}' before --`);
    }
    const envs = (ctx.args.options.env as string[] | undefined) ?? [];
    if (envs.length > 1) throw new UsageError("envknit run takes one --env");
    const lock = lockPath(ctx);
    const prepared = await prepareRun({
      lockPath: lock,
      environment: envs[0],
      dev: !ctx.args.options["no-dev"],
      python: ctx.global.python,
      env: ctx.env,
    });
    let program = argv[0];
    if ((program === "python" || program === "python3") && prepared.python) {
      program = prepared.python;
    }
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(program, {
        args: argv.slice(1),
        cwd: ctx.cwd,
        env: { ...ctx.env, ...prepared.vars },
        clearEnv: true,
        stdin: "inherit",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new EnvknitError(`command not found: ${argv[0]}`, {
          hints: [`is it a script of a package of environment ${prepared.environment}?`],
        });
      }
      throw new EnvknitError(
        `cannot run ${argv[0]}: ${error instanceof Error ? error.message : error}`,
      );
    }
    const fromTerminal = Deno.stdin.isTerminal();
    const listeners: [Deno.Signal, () => void][] = FORWARDED.map((signal) => [signal, () => {
      if (fromTerminal && TERMINAL_SIGNALS.has(signal)) return;
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }]);
    for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
    try {
      const status = await child.status;
      return status.code;
    } finally {
      for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    }
  },
};
