/**
 * What the benchmarks share: their `--name N` options, medians, and timing one command.
 *
 * @module
 */

/** The number after `--<name>` on the command line, else `fallback`. */
export function option(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(Deno.args[i + 1]);
}

/** The median (the mean of the middle two for an even count). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Runs `cmd` with exactly `env` (nothing inherited) in `cwd` and returns its wall time in ms and
 * its standard output.
 *
 * @throws Error with the end of its standard error when it fails
 */
export async function timeCommand(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<{ ms: number; stdout: string }> {
  const started = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    env,
    cwd,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const ms = performance.now() - started;
  if (!out.success) {
    throw new Error(
      `${cmd} ${args.slice(0, 6).join(" ")} … failed (${out.code}):\n${
        new TextDecoder().decode(out.stderr).slice(-2000)
      }`,
    );
  }
  return { ms, stdout: new TextDecoder().decode(out.stdout) };
}
