/**
 * `envknit diff OLD_LOCK [NEW_LOCK]`: compare two locks per environment. With one file, it is
 * compared with the project's lock. Exits 0 when they are the same and 1 when they differ, like
 * `diff`.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { lockPath } from "../lock_options.ts";
import { UsageError } from "../../core/errors.ts";
import { readLock } from "../../project/lock.ts";
import { describeChanges, diffLocks } from "../../project/lock_diff.ts";

export const command: Command = {
  name: "diff",
  summary: "compare two lock files",
  usage: `OLD_LOCK [NEW_LOCK] [--env NAME]... [--lock FILE]

Compares the packages of each environment of two locks: added (+), removed (-),
upgraded (↑), downgraded (↓), or the same version with other wheels or other
requirements (~); and the hash of the envknit.yaml inputs each lock was made from.
With one file, it is compared with the project's lock (the one beside envknit.yaml,
or --lock FILE). An old lock from git: git show HEAD:envknit.lock.yaml > old.yaml

Exit status: 0 when the locks are the same, 1 when they differ, 2 on usage errors.`,
  options: [
    { name: "env", kind: "list", value: "NAME", description: "only this environment (repeatable)" },
    {
      name: "lock",
      kind: "string",
      value: "FILE",
      description: "the project's lock, compared with OLD_LOCK (default: beside envknit.yaml)",
    },
  ],
  async run(ctx) {
    const files = ctx.args.positionals;
    if (files.length < 1 || files.length > 2) {
      throw new UsageError("diff takes one or two lock files", {
        hints: ["envknit diff old.lock.yaml  (compared with the project's lock)"],
      });
    }
    const abs = (p: string) => (p.startsWith("/") ? p : `${ctx.cwd.replace(/\/+$/, "")}/${p}`);
    const oldPath = abs(files[0]);
    const newPath = files.length === 2 ? abs(files[1]) : lockPath(ctx);
    const [before, after] = await Promise.all([readLock(oldPath), readLock(newPath)]);
    const envs = ctx.args.options.env as string[] | undefined;
    const known = new Set([
      ...Object.keys(before.environments),
      ...Object.keys(after.environments),
    ]);
    const unknown = (envs ?? []).filter((e) => !known.has(e));
    if (unknown.length) {
      throw new UsageError(`neither lock has the environment ${unknown.join(", ")}`, {
        hints: [`their environments: ${[...known].sort().join(", ") || "(none)"}`],
      });
    }
    const diff = diffLocks(before, after, envs);

    if (ctx.global.json) {
      ctx.out.print(JSON.stringify({ old: oldPath, new: newPath, ...diff }, null, 2));
      return diff.equal ? 0 : 1;
    }
    if (diff.equal) {
      ctx.out.info(`no difference between ${oldPath} and ${newPath}`);
      return 0;
    }
    if (diff.target || diff.targets) {
      const t = (x: { python: string; platform: string }) => `Python ${x.python} on ${x.platform}`;
      // A lock with targets: its list; a lock for one machine: its target.
      const side = (lock: typeof before) =>
        lock.targets?.length ? `[${lock.targets.map(t).join(", ")}]` : t(lock.target);
      ctx.out.print(`target: ${side(before)} → ${side(after)}`);
    }
    if (diff.configHash) {
      const short = (h: string) => h ? h.slice(0, 12) : "(none)";
      ctx.out.print(
        `config_hash: ${short(diff.configHash.from)} → ${short(diff.configHash.to)} ` +
          "(made from other envknit.yaml requirements or index settings)",
      );
    }
    const count = (n: number) => `${n} package${n === 1 ? "" : "s"}`;
    for (const e of diff.removedEnvironments) {
      ctx.out.print(`- environment ${e.name} (${count(e.packages)})`);
    }
    for (const e of diff.addedEnvironments) {
      ctx.out.print(`+ environment ${e.name} (${count(e.packages)})`);
    }
    for (const [env, changes] of Object.entries(diff.environments)) {
      ctx.out.print(`${env}:`);
      for (const line of describeChanges(changes)) ctx.out.print(`  ${line}`);
    }
    return 1;
  },
};
