/**
 * Helpers of the `envknit lock` end-to-end tests: a temp project with its own store, envknit.yaml
 * written from a short description, and the CLI run as a subprocess (as a user runs it).
 *
 * @module
 */
import { type Lockfile, parseLock } from "../../project/lock.ts";
import { cleanEnv, type CliResult, DENO_CONFIG, runEnvknit } from "../support/cli.ts";
import { PYTHON } from "../support/python.ts";

/** What the interpreter is: `3.11`, as the lock's `target.python` says it. */
export const PYTHON_VERSION: string = await (async () => {
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
})();

/** A temp project folder with its own store; removed on dispose. */
export interface LockProject extends AsyncDisposable {
  dir: string;
  project: string;
  home: string;
  configPath: string;
  lockPath: string;
  env: Record<string, string>;
  /** Writes envknit.yaml. */
  config(text: string): Promise<void>;
  /** Runs the CLI in the project folder. */
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** The lock file's text, or null when there is none. */
  lockText(): Promise<string | null>;
  /** The parsed lock. */
  lock(): Promise<Lockfile>;
}

/** Creates a {@link LockProject}. */
export async function lockProjectDir(): Promise<LockProject> {
  const dir = await Deno.makeTempDir({ prefix: "envknit-lock-e2e-" });
  const project = `${dir}/project`;
  const home = `${dir}/home`;
  await Deno.mkdir(project);
  const env = cleanEnv({ ENVKNIT_HOME: home, ENVKNIT_PYTHON: PYTHON, NO_COLOR: "1" });
  const lockPath = `${project}/envknit.lock.yaml`;
  return {
    dir,
    project,
    home,
    configPath: `${project}/envknit.yaml`,
    lockPath,
    env,
    config: (text) => Deno.writeTextFile(`${project}/envknit.yaml`, text),
    run: (args, extra = {}) => runCli(args, project, { ...env, ...extra }),
    lockText: () => Deno.readTextFile(lockPath).catch(() => null),
    lock: async () => await parseLock(await Deno.readTextFile(lockPath), lockPath),
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Runs `envknit <args>` in `cwd` (with this checkout's deno.json; stdin is ours). */
export function runCli(
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<CliResult> {
  return runEnvknit(args, {
    cwd,
    env,
    denoFlags: [`--config=${DENO_CONFIG}`],
    inheritStdin: true,
  });
}

/** envknit.yaml text for one index and some environments (name → packages, dev packages). */
export function configText(
  indexUrl: string,
  environments: Record<string, { packages: string[]; dev?: string[]; python?: string }>,
  extra: { extraUrls?: string[]; findLinks?: string[] } = {},
): string {
  const lines = ['envknit_version: "0.1.0"', "index:", `  url: ${JSON.stringify(indexUrl)}`];
  if (extra.extraUrls) lines.push(`  extra_urls: ${JSON.stringify(extra.extraUrls)}`);
  if (extra.findLinks) lines.push(`  find_links: ${JSON.stringify(extra.findLinks)}`);
  lines.push("environments:");
  for (const [name, e] of Object.entries(environments)) {
    lines.push(`  ${name}:`);
    if (e.python) lines.push(`    python_version: "${e.python}"`);
    lines.push(`    packages: ${JSON.stringify(e.packages)}`);
    if (e.dev) lines.push(`    dev_packages: ${JSON.stringify(e.dev)}`);
  }
  return lines.join("\n") + "\n";
}

/** The `error:` lines of stderr. */
export function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.startsWith("error:"));
}

/** Files in a folder (to prove no temp file was left behind). */
export async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}
