/**
 * `envknit doctor`: checks what envknit needs, one line each — Deno, the target Python, the
 * store, the runtime in the store, envknit.yaml, the lock, and the installed packages — with a
 * hint for every problem. Exits 1 when a check fails (warnings do not fail).
 *
 * @module
 */
import type { Command, CommandContext } from "../command.ts";
import { lockPath } from "../lock_options.ts";
import {
  CONFIG_FILENAME,
  configHash,
  findConfig,
  loadConfig,
  type ProjectConfig,
} from "../../project/config.ts";
import { EnvknitError } from "../../core/errors.ts";
import { type Lockfile, readLock } from "../../project/lock.ts";
import { envknitHome } from "../../store/home.ts";
import { StoreLayout } from "../../store/layout.ts";
import { runtimeIsCurrent } from "../../store/runtime.ts";
import { describeInterpreter } from "../../store/tags/compat.ts";
import { parseRequirement } from "../../resolver/mod.ts";
import { findEnvironmentPython, InstallTarget } from "../../ops/interpreter.ts";
import { installedState } from "../../ops/status.ts";

/** The oldest Python the runtime supports (DESIGN.md: Python >= 3.10). */
const MIN_PYTHON: [number, number] = [3, 10];
/** The oldest Deno envknit is built for. */
const MIN_DENO_MAJOR = 2;

/** The result of one check. */
export interface CheckResult {
  check: string;
  status: "ok" | "warning" | "problem";
  detail: string;
  hint?: string;
}

const ok = (check: string, detail: string): CheckResult => ({ check, status: "ok", detail });
const warning = (check: string, detail: string, hint?: string): CheckResult => ({
  check,
  status: "warning",
  detail,
  ...(hint ? { hint } : {}),
});
const problem = (check: string, detail: string, hint?: string): CheckResult => ({
  check,
  status: "problem",
  detail,
  ...(hint ? { hint } : {}),
});

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function hintOf(error: unknown): string | undefined {
  return error instanceof EnvknitError ? error.hints[0] : undefined;
}

function checkDeno(): CheckResult {
  const version = Deno.version.deno;
  const major = Number(version.split(".")[0]);
  return major >= MIN_DENO_MAJOR ? ok("deno", `Deno ${version}`) : problem(
    "deno",
    `Deno ${version} is too old`,
    `envknit needs Deno ${MIN_DENO_MAJOR} or newer`,
  );
}

/** The target Python of each distinct python_version (or the default one). */
async function checkPythons(ctx: CommandContext, config: ProjectConfig | null, cache: string) {
  const requests = new Map<string, string[]>(); // python_version ("" = none) -> environments
  for (const env of Object.values(config?.environments ?? {})) {
    const key = env.pythonVersion ?? "";
    requests.set(key, [...(requests.get(key) ?? []), env.name]);
  }
  if (requests.size === 0) requests.set("", []);
  const results: CheckResult[] = [];
  for (const [version, envs] of requests) {
    const label = envs.length ? `python (${envs.join(", ")})` : "python";
    try {
      // ctx.global.python is --python or else ENVKNIT_PYTHON: name the source the user set.
      const flag = ctx.global.python !== ctx.env.ENVKNIT_PYTHON ? ctx.global.python : null;
      const { python, source, interpreter: interp } = await findEnvironmentPython(
        { python: flag ?? null, pythonVersion: version || null },
        { env: ctx.env, cacheDir: cache },
      );
      const [major, minor] = interp.pythonVersionInfo;
      const detail = `${python} (${describeInterpreter(interp)}; from ${source})`;
      if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
        results.push(problem(
          label,
          `${detail}: the envknit runtime needs Python ${MIN_PYTHON.join(".")} or newer`,
          "choose another interpreter with --python, ENVKNIT_PYTHON or python_version",
        ));
      } else {
        results.push(ok(label, detail));
      }
    } catch (error) {
      results.push(problem(
        label,
        message(error),
        hintOf(error) ?? "install Python, or name one with --python or ENVKNIT_PYTHON",
      ));
    }
  }
  return results;
}

async function checkStore(ctx: CommandContext): Promise<[CheckResult, StoreLayout | null]> {
  let root: string;
  try {
    root = envknitHome(ctx.env);
  } catch (error) {
    return [problem("store", message(error), hintOf(error)), null];
  }
  const layout = new StoreLayout(root);
  try {
    await Deno.mkdir(root, { recursive: true });
    const probe = `${root}/.envknit-doctor-${crypto.randomUUID().slice(0, 8)}`;
    await Deno.writeTextFile(probe, "ok\n", { createNew: true });
    await Deno.remove(probe);
    return [ok("store", `${root} is writable`), layout];
  } catch (error) {
    return [
      problem(
        "store",
        `${root} is not writable: ${message(error)}`,
        "set ENVKNIT_HOME to a folder you can write",
      ),
      null,
    ];
  }
}

function checkRuntime(layout: StoreLayout): CheckResult {
  if (runtimeIsCurrent(layout)) return ok("runtime", `current in ${layout.runtimesDir}`);
  return warning(
    "runtime",
    `not written to ${layout.runtimesDir} yet (or out of date)`,
    "'envknit install' or 'envknit run' writes it",
  );
}

async function checkConfig(
  ctx: CommandContext,
): Promise<[CheckResult, ProjectConfig | null]> {
  const path = await findConfig(ctx.cwd);
  if (!path) {
    return [
      warning(
        "envknit.yaml",
        `none in ${ctx.cwd} or any parent folder`,
        "create one with 'envknit init'",
      ),
      null,
    ];
  }
  let config: ProjectConfig;
  try {
    config = await loadConfig(path);
  } catch (error) {
    return [problem("envknit.yaml", message(error), hintOf(error)), null];
  }
  const bad: string[] = [];
  for (const env of Object.values(config.environments)) {
    for (const r of [...env.packages, ...env.devPackages]) {
      try {
        parseRequirement(r);
      } catch (error) {
        bad.push(`${env.name}: ${JSON.stringify(r)} (${message(error)})`);
      }
    }
  }
  if (bad.length) {
    return [
      problem("envknit.yaml", `invalid requirements: ${bad.join("; ")}`, "fix them in " + path),
      config,
    ];
  }
  const envs = Object.keys(config.environments);
  return [
    ok("envknit.yaml", `${path} (environments: ${envs.join(", ") || "none"})`),
    config,
  ];
}

async function checkLock(
  ctx: CommandContext,
  config: ProjectConfig | null,
): Promise<[CheckResult, Lockfile | null]> {
  let path: string;
  try {
    path = lockPath(ctx);
  } catch (error) {
    return [warning("lock", message(error), "run 'envknit lock'"), null];
  }
  let lock: Lockfile;
  try {
    lock = await readLock(path);
  } catch (error) {
    return [problem("lock", message(error), hintOf(error) ?? "run 'envknit lock'"), null];
  }
  if (config && lock.configHash !== await configHash(config)) {
    return [
      problem(
        "lock",
        `${path} is out of date: ${CONFIG_FILENAME} changed since`,
        "run 'envknit lock'",
      ),
      lock,
    ];
  }
  const count = Object.values(lock.environments).reduce((n, e) => n + e.length, 0);
  return [ok("lock", `${path} is current (${count} packages)`), lock];
}

async function checkInstalled(
  ctx: CommandContext,
  lock: Lockfile,
  layout: StoreLayout,
): Promise<CheckResult> {
  try {
    const target = new InstallTarget(lock.target, {
      python: ctx.global.python,
      env: ctx.env,
      cacheDir: layout.cacheDir,
      targets: lock.targets,
    });
    const { installed, missing } = await installedState(lock, {}, target, layout);
    const total = installed.length + missing.length;
    if (missing.length) {
      const shown = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ", …" : "");
      return problem(
        "installed",
        `${missing.length} of ${total} locked packages are not in the store: ${shown}`,
        "run 'envknit install'",
      );
    }
    return ok(
      "installed",
      total ? `all ${total} locked packages are in the store` : "nothing is locked",
    );
  } catch (error) {
    return problem("installed", message(error), hintOf(error));
  }
}

/** Runs every check in order. */
export async function runChecks(ctx: CommandContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [checkDeno()];
  const [storeResult, layout] = await checkStore(ctx);
  const [configResult, config] = await checkConfig(ctx);
  const cache = layout?.cacheDir ?? null;
  results.push(...await checkPythons(ctx, config, cache ?? ""));
  results.push(storeResult);
  if (layout) results.push(checkRuntime(layout));
  results.push(configResult);
  const [lockResult, lock] = await checkLock(ctx, config);
  results.push(lockResult);
  if (lock && layout) results.push(await checkInstalled(ctx, lock, layout));
  return results;
}

export const command: Command = {
  name: "doctor",
  summary: "check envknit's setup and the project",
  usage: "",
  options: [],
  async run(ctx) {
    const results = await runChecks(ctx);
    if (ctx.global.json) {
      ctx.out.print(JSON.stringify({ checks: results }, null, 2));
    } else {
      const width = Math.max(...results.map((r) => r.check.length));
      for (const r of results) {
        ctx.out.print(`${r.status.padEnd(7)}  ${r.check.padEnd(width)}  ${r.detail}`);
        if (r.hint) ctx.out.print(`${" ".repeat(9 + width + 2)}hint: ${r.hint}`);
      }
    }
    return results.some((r) => r.status === "problem") ? 1 : 0;
  },
};
