/**
 * `envknit run -- CMD [ARGS…]`: run a command in an environment's view (`ops/run.ts`): its
 * `bin/` first on `PATH` (`python` and the packages' scripts run the view's interpreter, which
 * sees the standard library, the locked packages and the runtime, nothing else), `VIRTUAL_ENV`
 * set, the runtime configured (`ENVKNIT_*`), `PYTHONPATH` left as the caller has it.
 *
 * When envknit.yaml changed since the lock, the project is locked first and what is missing
 * installed (`--locked`: an error instead; `--frozen`: the lock as it is). While the command runs,
 * a lease in the store keeps `store gc` from removing what it uses.
 *
 * The command inherits stdin, stdout and stderr; its exit status is ours, whatever signals envknit
 * received (128 + N only when a signal N ended the command). Signals sent to envknit are passed on
 * to it, once: interrupts typed at a terminal (Ctrl-C, Ctrl-\) already reach the whole foreground
 * process group, the command included, so they are not passed on while envknit is in the
 * terminal's foreground group; other signals are passed on after a short grace, unless the command
 * ended by then (a signal sent to the whole process group reached it already, and a second one
 * could kill it in the middle of its own handling of the first, turning its exit status into a
 * death by signal). A command named without a `/` that the view's `bin/` holds (`python`,
 * `python3`, `pythonX.Y`, a script of a package) is that file.
 *
 * One environment's packages are importable (`--env`, once): two environments may lock two
 * versions of one package, which one site-packages cannot hold; the runtime reaches the other
 * environments' versions with `envknit.use()`.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { LOCK_OPTIONS, lockPath } from "../lock_options.ts";
import { FOLLOW_OPTIONS, prepareFollowingLock } from "../follow_lock.ts";
import { EnvknitError, UsageError } from "../../core/errors.ts";
import type { RunEnvironment } from "../../ops/run.ts";

const FORWARDED: Deno.Signal[] = ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGINT", "SIGQUIT"];
const TERMINAL_SIGNALS = new Set<Deno.Signal>(["SIGINT", "SIGQUIT"]);
/** How long a signal waits before it is passed on (see the module docs). */
const FORWARD_GRACE_MS = 300;

/**
 * Whether envknit is in the foreground process group of its controlling terminal, where the
 * terminal's interrupts reach every process of the group. Read when a signal comes, not at start.
 */
function inTerminalForeground(): boolean {
  try {
    // Fields after the command name: state ppid pgrp session tty_nr tpgid …
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const pgrp = Number(fields[2]);
    const tpgid = Number(fields[5]);
    return tpgid > 0 && tpgid === pgrp;
  } catch {
    // No /proc (not Linux): a terminal on any of the standard streams is the best guess.
    return Deno.stdin.isTerminal() || Deno.stdout.isTerminal() || Deno.stderr.isTerminal();
  }
}

export const command: Command = {
  name: "run",
  summary: "run a command with an environment's packages",
  usage: "[--env NAME] [--no-dev] [--lock FILE] [--locked | --frozen] -- COMMAND [ARGS...]",
  options: [
    {
      name: "env",
      // A list, so that a second --env is an error rather than silently replacing the first.
      kind: "list",
      value: "NAME",
      description: "the environment whose packages are importable (one; default: 'default', " +
        "or the lock's only one)",
    },
    ...LOCK_OPTIONS.filter((o) => o.name !== "env"),
    ...FOLLOW_OPTIONS,
  ],
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
    if (envs.length > 1) {
      throw new UsageError(`envknit run takes one --env, got ${envs.length}: ${envs.join(", ")}`, {
        hints: [
          "one environment's packages are importable; Python code reaches the versions of the " +
          "others with envknit.use(name, version)",
        ],
      });
    }
    const prepared = await prepareFollowingLock(ctx, {
      lockPath: lockPath(ctx),
      environment: envs[0],
      dev: !ctx.args.options["no-dev"],
      python: ctx.global.python,
      env: ctx.env,
      lease: true,
    });
    try {
      return await runIn(prepared, argv, ctx.cwd, ctx.env);
    } finally {
      prepared.lease?.release();
    }
  },
};

/** A command named without a `/` that the view's `bin/` holds is that file. */
function programIn(view: string, program: string): string {
  if (program.includes("/")) return program;
  try {
    if (Deno.statSync(`${view}/bin/${program}`).isFile) return `${view}/bin/${program}`;
  } catch {
    // not a command of the environment: PATH finds it
  }
  return program;
}

/** Runs the command in the prepared environment; its exit status (see the module docs). */
async function runIn(
  prepared: RunEnvironment,
  argv: string[],
  cwd: string,
  callerEnv: Record<string, string>,
): Promise<number> {
  const program = programIn(prepared.view, argv[0]);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args: argv.slice(1),
      cwd,
      env: { ...callerEnv, ...prepared.vars },
      clearEnv: true,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    prepared.lease?.add(child.pid);
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
  let ended = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const listeners: [Deno.Signal, () => void][] = FORWARDED.map((signal) => [signal, () => {
    if (TERMINAL_SIGNALS.has(signal) && inTerminalForeground()) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (ended) return;
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }, FORWARD_GRACE_MS);
    timers.add(timer);
  }]);
  for (const [signal, listener] of listeners) Deno.addSignalListener(signal, listener);
  try {
    // The command's own exit code; Deno reports a death by signal N as 128 + N.
    const status = await child.status;
    return status.code;
  } finally {
    ended = true;
    for (const timer of timers) clearTimeout(timer);
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  }
}
