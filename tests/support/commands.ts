/**
 * Test support for the command tests: a temporary project with its own `ENVKNIT_HOME`, the CLI
 * run as a subprocess inside it, and lock entries written with `project/lock.ts` (no network).
 * Imported only by `*_test.ts` files.
 *
 * @module
 */
import { configHash, loadConfig } from "../../project/config.ts";
import {
  LOCK_FILENAME,
  LOCK_SCHEMA_VERSION,
  type LockPackage,
  serializeLock,
} from "../../project/lock.ts";
import { cleanEnv, type CliResult, MAIN, runEnvknit } from "./cli.ts";
import { PYTHON } from "./python.ts";
import { sha256Hex } from "../../core/sha256.ts";

/** A temporary project folder and store; `dispose()` removes both. */
export interface TempProject {
  dir: string;
  home: string;
  /** Runs `envknit args…` in `dir` (or `cwd`) with `ENVKNIT_HOME=home`. */
  run(args: string[], options?: { cwd?: string; env?: Record<string, string> }): Promise<CliResult>;
  /** Reads a file of the project. */
  read(name: string): Promise<string>;
  /** Writes a file of the project. */
  write(name: string, text: string): Promise<void>;
  dispose(): Promise<void>;
}

/** Creates a temp project, with `envknit.yaml` holding `config` when given. */
export async function tempProject(config?: string): Promise<TempProject> {
  const dir = await Deno.makeTempDir({ prefix: "envknit-cmd-" });
  const home = await Deno.makeTempDir({ prefix: "envknit-home-" });
  if (config !== undefined) await Deno.writeTextFile(`${dir}/envknit.yaml`, config);
  return {
    dir,
    home,
    run: (args, options = {}) =>
      runCli(args, {
        cwd: options.cwd ?? dir,
        env: { ENVKNIT_HOME: home, ...options.env },
      }),
    read: (name) => Deno.readTextFile(`${dir}/${name}`),
    write: (name, text) => Deno.writeTextFile(`${dir}/${name}`, text),
    dispose: async () => {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

/**
 * Runs the CLI (`deno run -A cli/main.ts args…`) as a subprocess, offline unless the caller sets
 * `ENVKNIT_OFFLINE` to "" (for a loopback index), without the caller's own `ENVKNIT_*` settings.
 */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  return runEnvknit(args, {
    cwd: options.cwd,
    env: cleanEnv({
      NO_COLOR: "1",
      ENVKNIT_OFFLINE: "1",
      ENVKNIT_PYTHON: PYTHON,
      ...options.env,
    }),
  });
}

/** A sha256 (hex) standing for a wheel that is never downloaded: derived from its file name. */
export function fakeSha256(file: string): Promise<string> {
  return sha256Hex(file);
}

/**
 * A lock entry for `name==version` with one pure-Python wheel on a fake index, depending on
 * `dependencies` (normalized requirement strings).
 */
export async function lockEntry(
  name: string,
  version: string,
  dependencies: string[] = [],
  extra: Partial<LockPackage> = {},
): Promise<LockPackage> {
  const file = `${name.replace(/-/g, "_")}-${version}-py3-none-any.whl`;
  return {
    name,
    version,
    dependencies,
    index: "https://index.example/simple",
    wheels: [{
      file,
      url: `https://files.example/${file}`,
      sha256: await fakeSha256(file),
      size: 1000 + file.length,
    }],
    ...extra,
  };
}

/** The text of a lock of `environments` (config hash as given, default a placeholder). */
export function lockText(
  environments: Record<string, LockPackage[]>,
  options: { configHash?: string; python?: string; platform?: string } = {},
): string {
  return serializeLock({
    schemaVersion: LOCK_SCHEMA_VERSION,
    lockGeneratedAt: "2026-01-01T00:00:00Z",
    resolverVersion: "envknit/test",
    configHash: options.configHash ?? "0".repeat(64),
    target: {
      python: options.python ?? "3.11",
      platform: options.platform ?? "manylinux_2_36_x86_64",
    },
    environments,
  });
}

/** Writes `envknit.lock.yaml` of `environments` into the project. */
export async function writeTestLock(
  project: TempProject,
  environments: Record<string, LockPackage[]>,
  options: { configHash?: string; python?: string; platform?: string; name?: string } = {},
): Promise<string> {
  const path = `${project.dir}/${options.name ?? LOCK_FILENAME}`;
  await Deno.writeTextFile(path, lockText(environments, options));
  return path;
}

/**
 * Writes an `envknit` executable (a shell script running this checkout's CLI) into a folder of
 * the project and returns that folder, to put first on `PATH` for shell tests.
 */
export async function envknitShim(project: TempProject): Promise<string> {
  const bin = `${project.dir}/.bin`;
  await Deno.mkdir(bin, { recursive: true });
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await Deno.writeTextFile(
    `${bin}/envknit`,
    `#!/bin/sh\nexec ${quote(Deno.execPath())} run -A ${quote(MAIN)} "$@"\n`,
    { mode: 0o755 },
  );
  return bin;
}

const GRAPH_CONFIG = `environments:
  default:
    packages: ["web>=1", cli-tool]
    dev_packages: [testkit]
`;

/**
 * A project whose lock has a graph worth drawing: web and cli-tool share `shared`, which leads
 * into the cycle cyc-a ⇄ cyc-b; testkit is dev-only. The lock's config hash is current.
 */
export async function graphProject(config = GRAPH_CONFIG): Promise<TempProject> {
  const p = await tempProject(config);
  const hash = await configHash(await loadConfig(`${p.dir}/envknit.yaml`));
  await writeTestLock(p, {
    default: [
      await lockEntry("web", "2.0", ["http-lib>=1", "shared<3"]),
      await lockEntry("cli-tool", "1.0", ["shared>=1", "colorama"]),
      await lockEntry("http-lib", "1.5", ["shared"]),
      await lockEntry("shared", "2.1", ["cyc-a"]),
      await lockEntry("cyc-a", "1.0", ["cyc-b"]),
      await lockEntry("cyc-b", "1.0", ["cyc-a>=0.1"]),
      await lockEntry("colorama", "0.4.6"),
      await lockEntry("testkit", "3.0", ["pluggy"], { dev: true }),
      await lockEntry("pluggy", "1.4", [], { dev: true }),
    ],
    other: [await lockEntry("colorama", "0.4.6")],
  }, { configHash: hash });
  return p;
}
