/**
 * Helpers of the install/run/verify/fetch/gc end-to-end tests: a temp project with its own store,
 * locks written straight through `project/lock.ts` (independent of `envknit lock`), the CLI run
 * as a subprocess, and snapshots of a store to prove that a failure changed nothing.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { type Lockfile, type LockPackage, writeLock } from "../../project/lock.ts";
import { normalizeName } from "../../core/names.ts";
import type { BuiltWheel } from "../support/wheel_factory.ts";
import type { IndexServer } from "../support/index_server.ts";
import { cleanEnv, type CliResult, runEnvknit } from "../support/cli.ts";
import { PYTHON } from "../support/python.ts";

/** A temp folder with a project folder and a store; removed by `[Symbol.asyncDispose]`. */
export interface TestProject extends AsyncDisposable {
  dir: string;
  project: string;
  home: string;
  lockPath: string;
  /** Environment for the CLI (`ENVKNIT_HOME`, `ENVKNIT_PYTHON`, no colour). */
  env: Record<string, string>;
}

/** Creates a {@link TestProject}. */
export async function makeProject(): Promise<TestProject> {
  const dir = await Deno.makeTempDir({ prefix: "envknit-e2e-" });
  const project = `${dir}/project`;
  const home = `${dir}/home`;
  await Deno.mkdir(project);
  return {
    dir,
    project,
    home,
    lockPath: `${project}/envknit.lock.yaml`,
    env: cleanEnv({ ENVKNIT_HOME: home, ENVKNIT_PYTHON: PYTHON, NO_COLOR: "1" }),
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** A package for {@link writeTestLock}: a wheel (or several builds) and how it is listed. */
export interface LockedWheel {
  wheels: BuiltWheel[];
  dev?: boolean;
  dependencies?: string[];
}

/** The lock package of built wheels served by `index` (or at `file://` URLs under `dir`). */
export function lockPackage(
  entry: LockedWheel,
  url: (wheel: BuiltWheel) => string,
): LockPackage {
  const first = entry.wheels[0];
  return {
    name: normalizeName(first.name),
    version: first.version,
    dependencies: entry.dependencies ?? [],
    ...(entry.dev ? { dev: true } : {}),
    wheels: entry.wheels.map((w) => ({
      file: w.filename,
      url: url(w),
      sha256: w.sha256,
      size: w.size,
    })),
  };
}

/** Writes a lock with the given environments, wheels served by `index`. */
export async function writeTestLock(
  path: string,
  environments: Record<string, LockedWheel[]>,
  index: IndexServer | null,
  target = { python: "3.11", platform: "manylinux_2_36_x86_64" },
): Promise<Lockfile> {
  const url = (w: BuiltWheel) =>
    index ? index.fileUrl(w.name, w.filename) : `https://example.invalid/${w.filename}`;
  const lock: Lockfile = {
    schemaVersion: "1.1",
    lockGeneratedAt: "2026-01-01T00:00:00Z",
    resolverVersion: "envknit/test",
    configHash: "",
    target,
    environments: Object.fromEntries(
      Object.entries(environments).map((
        [env, list],
      ) => [env, list.map((e) => lockPackage(e, url))]),
    ),
  };
  await writeLock(path, lock);
  return lock;
}

/** Runs `envknit <args>` as a subprocess in `cwd` with `env`. */
export function envknit(
  args: string[],
  options: { cwd: string; env: Record<string, string>; stdin?: string },
): Promise<CliResult> {
  return runEnvknit(args, { ...options, denoFlags: ["--no-lock"] });
}

/**
 * Every file, folder and link under `dir` with a digest of file contents and modes, sorted;
 * `locks/` (the file locks themselves) and empty scratch folders are left out.
 */
export async function snapshot(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(path: string, rel: string) {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(path));
    } catch {
      return;
    }
    for (const e of entries) {
      const p = `${path}/${e.name}`;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === "locks") continue;
      const info = await Deno.lstat(p);
      if (e.isSymlink) out.push(`${r} -> ${await Deno.readLink(p)}`);
      else if (e.isDirectory) {
        out.push(`${r}/ ${(info.mode ?? 0).toString(8)}`);
        await walk(p, r);
      } else {
        const hash = createHash("sha256").update(await Deno.readFile(p)).digest("hex");
        out.push(`${r} ${(info.mode ?? 0).toString(8)} ${hash.slice(0, 16)}`);
      }
    }
  }
  await walk(dir, "");
  return out.sort();
}

/** The entry folder of a wheel in a store. */
export function entryDir(home: string, wheel: BuiltWheel): string {
  return `${home}/packages/${normalizeName(wheel.name)}/${wheel.version}/${
    wheel.sha256.slice(0, 16)
  }`;
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}
