/**
 * A one-line progress display on stderr, drawn only when stderr is a terminal (and not with `-q`):
 * a pipe or a log file never receives control characters. Redraws are throttled, messages printed
 * through {@link Progress.log} appear above the line, and {@link Progress.done} erases it.
 *
 * ```ts
 * const progress = new Progress({ enabled: out.interactive && !out.quiet });
 * progress.update(`resolved 12 packages, 3 requests in flight`);
 * progress.update(`${progressBar(done, total)} ${formatBytes(bytes)}`);
 * progress.done();
 * ```
 *
 * @module
 */

const encoder = new TextEncoder();

/** Where the line is drawn: stderr by default; tests pass their own sink. */
export interface ProgressSink {
  /** Writes bytes at once (as `Deno.stderr.writeSync`). */
  writeSync(bytes: Uint8Array): number;
  /** Terminal width in columns, when known. */
  columns?(): number | undefined;
}

/** How a progress line behaves. */
export interface ProgressOptions {
  /** Draw at all. Default: stderr is a terminal. */
  enabled?: boolean;
  /** Fewest milliseconds between two redraws (default 80). */
  intervalMs?: number;
  /** Where to draw (stderr by default). */
  sink?: ProgressSink;
}

const stderrSink: ProgressSink = {
  writeSync: (bytes) => Deno.stderr.writeSync(bytes),
  columns: () => {
    try {
      return Deno.consoleSize().columns;
    } catch {
      return undefined;
    }
  },
};

/** A throttled, self-erasing status line. Safe to call when disabled: it does nothing. */
export class Progress {
  /** Whether anything is drawn. */
  readonly enabled: boolean;
  readonly #intervalMs: number;
  readonly #sink: ProgressSink;
  #text = "";
  #shown = false;
  #lastDraw = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** A progress line; drawn only when `enabled` (default: stderr is a terminal). */
  constructor(options: ProgressOptions = {}) {
    this.#sink = options.sink ?? stderrSink;
    this.enabled = options.enabled ?? (options.sink ? true : Deno.stderr.isTerminal());
    this.#intervalMs = options.intervalMs ?? 80;
  }

  /** Sets the line's text; it is drawn now or at the next redraw slot. */
  update(text: string): void {
    if (!this.enabled) return;
    this.#text = text;
    const wait = this.#lastDraw + this.#intervalMs - performance.now();
    if (wait <= 0) this.#draw();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#draw();
      }, wait);
    }
  }

  /** Prints a whole line to stderr above the progress line (which is redrawn after it). */
  log(line: string): void {
    if (!this.enabled) {
      Deno.stderr.writeSync(encoder.encode(line.endsWith("\n") ? line : line + "\n"));
      return;
    }
    this.#erase();
    this.#sink.writeSync(encoder.encode(line.endsWith("\n") ? line : line + "\n"));
    if (this.#text) this.#draw();
  }

  /** Erases the line and stops drawing until the next update. */
  done(): void {
    // Only with a timer: the first call of `clearTimeout` loads Deno's Node timers (about 3 ms).
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#text = "";
    if (this.enabled) this.#erase();
  }

  #draw(): void {
    this.#lastDraw = performance.now();
    // A terminal that reports no size (0 columns: some pseudo-terminals) gets 80.
    const columns = this.#sink.columns?.() || 80;
    // One column is kept free so the terminal never wraps the line (which would break `\r`).
    const text = truncate(this.#text, Math.max(10, columns - 1));
    this.#sink.writeSync(encoder.encode(`\r\x1b[2K${text}`));
    this.#shown = true;
  }

  #erase(): void {
    if (!this.#shown) return;
    this.#sink.writeSync(encoder.encode("\r\x1b[2K"));
    this.#shown = false;
  }
}

function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, width - 1).join("") + "…";
}

/** A fixed-width bar, e.g. `[#######.............]` for 7 of 20. */
export function progressBar(done: number, total: number, width = 20): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

/** A byte count for people: `512 B`, `1.5 KiB`, `12.3 MiB`, `2.0 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
