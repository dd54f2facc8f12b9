/**
 * `envknit init`: create envknit.yaml in the current folder.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { CONFIG_FILENAME, initialConfigText } from "../../project/config.ts";
import { EnvknitError } from "../../core/errors.ts";

export const command: Command = {
  name: "init",
  summary: "create envknit.yaml in the current folder",
  usage: "[--python-version X.Y] [--force]",
  options: [
    {
      name: "python-version",
      kind: "string",
      value: "X.Y",
      description: "the default environment's target Python",
    },
    { name: "force", kind: "boolean", description: "replace an existing envknit.yaml" },
  ],
  async run(ctx) {
    const path = `${ctx.cwd}/${CONFIG_FILENAME}`;
    const pythonVersion = ctx.args.options["python-version"] as string | undefined;
    if (pythonVersion !== undefined && !/^\d+\.\d+$/.test(pythonVersion)) {
      throw new EnvknitError(`--python-version must look like 3.11, got '${pythonVersion}'`, {
        exitCode: 2,
      });
    }
    const text = initialConfigText({ pythonVersion, indexUrl: ctx.global.indexUrl });
    try {
      await Deno.writeTextFile(path, text, { createNew: !ctx.args.options.force });
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) {
        throw new EnvknitError(`${path} already exists`, { hints: ["use --force to replace it"] });
      }
      throw new EnvknitError(
        `cannot write ${path}: ${error instanceof Error ? error.message : error}`,
      );
    }
    ctx.out.info(`created ${path}`);
    ctx.out.info("next: 'envknit add <package>', then 'envknit lock' and 'envknit install'");
  },
};
