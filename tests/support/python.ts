/**
 * Running python3 from tests, for cross-checks against `zipfile` and `packaging`, and the real
 * interpreter behind `python3` for the CLI tests to name in `ENVKNIT_PYTHON`.
 *
 * @module
 */

/** A real interpreter path (not a pyenv shim), so interpreter probes are cached and runs are fast. */
export const PYTHON: string = await (async () => {
  const out = await new Deno.Command("python3", {
    args: ["-c", "import sys; print(sys.executable)"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim() || "python3";
})();

/** Result of {@link runPython}. */
export interface PythonResult {
  /** Exit code. */
  code: number;
  /** Standard output, decoded. */
  stdout: string;
  /** Standard error, decoded. */
  stderr: string;
}

/**
 * Runs `python3 -c code args…` (or `python3 args…` when `code` is null) with `stdin` as input.
 *
 * @throws {Error} when Python exits with a non-zero code, unless `allowFailure` is set
 */
export async function runPython(
  code: string | null,
  args: string[] = [],
  options: { stdin?: Uint8Array | string; allowFailure?: boolean; cwd?: string } = {},
): Promise<PythonResult> {
  const child = new Deno.Command("python3", {
    args: code === null ? args : ["-c", code, ...args],
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    cwd: options.cwd,
    env: { PYTHONDONTWRITEBYTECODE: "1", PYTHONIOENCODING: "utf-8" },
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(
      typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
    );
    await writer.close();
  }
  const output = await child.output();
  const result = {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
  if (result.code !== 0 && !options.allowFailure) {
    throw new Error(`python3 failed (exit ${result.code}):\n${result.stderr}`);
  }
  return result;
}
