/**
 * `envknit export`: write one environment of the lock in a format other tools install from:
 * a pip requirements file in hash-checking mode, or a PEP 751 `pylock.toml`.
 *
 * @module
 */
import type { Command } from "../command.ts";
import type { CompletionHints } from "./completions.ts";
import { lockPath } from "../lock_options.ts";
import { writeFileAtomicSync } from "../../core/atomic_write.ts";
import { EnvknitError, UsageError } from "../../core/errors.ts";
import { readLock } from "../../project/lock.ts";
import { exportPylock, PYLOCK_NAME } from "../../project/export/pylock.ts";
import { exportRequirements } from "../../project/export/requirements.ts";
import { buildGraph } from "../../project/graph.ts";
import { defaultEnvironment } from "../../ops/run.ts";

const FORMATS = ["requirements", "pylock"];

/** Completion facts of this command. */
export const completion: CompletionHints = { values: { format: FORMATS } };

export const command: Command = {
  name: "export",
  summary: "export requirements.txt or pylock.toml",
  usage: `[--env NAME] [--format requirements|pylock] [--no-dev] [-o FILE] [--lock FILE]

requirements: a pip requirements file with == pins and --hash=sha256: for every
  locked wheel (pip install --require-hashes -r FILE installs exactly those files).
pylock: a PEP 751 lock file (lock-version 1.0) of the environment.
Without --format, an output file named pylock.toml or pylock.NAME.toml is pylock.`,
  options: [
    {
      name: "env",
      kind: "string",
      value: "NAME",
      description: "the environment (default: 'default', or the only one)",
    },
    {
      name: "format",
      kind: "string",
      value: "FORMAT",
      description: "requirements (the default) or pylock",
    },
    { name: "no-dev", kind: "boolean", description: "leave out what only dev_packages need" },
    {
      name: "output",
      short: "o",
      kind: "string",
      value: "FILE",
      description: "write to FILE instead of standard output",
    },
    {
      name: "lock",
      kind: "string",
      value: "FILE",
      description: "the lock file (default: beside envknit.yaml)",
    },
  ],
  async run(ctx) {
    if (ctx.args.positionals.length) {
      throw new UsageError(`unexpected argument '${ctx.args.positionals[0]}'`, {
        hints: ["name the output file with -o FILE"],
      });
    }
    const output = ctx.args.options.output as string | undefined;
    const outputName = output?.split("/").pop() ?? "";
    let format = ctx.args.options.format as string | undefined;
    format ??= PYLOCK_NAME.test(outputName) ? "pylock" : "requirements";
    if (!FORMATS.includes(format)) {
      throw new UsageError(`unknown export format '${format}'`, {
        hints: [`use one of: ${FORMATS.join(", ")}`],
      });
    }
    const path = lockPath(ctx);
    const lock = await readLock(path);
    const env = (ctx.args.options.env as string | undefined) ??
      defaultEnvironment(Object.keys(lock.environments));
    const dev = !ctx.args.options["no-dev"];
    const source = path.split("/").pop();
    const islands = lock.islands?.[env];
    if (islands?.length) {
      // requirements.txt and pylock.toml give one version per package to one installation.
      const split = [
        ...new Set(
          (lock.environments[env] ?? []).filter((p) =>
            lock.environments[env].filter((q) => q.name === p.name).length > 1
          ).map((p) => p.name),
        ),
      ];
      throw new EnvknitError(
        `environment '${env}' has ${islands.length} islands (several versions of ${
          split.join(", ") || "a package"
        } in one process), which ${format === "pylock" ? "pylock.toml" : "requirements.txt"} ` +
          "cannot express: one installation holds one version of each package",
        {
          hints: [
            "use the lock itself with 'envknit install' and 'envknit run', or export an " +
            "environment without allow_multiple",
          ],
        },
      );
    }

    let text: string;
    if (format === "requirements") {
      text = exportRequirements(lock, { env, dev, source });
    } else {
      if (output !== undefined && !PYLOCK_NAME.test(outputName)) {
        ctx.out.warn(
          `PEP 751 names lock files pylock.toml or pylock.<name>.toml, not '${outputName}'`,
        );
      }
      const packages = lock.environments[env] ?? [];
      const graph = buildGraph(packages, null);
      const dependencies = new Map(
        [...graph.dependencies].map(([name, edges]) => [name, edges.map((e) => e.name)]),
      );
      text = exportPylock(lock, { env, dev, dependencies });
    }

    if (output === undefined) {
      ctx.out.print(text);
      return 0;
    }
    const target = output.startsWith("/") ? output : `${ctx.cwd.replace(/\/+$/, "")}/${output}`;
    writeFileAtomicSync(target, text);
    ctx.out.info(`wrote environment '${env}' of ${source} to ${target} (${format})`);
    return 0;
  },
};
