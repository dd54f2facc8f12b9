/**
 * Sequential reading of a byte stream that is still arriving: exact reads for headers, pieces for
 * member data. Every chunk pulled from the source is first handed to an observer (the installer
 * hashes it and spools it to disk), so "what was read" and "what was hashed" are the same bytes.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";

/** Reads a stream front to back; see the module documentation. */
export class ByteReader {
  readonly #source: AsyncIterator<Uint8Array>;
  readonly #observe: (chunk: Uint8Array) => void | Promise<void>;
  #chunks: Uint8Array[] = [];
  #head = 0; // offset into #chunks[0]
  #buffered = 0;
  #ended = false;
  #position = 0;

  constructor(
    source: AsyncIterable<Uint8Array>,
    observe: (chunk: Uint8Array) => void | Promise<void>,
  ) {
    this.#source = source[Symbol.asyncIterator]();
    this.#observe = observe;
  }

  /** Offset (from the start of the stream) of the next byte a read returns. */
  get position(): number {
    return this.#position;
  }

  /** Pulls one more chunk; false at the end of the stream. */
  async #pull(): Promise<boolean> {
    if (this.#ended) return false;
    for (;;) {
      const { done, value } = await this.#source.next();
      if (done) {
        this.#ended = true;
        return false;
      }
      if (value.length === 0) continue;
      await this.#observe(value);
      this.#chunks.push(value);
      this.#buffered += value.length;
      return true;
    }
  }

  /** Whether at least `n` bytes can be read (pulling as needed). */
  async has(n: number): Promise<boolean> {
    while (this.#buffered < n) {
      if (!(await this.#pull())) return false;
    }
    return true;
  }

  /** Returns the next `n` bytes without consuming them. Throws when the stream ends before. */
  async peek(n: number): Promise<Uint8Array> {
    if (n === 0) return new Uint8Array(0);
    if (!(await this.has(n))) throw truncated();
    const first = this.#chunks[0];
    if (first.length - this.#head >= n) return first.subarray(this.#head, this.#head + n);
    // Merge the chunks covering n bytes into one, so later reads are views again.
    const merged = new Uint8Array(n);
    let at = 0;
    let i = 0;
    let head = this.#head;
    while (at < n) {
      const c = this.#chunks[i];
      const take = Math.min(c.length - head, n - at);
      merged.set(c.subarray(head, head + take), at);
      at += take;
      if (head + take === c.length) {
        i++;
        head = 0;
      } else head += take;
    }
    const rest = i < this.#chunks.length ? this.#chunks[i].subarray(head) : null;
    this.#chunks = [merged, ...(rest && rest.length ? [rest] : []), ...this.#chunks.slice(i + 1)];
    this.#head = 0;
    return merged;
  }

  /** Consumes and returns exactly `n` bytes (a view; do not modify it). */
  async read(n: number): Promise<Uint8Array> {
    const bytes = await this.peek(n);
    this.#consume(n);
    return bytes;
  }

  /** Consumes `n` bytes, yielding them in the pieces they arrived in. */
  async *pieces(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      if (this.#buffered === 0 && !(await this.#pull())) throw truncated();
      const first = this.#chunks[0];
      const take = Math.min(first.length - this.#head, left);
      const piece = first.subarray(this.#head, this.#head + take);
      this.#consume(take);
      left -= take;
      yield piece;
    }
  }

  /** Reads the rest of the stream (observing it) and returns how many bytes there were. */
  async drain(): Promise<number> {
    let n = this.#buffered;
    this.#consume(this.#buffered);
    while (await this.#pull()) {
      n += this.#buffered;
      this.#consume(this.#buffered);
    }
    return n;
  }

  #consume(n: number): void {
    this.#position += n;
    this.#buffered -= n;
    while (n > 0) {
      const first = this.#chunks[0];
      const left = first.length - this.#head;
      if (n >= left) {
        n -= left;
        this.#chunks.shift();
        this.#head = 0;
      } else {
        this.#head += n;
        n = 0;
      }
    }
  }
}

/** The error of a stream that ended in the middle of a structure. */
export function truncated(): EnvknitError {
  return new EnvknitError("the wheel is truncated (the download ended early)");
}
