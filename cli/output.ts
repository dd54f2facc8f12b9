/**
 * Terminal output: data goes to stdout, messages to stderr. `-q` silences messages, `-v` shows
 * debug lines, NO_COLOR or a non-terminal stderr turns colour off.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Writes all of `bytes` to `stream` (a write may take only part of them). A reader that went away
 * (`envknit tree | head -3`: the pipe is closed) is not an error: the rest is dropped, quietly,
 * and the command finishes its work. Returns false once the reader is gone.
 */
function writeAll(stream: { writeSync(p: Uint8Array): number }, bytes: Uint8Array): boolean {
  try {
    let done = 0;
    while (done < bytes.length) done += stream.writeSync(bytes.subarray(done));
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) return false;
    throw error;
  }
}

/** Where and how a command reports to the user. */
export class Output {
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
  /** Whether stderr is a terminal: progress lines are drawn only then. */
  readonly interactive: boolean;
  /** `--json`: errors are one JSON line (see {@link error}). */
  readonly json: boolean;
  /** Set once stdout's reader went away: later data lines are dropped. */
  #stdoutGone = false;
  /** Set once stderr's reader went away. */
  #stderrGone = false;

  constructor(
    options: {
      quiet?: boolean;
      verbose?: boolean;
      json?: boolean;
      env?: Record<string, string>;
    } = {},
  ) {
    const env = options.env ?? Deno.env.toObject();
    this.quiet = options.quiet ?? false;
    this.verbose = options.verbose ?? false;
    this.json = options.json ?? false;
    this.interactive = Deno.stderr.isTerminal();
    this.color = this.interactive && env.NO_COLOR === undefined;
  }

  /** Writes a data line to stdout (never silenced: it is the command's result). */
  print(text: string): void {
    if (this.#stdoutGone) return;
    const bytes = encoder.encode(text.endsWith("\n") ? text : text + "\n");
    if (!writeAll(Deno.stdout, bytes)) this.#stdoutGone = true;
  }

  /** Writes a message to stderr unless `-q`. */
  info(text: string): void {
    if (!this.quiet) this.stderr(text);
  }

  /** Writes a debug message to stderr with `-v`. */
  debug(text: string): void {
    if (this.verbose) this.stderr(this.paint("2", text));
  }

  /** Writes `warning: …` to stderr unless `-q`. */
  warn(text: string): void {
    if (!this.quiet) this.stderr(`${this.paint("33;1", "warning")}: ${text}`);
  }

  /**
   * Writes `error: …` and `hint: …` lines to stderr (never silenced); with `--json`, one line
   * `{"error": "…", "hints": […]}` instead, for the program that reads the output.
   */
  error(text: string, hints: string[] = []): void {
    if (this.json) {
      this.stderr(JSON.stringify({ error: text, hints }));
      return;
    }
    this.stderr(`${this.paint("31;1", "error")}: ${text}`);
    for (const hint of hints) this.stderr(`  ${this.paint("36", "hint")}: ${hint}`);
  }

  /** Wraps text in an ANSI SGR code when colour is on. */
  paint(sgr: string, text: string): string {
    return this.color ? `\x1b[${sgr}m${text}\x1b[0m` : text;
  }

  private stderr(text: string): void {
    if (this.#stderrGone) return;
    const bytes = encoder.encode(text.endsWith("\n") ? text : text + "\n");
    if (!writeAll(Deno.stderr, bytes)) this.#stderrGone = true;
  }
}
