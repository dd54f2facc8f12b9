/**
 * `envknit lock`: resolve every environment of envknit.yaml and write envknit.lock.yaml.
 *
 * @module
 */
import type { Command } from "../command.ts";
import { globalLockOptions } from "../lock_options.ts";
import { Progress } from "../progress.ts";
import { describeTargets, type LockProgress, lockProject } from "../../ops/lock/lock_project.ts";
import { LOCK_FILENAME } from "../../project/lock.ts";
import { UsageError } from "../../core/errors.ts";
import { recordProject } from "../../store/projects.ts";

const PRERELEASE = ["if-necessary-or-explicit", "allow", "disallow"] as const; // as envknit.yaml's

function prereleaseOption(value: string | undefined): (typeof PRERELEASE)[number] | undefined {
  if (value === undefined) return undefined;
  const found = PRERELEASE.find((p) => p === value);
  if (!found) {
    throw new UsageError(`--prerelease must be one of ${PRERELEASE.join(", ")}, not '${value}'`);
  }
  return found;
}

/** `envknit lock`. */
export const command: Command = {
  name: "lock",
  summary: "resolve envknit.yaml and write envknit.lock.yaml",
  usage: "[--env NAME] [--update PKG]... [--upgrade] [--dry-run] [--refresh] " +
    "[--python-version X.Y --platform TAG] [--any-wheel] [--no-binary PKG]... " +
    "[--prerelease WHEN] [--trusted-host HOST]...",
  options: [
    { name: "env", kind: "string", value: "NAME", description: "lock only this environment" },
    {
      name: "update",
      kind: "list",
      value: "PKG",
      description: "let this package move to its newest allowed version (repeatable)",
    },
    {
      name: "upgrade",
      kind: "boolean",
      description: "ignore the versions of the existing lock",
    },
    { name: "dry-run", kind: "boolean", description: "print the lock instead of writing it" },
    {
      name: "refresh",
      kind: "boolean",
      description: "revalidate every cached index page, even ones the index says are fresh",
    },
    {
      name: "python-version",
      kind: "string",
      value: "X.Y",
      description:
        "lock for this Python version without running it (with --platform; one target, instead " +
        "of envknit.yaml's targets)",
    },
    {
      name: "platform",
      kind: "string",
      value: "TAG",
      description: "lock for this platform, e.g. manylinux_2_28_x86_64 or macosx_14_0_arm64",
    },
    {
      name: "any-wheel",
      kind: "boolean",
      description: "accept versions with a wheel for any platform (envknit.yaml: any_wheel)",
    },
    {
      name: "no-binary",
      kind: "list",
      value: "PKG",
      description:
        "never use this package's wheels (:all: for all; replaces envknit.yaml's no_binary)",
    },
    {
      name: "prerelease",
      kind: "string",
      value: "WHEN",
      description:
        "pre-releases: if-necessary-or-explicit (default), allow or disallow (envknit.yaml: " +
        "prerelease)",
    },
    {
      name: "trusted-host",
      kind: "list",
      value: "HOST",
      description: "allow plain http to this host (repeatable)",
    },
  ],
  async run(ctx) {
    const o = ctx.args.options;
    const progress = new Progress({ enabled: ctx.out.interactive && !ctx.out.quiet });
    const show = (p: LockProgress) =>
      progress.update(
        `resolving ${p.env}: ${p.projects} projects, ${p.metadata} metadata, ` +
          `${p.inFlight} requests in flight`,
      );
    let result;
    try {
      result = await lockProject({
        cwd: ctx.cwd,
        env: o.env as string | undefined,
        dryRun: o["dry-run"] === true,
        update: o.update as string[] | undefined,
        upgrade: o.upgrade === true,
        ...globalLockOptions(ctx),
        refresh: o.refresh === true,
        pythonVersion: o["python-version"] as string | undefined,
        platform: o.platform as string | undefined,
        trustedHosts: o["trusted-host"] as string[] | undefined,
        prereleases: prereleaseOption(o.prerelease as string | undefined),
        // Absent flags leave envknit.yaml's settings in force.
        anyWheel: o["any-wheel"] === true ? true : undefined,
        noBinary: o["no-binary"] as string[] | undefined,
        onProgress: show,
        onWarning: (m) => {
          progress.done();
          ctx.out.warn(m);
        },
        onNote: (m) => {
          if (!ctx.out.verbose) return;
          progress.done();
          ctx.out.warn(m);
        },
      });
    } finally {
      progress.done();
    }
    if (!o["dry-run"]) await recordProject(result.lockPath, { env: ctx.env }); // for store gc
    const count = Object.values(result.lock.environments).reduce((n, e) => n + e.length, 0);
    const envCount = Object.keys(result.lock.environments).length;
    const envs = `${envCount} environment${envCount === 1 ? "" : "s"}`;
    const { http, index, seconds, phases } = result.stats;
    ctx.out.debug(
      `timings (ms): ${Object.entries(phases).map(([k, v]) => `${k} ${v}`).join(", ")}`,
    );
    ctx.out.debug(
      `${http.requests} requests (${http.conditional} conditional, ${http.notModified} not ` +
        `modified, ${http.ranged} ranged, ${http.retries} retries), pages: ${index.pagesFetched} ` +
        `fetched, ${index.pagesNotModified} revalidated; metadata: ` +
        Object.entries(index.metadata).map(([k, v]) => `${v} ${k}`).join(", "),
    );
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify(
        {
          lock: result.lockPath,
          written: result.written,
          dryRun: o["dry-run"] === true,
          ...(result.lock.targets
            ? { targets: result.lock.targets }
            : { target: result.lock.target }),
          environments: Object.fromEntries(
            Object.entries(result.lock.environments).map(([env, pkgs]) => [
              env,
              pkgs.map((p) => ({
                name: p.name,
                version: p.version,
                ...(p.marker ? { marker: p.marker } : {}),
                ...(p.dev ? { dev: true } : {}),
                ...(p.island ? { island: p.island } : {}),
                ...(p.perIsland ? { per_island: true } : {}),
              })),
            ]),
          ),
          ...(result.lock.islands ? { islands: result.lock.islands } : {}),
          requests: http.requests,
          seconds: Number(seconds.toFixed(3)),
        },
        null,
        2,
      ));
      return 0;
    }
    if (o["dry-run"]) {
      ctx.out.print(result.text);
      ctx.out.info(`resolved ${count} packages in ${envs} (dry run: nothing written)`);
      return 0;
    }
    for (const [env, islands] of Object.entries(result.lock.islands ?? {})) {
      const split = splitVersions(result.lock.environments[env] ?? []);
      ctx.out.info(
        `environment ${env}: ${islands.length} islands (${
          islands.map((island, i) => `${i}: ${island.roots.join(", ")}`).join("; ")
        }), ${split}`,
      );
    }
    const state = result.written ? "written" : "unchanged";
    ctx.out.info(
      `locked ${count} packages in ${envs} for ${describeTargets(result.lock)} ` +
        `in ${seconds.toFixed(2)}s: ${LOCK_FILENAME} ${state}`,
    );
    return 0;
  },
};

/** `tabular 1.4.0 and 2.1.0`: the packages of an environment with several versions. */
function splitVersions(packages: { name: string; version: string; island?: number[] }[]): string {
  const versions = new Map<string, string[]>();
  for (const p of packages) {
    if (!p.island) continue;
    versions.set(p.name, [...(versions.get(p.name) ?? []), p.version]);
  }
  const split = [...versions].filter(([, v]) => v.length > 1);
  return split.length
    ? `several versions of ${split.map(([n, v]) => `${n} ${v.join(" and ")}`).join(", ")}`
    : "one version of each package";
}
