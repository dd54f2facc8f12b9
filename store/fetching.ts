/**
 * `fetchLock`: copies every wheel a lock needs into a folder, for installing on a machine without
 * the index (`envknit install --offline --find-links DIR`). Each file is hashed while it is
 * written and must equal the lock's sha256 before it gets its final name; a file already in the
 * folder with the right hash is kept.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { EnvknitError } from "../core/errors.ts";
import type { HttpClient } from "./http/client.ts";
import { StoreLayout } from "./layout.ts";
import { loadLock } from "../project/lock.ts";
import { isTransient, openWheelSource, type WheelSource } from "./install/build_entry.ts";
import { chooseWheels, lockPackages, type Selection, Target } from "./install/plan.ts";
import { downloadClient, locateWheel } from "./install/sources.ts";
import type { InstallOptions } from "./installing.ts";
import type { LockWheel } from "../project/lock.ts";

/** Options of {@link fetchLock}; those it shares with `installLock` mean the same. */
export interface FetchOptions extends
  Selection,
  Pick<
    InstallOptions,
    "lockPath" | "python" | "findLinks" | "offline" | "env" | "layout" | "http" | "credentialUrls"
  > {
  /** The folder to fill (created when missing). */
  dest: string;
  /** Every wheel of every locked version, not only the one for this interpreter. */
  allPlatforms?: boolean;
  /** Wheels copied at once (default 6). */
  concurrency?: number;
  onProgress?: (p: { total: number; done: number; bytes: number }) => void;
}

/** What {@link fetchLock} did. */
export interface FetchResult {
  /** Files written now. */
  written: string[];
  /** Files that were already there with the right hash. */
  kept: string[];
}

async function sha256OfFile(path: string): Promise<string | null> {
  try {
    const hash = createHash("sha256");
    using file = await Deno.open(path, { read: true });
    for await (const chunk of file.readable) hash.update(chunk);
    return hash.digest("hex");
  } catch {
    return null;
  }
}

/** Writes the wheels of the selected environments into `options.dest`. */
export async function fetchLock(options: FetchOptions): Promise<FetchResult> {
  const env = options.env ?? Deno.env.toObject();
  const layout = options.layout ?? StoreLayout.fromEnv(env);
  const { lock } = await loadLock(options.lockPath, layout.parsedCacheDir);
  const packages = lockPackages(lock, options);
  let wheels: LockWheel[];
  if (options.allPlatforms) {
    wheels = packages.flatMap((p) => p.wheels.map((w) => w.wheel));
  } else {
    const target = new Target(lock, { python: options.python, env, cacheDir: layout.cacheDir });
    wheels = (await chooseWheels(packages, target)).map((c) => c.wheel.wheel);
  }
  const dest = options.dest.replace(/\/+$/, "") || "/";
  try {
    await Deno.mkdir(dest, { recursive: true });
  } catch (error) {
    throw new EnvknitError(`cannot create ${dest}: ${(error as Error).message}`);
  }

  const result: FetchResult = { written: [], kept: [] };
  const todo: LockWheel[] = [];
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

/** Streams a wheel into `target` through a temp name; renamed only when its sha256 matches. */
async function copyVerified(
  source: WheelSource,
  wheel: LockWheel,
  target: string,
  http: HttpClient | undefined,
  onBytes: (n: number) => void,
): Promise<void> {
  const dir = target.slice(0, target.lastIndexOf("/"));
  const tmp = `${dir}/.${wheel.file}.${crypto.randomUUID().slice(0, 8)}.part`;
  const hash = createHash("sha256");
  try {
    const body = await openWheelSource(source, wheel, http);
    const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o644 });
    try {
      for await (const chunk of body) {
        hash.update(chunk);
        for (let done = 0; done < chunk.length;) done += await file.write(chunk.subarray(done));
        onBytes(chunk.length);
      }
    } finally {
      file.close();
    }
    const actual = hash.digest("hex");
    if (actual !== wheel.sha256) {
      throw new EnvknitError(
        `sha256 mismatch for ${wheel.file}: the lock has ${wheel.sha256.slice(0, 16)}…, ` +
          `the file has ${actual.slice(0, 16)}…`,
        { hints: ["the file differs from the one that was locked; it was not written"] },
      );
    }
    await Deno.rename(tmp, target);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
}
