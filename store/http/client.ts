/**
 * The one HTTP client of envknit: index pages, metadata and wheel downloads all go through it.
 *
 * - bounded concurrency (a request holds a slot until its body is read, cancelled or fails);
 * - keep-alive (Deno's fetch pools connections per host);
 * - retries with exponential backoff and jitter on 5xx/429/408, connection errors and timeouts,
 *   honouring `Retry-After` up to a cap;
 * - a timeout to the response headers and between body chunks (a stalled server cannot hang us),
 *   and an overall deadline per request, retries and body included (nor can one trickling a byte
 *   at a time);
 * - basic auth from the URL's userinfo (remembered for the rest of that origin, as pip does) or
 *   from `~/.netrc`; credentials never appear in messages;
 * - plain http refused except for loopback hosts or hosts the user trusts, redirects included;
 * - `file://` URLs read from disk with the same interface (ranges, 404), for mirrors on a mounted
 *   disk; only regular files are read (a FIFO would never end);
 * - counters (requests, retries, conditional requests, bytes) that tests and progress lines read.
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import { ENVKNIT_VERSION } from "../../core/version.ts";
import { loadNetrc, type Netrc, netrcLookup, netrcPath } from "./netrc.ts";
import { checkTransport, redactUrl, stripCredentials, urlCredentials } from "./url.ts";
import { type HttpStats, noHttpTraffic } from "./stats.ts";

export type { HttpStats };

/** A byte range: `start`..`end` inclusive (to the end of the file when `end` is omitted), or the
 * last `suffix` bytes. */
export type ByteRange = { start: number; end?: number } | { suffix: number };

/** Options of one request. */
export interface GetOptions {
  /** The `Accept` header. */
  accept?: string;
  /** Ask for part of the body (`Range`); the answer is 206 when the server honours it. */
  range?: ByteRange;
  /** Revalidate: send `If-None-Match` (a 304 answer means the cached copy is current). */
  etag?: string;
  /** Revalidate: send `If-Modified-Since`. */
  lastModified?: string;
  /** Cancels the request and its body. */
  signal?: AbortSignal;
  /** More request headers. */
  headers?: Record<string, string>;
  /**
   * Milliseconds the whole request may take, retries and body included (default: the client's
   * `deadlineMs`). A client created with `fixedDeadline` ignores this.
   */
  deadlineMs?: number;
}

/** A response whose body has not been read yet. */
export interface HttpResponse {
  /** The final URL after redirects, without credentials. */
  url: string;
  /** The HTTP status (200, 206, 304, 404 …). */
  status: number;
  /** The response headers. */
  headers: Headers;
  /**
   * The body. The caller must read it to the end or cancel it: until then the request holds one
   * of the client's concurrency slots. `bytes()`, `text()` and `cancel()` do that.
   */
  body: ReadableStream<Uint8Array> | null;
  /** Reads the whole body (refusing more than `maxBytes`, default 256 MiB). */
  bytes(maxBytes?: number): Promise<Uint8Array>;
  /** Reads the whole body as UTF-8. */
  text(maxBytes?: number): Promise<string>;
  /** Discards the body. */
  cancel(): Promise<void>;
}

/** A response read to the end. */
export interface HttpBytes {
  /** The final URL after redirects, without credentials. */
  url: string;
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The whole body. */
  body: Uint8Array;
}

/** How a client behaves. Every field has a default fit for PyPI. */
export interface HttpClientOptions {
  /** Most requests in flight at once (default 16). */
  concurrency?: number;
  /** Attempts after the first one for a retryable failure (default 3). */
  retries?: number;
  /** Milliseconds to wait for the headers, and between two body chunks (default 30 000). */
  timeoutMs?: number;
  /**
   * Milliseconds a request may take in all, from its first attempt to the end of its body
   * (default {@link DEFAULT_DEADLINE_MS}); a request may ask for another with
   * `GetOptions.deadlineMs` (wheel downloads scale theirs with the size).
   */
  deadlineMs?: number;
  /** Every request gets `deadlineMs`, whatever it asks for (set from `ENVKNIT_HTTP_DEADLINE`). */
  fixedDeadline?: boolean;
  /** First backoff delay in milliseconds, doubled at each retry (default 200). */
  backoffMs?: number;
  /** Longest wait honoured from `Retry-After` or backoff, in milliseconds (default 10 000). */
  maxBackoffMs?: number;
  /** Hosts (`host` or `host:port`) that may be reached over plain http. */
  trustedHosts?: string[];
  /** The netrc file to read; `null` reads none. Default: `$NETRC` or `~/.netrc`. */
  netrc?: string | null;
  /** Environment for the netrc default (`HOME`, `NETRC`). */
  env?: Record<string, string | undefined>;
  /** The `User-Agent` header. */
  userAgent?: string;
  /** Called whenever a counter changes (for progress lines); keep it cheap. */
  onActivity?: (stats: Readonly<HttpStats>) => void;
}

/** Why a request failed. */
export type HttpErrorKind =
  | "network"
  | "timeout"
  | "deadline"
  | "status"
  | "too-large"
  | "refused"
  | "aborted";

/** A request that failed after its retries; its message is one line, credentials removed. */
export class HttpError extends EnvknitError {
  /** The URL, credentials removed. */
  readonly url: string;
  /** What failed: the network, a timeout, a status, a size limit, a refused URL, a cancel. */
  readonly kind: HttpErrorKind;
  /** The HTTP status, for `kind: "status"`. */
  readonly status?: number;

  /** A one-line message; `url` without credentials. */
  constructor(
    message: string,
    url: string,
    kind: HttpErrorKind,
    options: { status?: number; hints?: string[]; cause?: unknown } = {},
  ) {
    super(message, { hints: options.hints, cause: options.cause });
    this.name = "HttpError";
    this.url = url;
    this.kind = kind;
    this.status = options.status;
  }
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_REDIRECTS = 10;
const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

/** The overall deadline of a request, by default: 5 minutes. */
export const DEFAULT_DEADLINE_MS = 5 * 60_000;

/**
 * The deadline of a download of `size` bytes (unknown: the default): the default, or more for a
 * file that needs it at 64 KiB/s.
 */
export function downloadDeadlineMs(size: number | undefined): number {
  return Math.max(DEFAULT_DEADLINE_MS, Math.ceil(((size ?? 0) / 65_536) * 1000));
}

/** Whether an error is a request that ran out of its overall deadline. */
export function isDeadlineError(error: unknown): error is HttpError {
  return error instanceof HttpError && error.kind === "deadline";
}

class RequestTimeout extends Error {
  constructor() {
    super("timed out");
    this.name = "RequestTimeout";
  }
}

/** The error of a `file://` URL that names something else than a regular file. */
function notRegular(path: string, shown: string): HttpError {
  return new HttpError(
    `cannot read ${path}: it is not a regular file (a FIFO, socket or device)`,
    shown,
    "refused",
  );
}

/** The overall deadline of one request. */
interface Deadline {
  /** When it passes (epoch milliseconds). */
  at: number;
  /** The error of a request that missed it. */
  error(): HttpError;
  /** Throws that error when it has passed, or would have after waiting `wait` ms. */
  check(wait?: number): void;
}

/** A counting semaphore: `acquire` resolves when a slot is free. */
class Slots {
  #free: number;
  #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = Math.max(1, size);
  }
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/** An `Authorization: Basic` value (RFC 7617, UTF-8). */
function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

function rangeHeader(range: ByteRange): string {
  if ("suffix" in range) return `bytes=-${range.suffix}`;
  return `bytes=${range.start}-${range.end ?? ""}`;
}

function describe(error: unknown): string {
  if (error instanceof RequestTimeout) return "timed out";
  let message = error instanceof Error ? error.message : String(error);
  // Deno's fetch says "fetch failed" and keeps the reason in `cause`: "error sending request
  // for url (…): client error (Connect): dns error: …". The URL is already in our message, so
  // keep what follows it.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  if (cause) message = cause;
  const m = /\): (.*)$/.exec(message);
  return (m ? m[1] : message).replace(/https?:\/\/[^\s/@]*@/g, "//****@");
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(id);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Reads a stream to the end into one buffer, refusing more than `maxBytes`. */
async function readAll(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  url: string,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new HttpError(
          `response from ${url} is larger than ${maxBytes} bytes`,
          url,
          "too-large",
        );
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function makeResponse(
  url: string,
  status: number,
  headers: Headers,
  body: ReadableStream<Uint8Array> | null,
): HttpResponse {
  return {
    url,
    status,
    headers,
    body,
    bytes: (maxBytes = DEFAULT_MAX_BYTES) => readAll(body, maxBytes, url),
    text: async (maxBytes = DEFAULT_MAX_BYTES) =>
      new TextDecoder().decode(await readAll(body, maxBytes, url)),
    cancel: async () => {
      await body?.cancel().catch(() => {});
    },
  };
}

/** The HTTP client (see the module documentation). One per operation; it is cheap. */
export class HttpClient {
  /** Live counters (see {@link HttpStats}). */
  readonly stats: HttpStats = noHttpTraffic();
  readonly #slots: Slots;
  readonly #retries: number;
  readonly #timeoutMs: number;
  readonly #deadlineMs: number;
  readonly #fixedDeadline: boolean;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #trustedHosts: string[];
  readonly #userAgent: string;
  readonly #onActivity?: (stats: Readonly<HttpStats>) => void;
  /** `Authorization` values by origin, learnt from URLs with userinfo. */
  readonly #originAuth = new Map<string, string>();
  readonly #netrcPath: string | null;
  #netrc: Promise<Netrc | null> | null = null;

  /** A client; every option has a default (see {@link HttpClientOptions}). */
  constructor(options: HttpClientOptions = {}) {
    this.#slots = new Slots(options.concurrency ?? 16);
    this.#retries = Math.max(0, options.retries ?? 3);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.#fixedDeadline = options.fixedDeadline ?? false;
    this.#backoffMs = options.backoffMs ?? 200;
    this.#maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.#trustedHosts = options.trustedHosts ?? [];
    this.#userAgent = options.userAgent ?? `envknit/${ENVKNIT_VERSION}`;
    this.#onActivity = options.onActivity;
    this.#netrcPath = options.netrc === undefined
      ? netrcPath(options.env ?? Deno.env.toObject())
      : options.netrc;
  }

  /**
   * Learns the credentials of a URL with userinfo (an index URL from the configuration) so later
   * requests to the same origin without userinfo (file URLs of its pages, wheels named in a lock)
   * authenticate too. A URL without userinfo is ignored.
   */
  rememberCredentials(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    const creds = urlCredentials(parsed);
    if (creds && parsed.protocol !== "file:") {
      this.#originAuth.set(parsed.origin, basicAuth(creds.user, creds.password));
    }
  }

  /** Hosts allowed over plain http. */
  get trustedHosts(): readonly string[] {
    return this.#trustedHosts;
  }

  /**
   * Sends a GET and returns once the headers arrived. Retryable failures (connection errors,
   * timeouts, 5xx/429/408) are retried with backoff; when retries run out a retryable status is
   * returned as it is, a network failure throws {@link HttpError}. Other statuses (404, 401, 304,
   * 206 …) are returned for the caller to judge. Redirects are followed (at most 10), each hop
   * checked against the plain-http rule.
   */
  async get(url: string, options: GetOptions = {}): Promise<HttpResponse> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new HttpError(`invalid URL: ${redactUrl(url)}`, redactUrl(url), "refused");
    }
    checkTransport(parsed, this.#trustedHosts);
    if (parsed.protocol === "file:") return this.#file(parsed, options);
    const deadline = this.#deadline(parsed, options);
    let attempt = 0;
    for (;;) {
      try {
        const response = await this.#follow(parsed, options, deadline);
        if (RETRY_STATUS.has(response.status) && attempt < this.#retries) {
          const wait = this.#retryAfter(response.headers) ?? this.#backoff(attempt);
          await response.cancel();
          attempt++;
          this.#count((s) => s.retries++);
          deadline.check(wait);
          await sleep(wait, options.signal);
          continue;
        }
        return response;
      } catch (error) {
        if (error instanceof HttpError && error.kind !== "network" && error.kind !== "timeout") {
          throw error;
        }
        if (error instanceof EnvknitError && !(error instanceof HttpError)) throw error;
        if (options.signal?.aborted) throw this.#aborted(parsed, options.signal);
        if (attempt >= this.#retries) {
          throw error instanceof HttpError ? error : this.#networkError(parsed, error, attempt + 1);
        }
        attempt++;
        this.#count((s) => s.retries++);
        const wait = this.#backoff(attempt - 1);
        deadline.check(wait);
        await sleep(wait, options.signal).catch(() => {
          throw this.#aborted(parsed, options.signal!);
        });
      }
    }
  }

  /** The deadline of one request (see {@link GetOptions.deadlineMs}). */
  #deadline(url: URL, options: GetOptions): Deadline {
    const ms = this.#fixedDeadline ? this.#deadlineMs : options.deadlineMs ?? this.#deadlineMs;
    const at = Date.now() + ms;
    const shown = redactUrl(url.href);
    const error = () => {
      const seconds = ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10;
      return new HttpError(
        `GET ${shown} did not finish within its deadline of ${seconds} s`,
        shown,
        "deadline",
        {
          hints: [
            "the server sends too slowly or not at all; if the network is just slow, raise the " +
            "deadline with ENVKNIT_HTTP_DEADLINE=<seconds>",
          ],
        },
      );
    };
    return {
      at,
      error,
      check(wait = 0) {
        if (Date.now() + wait >= at) throw error();
      },
    };
  }

  /**
   * GETs and reads the body to the end. Unlike {@link get}, a failure while reading the body (a
   * reset or a stall mid-transfer) is retried too. Non-2xx statuses are returned, not thrown.
   */
  async getBytes(
    url: string,
    options: GetOptions & { maxBytes?: number } = {},
  ): Promise<HttpBytes> {
    let attempt = 0;
    for (;;) {
      const response = await this.get(url, options);
      try {
        const body = await response.bytes(options.maxBytes);
        return { url: response.url, status: response.status, headers: response.headers, body };
      } catch (error) {
        if (
          error instanceof HttpError && (error.kind === "too-large" || error.kind === "deadline")
        ) {
          throw error;
        }
        if (options.signal?.aborted) throw this.#aborted(new URL(url), options.signal);
        if (attempt >= this.#retries) {
          throw error instanceof HttpError
            ? error
            : this.#networkError(new URL(url), error, attempt + 1);
        }
        attempt++;
        this.#count((s) => s.retries++);
        await sleep(this.#backoff(attempt - 1), options.signal).catch(() => {
          throw this.#aborted(new URL(url), options.signal!);
        });
      }
    }
  }

  #backoff(attempt: number): number {
    const base = this.#backoffMs * 2 ** attempt;
    return Math.min(this.#maxBackoffMs, base * (0.75 + Math.random() * 0.5));
  }

  #retryAfter(headers: Headers): number | null {
    const value = headers.get("retry-after");
    if (!value) return null;
    const seconds = Number(value);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
    if (!Number.isFinite(ms)) return null;
    return Math.min(this.#maxBackoffMs, Math.max(0, ms));
  }

  #count(change: (s: HttpStats) => void): void {
    change(this.stats);
    this.#onActivity?.(this.stats);
  }

  #networkError(url: URL, error: unknown, attempts: number): HttpError {
    const shown = redactUrl(url.href);
    const kind = error instanceof RequestTimeout ? "timeout" : "network";
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    return new HttpError(`GET ${shown} failed: ${describe(error)}${tries}`, shown, kind, {
      cause: error,
      hints: kind === "timeout"
        ? ["the server did not answer in time; try again, or check the index URL"]
        : ["check the index URL and your network; --offline uses the cache alone"],
    });
  }

  #aborted(url: URL, signal: AbortSignal): HttpError {
    const shown = redactUrl(url.href);
    return new HttpError(`GET ${shown} was cancelled`, shown, "aborted", { cause: signal.reason });
  }

  /** The `Authorization` header for a URL: its userinfo, the origin's, or netrc's. */
  async #authorization(url: URL): Promise<string | null> {
    const creds = urlCredentials(url);
    if (creds) {
      const value = basicAuth(creds.user, creds.password);
      this.#originAuth.set(url.origin, value);
      return value;
    }
    const known = this.#originAuth.get(url.origin);
    if (known) return known;
    // Read lazily: most runs never need it, and a missing file is not an error.
    const netrc = await (this.#netrc ??= loadNetrc(this.#netrcPath));
    const entry = netrc ? netrcLookup(netrc, url.hostname) : null;
    return entry ? basicAuth(entry.login, entry.password) : null;
  }

  /** One attempt: redirects followed by hand so every hop passes the transport check. */
  async #follow(start: URL, options: GetOptions, deadline: Deadline): Promise<HttpResponse> {
    let url = start;
    for (let hop = 0;; hop++) {
      const response = await this.#send(url, options, deadline);
      if (![301, 302, 303, 307, 308].includes(response.status)) return response;
      const location = response.headers.get("location");
      await response.cancel();
      if (!location || hop >= MAX_REDIRECTS) {
        throw new HttpError(
          `GET ${redactUrl(start.href)}: ${
            location ? "too many redirects" : "redirect without a Location"
          }`,
          redactUrl(start.href),
          "status",
          { status: response.status },
        );
      }
      const next = new URL(location, url);
      // Credentials are not carried to another origin (a redirect must not leak them).
      if (next.origin !== url.origin) next.username = next.password = "";
      else if (!next.username && url.username) {
        next.username = url.username;
        next.password = url.password;
      }
      checkTransport(next, this.#trustedHosts);
      if (next.protocol === "file:") {
        throw new HttpError(
          `GET ${redactUrl(start.href)}: redirect to a file URL refused`,
          redactUrl(start.href),
          "refused",
        );
      }
      url = next;
    }
  }

  /** One request on the wire, holding a slot until its body is done. */
  async #send(url: URL, options: GetOptions, deadline: Deadline): Promise<HttpResponse> {
    deadline.check();
    const headers = new Headers(options.headers);
    headers.set("user-agent", this.#userAgent);
    if (options.accept) headers.set("accept", options.accept);
    if (options.range) headers.set("range", rangeHeader(options.range));
    if (options.etag) headers.set("if-none-match", options.etag);
    if (options.lastModified) headers.set("if-modified-since", options.lastModified);
    const auth = await this.#authorization(url);
    if (auth && !headers.has("authorization")) headers.set("authorization", auth);
    const target = new URL(url.href);
    target.username = target.password = "";

    await this.#slots.acquire();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.#slots.release();
      this.#count((s) => s.inFlight--);
    };
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The overall deadline: the gap timer alone lets a server trickle a byte at a time forever.
    const overall = setTimeout(() => {
      controller.abort(deadline.error());
      cleanup();
    }, Math.max(0, deadline.at - Date.now()));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        controller.abort(new RequestTimeout());
        // A body nobody reads any more must not keep its slot: the request is over.
        cleanup();
      }, this.#timeoutMs);
    };
    const onUserAbort = () => controller.abort(options.signal!.reason);
    options.signal?.addEventListener("abort", onUserAbort, { once: true });
    const cleanup = () => {
      clearTimeout(timer);
      clearTimeout(overall);
      options.signal?.removeEventListener("abort", onUserAbort);
      release();
    };

    this.#count((s) => {
      s.requests++;
      s.inFlight++;
      s.byHost[target.host] = (s.byHost[target.host] ?? 0) + 1;
      if (options.etag || options.lastModified) s.conditional++;
      if (options.range) s.ranged++;
    });
    arm();
    let response: Response;
    try {
      response = await fetch(target, {
        headers,
        redirect: "manual",
        signal: controller.signal,
      });
    } catch (error) {
      cleanup();
      const reason = controller.signal.reason;
      if (reason instanceof RequestTimeout || isDeadlineError(reason)) throw reason;
      throw error;
    }
    if (response.status === 304) this.#count((s) => s.notModified++);
    const shownUrl = stripCredentials(url.href);
    if (!response.body) {
      cleanup();
      return makeResponse(shownUrl, response.status, response.headers, null);
    }
    arm();
    const reader = response.body.getReader();
    const count = (n: number) => this.#count((s) => (s.bytes += n));
    // Aborting the fetch does not always end a body already streaming (the reads go on with
    // what keeps arriving): every read races the abort itself.
    const aborted = new Promise<never>((_, reject) => {
      const signal = controller.signal;
      if (signal.aborted) reject(signal.reason);
      else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {});
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        try {
          const { done, value } = await Promise.race([reader.read(), aborted]);
          if (done) {
            cleanup();
            stream.close();
            return;
          }
          arm();
          count(value.length);
          stream.enqueue(value);
        } catch (error) {
          cleanup();
          reader.cancel().catch(() => {});
          const reason = controller.signal.reason;
          stream.error(
            reason instanceof RequestTimeout || isDeadlineError(reason) ? reason : error,
          );
        }
      },
      async cancel(reason) {
        cleanup();
        await reader.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 });
    return makeResponse(shownUrl, response.status, response.headers, body);
  }

  /** A `file://` URL read from disk: 200, 206 for a range, 404 when missing. A URL ending in `/`
   * reads `index.html` inside the folder, as a static web server would. */
  async #file(url: URL, options: GetOptions): Promise<HttpResponse> {
    this.#count((s) => s.fileReads++);
    let path = decodeURIComponent(url.pathname);
    if (path.endsWith("/")) path += "index.html";
    const shown = stripCredentials(url.href);
    let file: Deno.FsFile;
    let size: number;
    let mtime: Date | null;
    try {
      // Only regular files: opening a FIFO waits for a writer forever, a device never ends.
      // Checked before the open, and again on the open file.
      const before = await Deno.stat(path);
      if (before.isDirectory) return makeResponse(shown, 404, new Headers(), null);
      if (!before.isFile) throw notRegular(path, shown);
      file = await Deno.open(path, { read: true });
      const info = await file.stat();
      if (!info.isFile) {
        file.close();
        if (info.isDirectory) return makeResponse(shown, 404, new Headers(), null);
        throw notRegular(path, shown);
      }
      size = info.size;
      mtime = info.mtime;
    } catch (error) {
      if (error instanceof HttpError) throw error;
      if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
        return makeResponse(shown, 404, new Headers(), null);
      }
      throw new HttpError(`cannot read ${path}: ${describe(error)}`, shown, "network", {
        cause: error,
      });
    }
    const etag = `"${size.toString(16)}-${(mtime?.getTime() ?? 0).toString(16)}"`;
    const headers = new Headers({ etag });
    if (mtime) headers.set("last-modified", mtime.toUTCString());
    if (options.etag === etag) {
      file.close();
      return makeResponse(shown, 304, headers, null);
    }
    let start = 0;
    let end = size - 1;
    let status = 200;
    if (options.range) {
      if ("suffix" in options.range) start = Math.max(0, size - options.range.suffix);
      else {
        start = options.range.start;
        end = Math.min(size - 1, options.range.end ?? size - 1);
      }
      if (start >= size || start > end) {
        file.close();
        headers.set("content-range", `bytes */${size}`);
        return makeResponse(shown, 416, headers, null);
      }
      status = 206;
      headers.set("content-range", `bytes ${start}-${end}/${size}`);
    }
    headers.set("content-length", String(end - start + 1));
    await file.seek(start, Deno.SeekMode.Start);
    let left = end - start + 1;
    const body = new ReadableStream<Uint8Array>({
      async pull(stream) {
        try {
          const buf = new Uint8Array(Math.min(left, 256 * 1024));
          const n = left === 0 ? null : await file.read(buf);
          if (n === null || n === 0) {
            file.close();
            stream.close();
            return;
          }
          left -= n;
          stream.enqueue(buf.subarray(0, n));
        } catch (error) {
          file.close();
          stream.error(error);
        }
      },
      cancel() {
        try {
          file.close();
        } catch {
          // already closed
        }
      },
    }, { highWaterMark: 0 });
    return makeResponse(shown, status, headers, body);
  }
}
