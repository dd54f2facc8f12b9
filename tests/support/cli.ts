/**
 * The CLI as tests run it: `cli/main.ts` of this checkout in a `deno run` subprocess with a clean
 * environment (the caller's own `ENVKNIT_*` settings never leak into it). Shared by the command
 * tests (`commands.ts`), the end-to-end helpers (`tests/e2e/*_support.ts`) and the
 * packse CLI backend, which add their own project layouts. Importing it starts no process (the
 * interpreter the CLI should use is `PYTHON` of `python.ts`).
 *
 * @module
 */

const root = new URL("../../", import.meta.url).pathname;

/** `cli/main.ts` of this checkout. */
export const MAIN = `${root}cli/main.ts`;

/**
 * The flags `deno run` of the CLI gets, as README says to run it: a command's modules are read
 * when it runs, not every command's at start. (Not in `deno.json`: there it would also make
 * `deno compile` leave the commands out of the binary.)
 */
export const RUN_FLAGS: readonly string[] = ["--unstable-lazy-dynamic-imports"];

/** `deno.json` of this checkout (for `deno run --config=…`). */
export const DENO_CONFIG = `${root}deno.json`;

/** What one CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The caller's environment (Deno's cache, proxies, certificates) without its `ENVKNIT_*`
 * settings, with `extra` on top.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("ENVKNIT_")),
    ),
    ...extra,
  };
}

/** How {@link runEnvknit} starts the CLI. */
export interface RunEnvknitOptions {
  cwd: string;
  /** The subprocess's whole environment: it inherits nothing else (see {@link cleanEnv}). */
  env: Record<string, string>;
  /** Options of `deno run` besides `-A` (`--no-lock`, `--config=…`). */
  denoFlags?: string[];
  /** Text written to the CLI's stdin; without it stdin is closed, or ours with `inheritStdin`. */
  stdin?: string;
  inheritStdin?: boolean;
}

/**
 * Runs `deno run -A RUN_FLAGS [denoFlags] cli/main.ts args…` as a subprocess and collects its
 * output.
 */
export async function runEnvknit(args: string[], options: RunEnvknitOptions): Promise<CliResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...RUN_FLAGS, ...options.denoFlags ?? [], MAIN, ...args],
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    stdin: options.stdin !== undefined ? "piped" : options.inheritStdin ? "inherit" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/**
 * Starts the CLI as {@link runEnvknit} does (stdin closed, stdout and stderr piped) without
 * waiting for it: for tests that signal or race a running command. `detached` gives it a process
 * group of its own, so that `Deno.kill(-child.pid, …)` reaches the command it runs too.
 */
export function spawnEnvknit(
  args: string[],
  options: { cwd: string; env: Record<string, string>; detached?: boolean },
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...RUN_FLAGS, "--no-lock", MAIN, ...args],
    cwd: options.cwd,
    env: options.env,
    clearEnv: true,
    detached: options.detached ?? false,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/**
 * Reads `reader` until its text includes `marker` (without one, until the stream ends) and
 * returns `before` with what it read appended.
 */
export async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  marker?: string,
  before = "",
): Promise<string> {
  let out = before;
  const decoder = new TextDecoder();
  while (marker === undefined || !out.includes(marker)) {
    const { value, done } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
  }
  return out;
}
