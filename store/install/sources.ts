/**
 * Where a wheel's bytes come from — the wheel cache (by sha256), a find-links folder, or its URL —
 * and how they are read: {@link locateWheel} picks the source, {@link openWheelSource} opens its
 * byte stream (a transfer that breaks off is a {@link DownloadError}, worth another attempt),
 * {@link downloadClient} is the HTTP client for downloads, and {@link cacheWheel} keeps a wheel
 * `lock` had to download whole. Used by `installWheels` (`store/installing.ts`), `fetchWheels`
 * (`store/fetching.ts`) and the entry builder; loads none of the unpacking machinery. Nothing is
 * verified here: the readers hash the bytes.
 *
 * @module
 */
import { writeFileQuietly } from "../../core/atomic_write.ts";
import { EnvknitError } from "../../core/errors.ts";
import { downloadDeadlineMs, HttpClient, isDeadlineError } from "../http/client.ts";
import { httpOptionsFromEnv } from "../http/env.ts";
import type { StoreLayout } from "../layout.ts";
import type { WheelFile } from "../packages.ts";

/** Where a wheel's bytes come from. */
export type WheelSource =
  | { kind: "cache"; path: string }
  | { kind: "file"; path: string }
  | { kind: "url"; url: string };

/** A failure while receiving a wheel's bytes (worth another attempt). */
export class DownloadError extends EnvknitError {
  constructor(message: string, options: { cause?: unknown; hints?: string[] } = {}) {
    super(message, options);
    this.name = "DownloadError";
  }
}

/** Opens the byte stream of a wheel (`wheel` names it in messages). */
export async function openWheelSource(
  src: WheelSource,
  wheel: WheelFile,
  http?: HttpClient,
): Promise<AsyncIterable<Uint8Array>> {
  if (src.kind !== "url") return (await openRegularFile(src.path)).readable;
  const response = await (http ?? new HttpClient()).get(src.url, {
    deadlineMs: downloadDeadlineMs(wheel.size),
  });
  if (response.status !== 200) {
    await response.cancel();
    // Not retried here: the client already retried the statuses worth retrying.
    throw new EnvknitError(
      `GET ${response.url} answered HTTP ${response.status} for ${wheel.file}`,
      { hints: ["the index may have removed the file; re-lock with 'envknit lock'"] },
    );
  }
  const body = response.body;
  if (!body) throw new DownloadError(`GET ${response.url} returned no body`);
  return networkErrorsAsDownloadErrors(body, response.url);
}

/**
 * Opens a local file for reading, refusing anything but a regular file (links to one are
 * followed): opening a FIFO would wait forever for a writer, a device would never end. Checked
 * before the open and again on the open file.
 *
 * @throws EnvknitError `cannot read <path>: …`
 */
export async function openRegularFile(path: string): Promise<Deno.FsFile> {
  const refuse = (info: Deno.FileInfo) =>
    new EnvknitError(
      `cannot read ${path}: it is ${describeFileType(info)}, not a regular file`,
    );
  let file: Deno.FsFile;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw refuse(info);
    file = await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof EnvknitError) throw error;
    throw new EnvknitError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const info = await file.stat();
  if (!info.isFile) {
    file.close();
    throw refuse(info);
  }
  return file;
}

/** What kind of file `info` describes, for messages ("a FIFO", "a directory", …). */
export function describeFileType(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isSymlink) return "a symbolic link";
  if (info.isFifo) return "a FIFO (named pipe)";
  if (info.isSocket) return "a socket";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  return "a special file";
}

/** Failures while the body streams in (a reset, a stall) become {@link DownloadError}s. */
async function* networkErrorsAsDownloadErrors(
  body: ReadableStream<Uint8Array>,
  url: string,
): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        // Out of time is final: another attempt would only take as long again.
        if (isDeadlineError(error)) throw error;
        const why = error instanceof Error ? error.message : String(error);
        throw new DownloadError(`the download of ${url} failed: ${why}`, {
          cause: error,
          hints: ["the index closed the connection; try again"],
        });
      }
      if (result.done) return;
      yield result.value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/**
 * Whether an error is worth retrying the whole wheel for: a transfer that broke off mid-way.
 * (Failures before the body are retried by the HTTP client itself.)
 */
export function isTransient(error: unknown): boolean {
  return error instanceof DownloadError;
}

/** Whether `path` exists (following links). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where to read `wheel` from: the wheel cache (by sha256), else the first find-links folder that
 * has a file of its name, else its URL. Nothing is verified here: the reader hashes the bytes.
 */
export async function locateWheel(
  layout: StoreLayout,
  wheel: WheelFile,
  findLinks: readonly string[],
): Promise<WheelSource> {
  const cached = layout.cachedWheel(wheel.sha256);
  if (await exists(cached)) return { kind: "cache", path: cached };
  for (const dir of findLinks) {
    const path = `${dir.replace(/\/+$/, "")}/${wheel.file}`;
    if (await exists(path)) return { kind: "file", path };
  }
  return { kind: "url", url: wheel.url };
}

/**
 * The HTTP client for downloading wheels: plain-http hosts trusted by `env`, and the credentials
 * of `credentialUrls` (the index URLs of envknit.yaml or `--index-url`).
 */
export function downloadClient(
  env: Record<string, string>,
  credentialUrls: readonly string[],
): HttpClient {
  const http = new HttpClient(httpOptionsFromEnv(env));
  for (const url of credentialUrls) http.rememberCredentials(url);
  return http;
}

/**
 * Keeps a wheel that was downloaded whole (`lock` does when its index serves neither PEP 658
 * metadata nor ranges) in the wheel cache, so `envknit install` does not download it again. Its
 * sha256 must have been checked. It is spooled in the cache's temp folder, which cleanup empties
 * after a crash; a failure is ignored (the cache only saves time).
 */
export async function cacheWheel(
  layout: StoreLayout,
  sha256: string,
  bytes: Uint8Array,
): Promise<void> {
  await writeFileQuietly(layout.cachedWheel(sha256), bytes, { tmpDir: layout.wheelCacheTmpDir });
}
