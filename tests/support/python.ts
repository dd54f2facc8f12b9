/**
 * Running python3 from tests, for cross-checks against `zipfile` and `packaging`.
 *
 * @module
 */

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
