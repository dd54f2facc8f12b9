/**
 * `fetchWheels`: copies wheels into a folder, for installing on a machine without the index
 * (`envknit install --offline --find-links DIR`; `ops/fetch.ts` chooses the wheels of a lock).
 * Each file is hashed while it is written and must have its size and sha256 before it gets its
 * final name; a file already in the folder with the right hash is kept.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { EnvknitError } from "../core/errors.ts";
import type { HttpClient } from "./http/client.ts";
import type { StoreLayout } from "./layout.ts";
import type { WheelFile } from "./packages.ts";
import {
  downloadClient,
  isTransient,
  locateWheel,
  openRegularFile,
  type WheelSource,
} from "./install/sources.ts";
import { receiveWheel } from "./install/receive.ts";

/** Options of {@link fetchWheels}. */
export interface FetchWheelsOptions {
  /** The folder to fill (created when missing). */
  dest: string;
  /** The store, whose wheel cache is read first. */
  layout: StoreLayout;
  /** Environment variables (trusted hosts, `HOME` for `~/.netrc`, …). */
  env: Record<string, string>;
  /** Folders searched for wheel files (by file name) before the network. */
  findLinks?: string[];
  /** Never use the network: wheels must be in the cache or a find-links folder. */
  offline?: boolean;
  /** The HTTP client for downloads (default: a new one, made when one is needed). */
  http?: HttpClient;
  /** Index URLs whose credentials downloads may use. */
  credentialUrls?: string[];
  /** Wheels copied at once (default 6). */
  concurrency?: number;
  /** Called as wheels are copied: files to copy, files done, bytes read. */
  onProgress?: (p: { total: number; done: number; bytes: number }) => void;
}

/** What {@link fetchWheels} did. */
export interface FetchResult {
  /** Files written now. */
  written: string[];
  /** Files that were already there with the right hash. */
  kept: string[];
}

async function sha256OfFile(path: string): Promise<string | null> {
  try {
    const hash = createHash("sha256");
    using file = await openRegularFile(path);
    for await (const chunk of file.readable) hash.update(chunk);
    return hash.digest("hex");
  } catch {
    return null;
  }
}

/** Writes `wheels` into `options.dest` (see the module docs). */
export async function fetchWheels(
  wheels: readonly WheelFile[],
  options: FetchWheelsOptions,
): Promise<FetchResult> {
  const { env, layout } = options;
  const dest = options.dest.replace(/\/+$/, "") || "/";
  try {
    await Deno.mkdir(dest, { recursive: true });
  } catch (error) {
    throw new EnvknitError(`cannot create ${dest}: ${(error as Error).message}`);
  }

  const result: FetchResult = { written: [], kept: [] };
  const todo: WheelFile[] = [];
  for (const wheel of wheels) {
    if ((await sha256OfFile(`${dest}/${wheel.file}`)) === wheel.sha256) {
      result.kept.push(wheel.file);
    } else todo.push(wheel);
  }
  let http = options.http;
  const progress = { total: todo.length, done: 0, bytes: 0 };
  let failure: unknown = null;
  let next = 0;
  const worker = async () => {
    while (failure === null && next < todo.length) {
      const wheel = todo[next++];
      for (let attempt = 1;; attempt++) {
        try {
          const source = await locateWheel(layout, wheel, options.findLinks ?? []);
          if (source.kind === "url") {
            if (options.offline && !source.url.startsWith("file:")) {
              throw new EnvknitError(
                `offline, and ${wheel.file} is neither in the cache nor in a --find-links folder`,
              );
            }
            http ??= downloadClient(env, options.credentialUrls ?? []);
          }
          await copyVerified(source, wheel, `${dest}/${wheel.file}`, http, (n) => {
            progress.bytes += n;
            options.onProgress?.({ ...progress });
          });
          result.written.push(wheel.file);
          progress.done++;
          options.onProgress?.({ ...progress });
          break;
        } catch (error) {
          if (failure === null && isTransient(error) && attempt < 3) continue;
          failure ??= error;
          break;
        }
      }
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 6, todo.length));
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure !== null) throw failure;
  result.written.sort();
  result.kept.sort();
  return result;
}

/** Streams a wheel into `target` through a temp name; renamed only when its size and sha256 match. */
async function copyVerified(
  source: WheelSource,
  wheel: WheelFile,
  target: string,
  http: HttpClient | undefined,
  onBytes: (n: number) => void,
): Promise<void> {
  const dir = target.slice(0, target.lastIndexOf("/"));
  const tmp = `${dir}/.${wheel.file}.${crypto.randomUUID().slice(0, 8)}.part`;
  await receiveWheel(source, wheel, tmp, { http, onBytes });
  try {
    await Deno.rename(tmp, target);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}
