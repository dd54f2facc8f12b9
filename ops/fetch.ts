/**
 * `fetchLock`: copies every wheel a lock needs into a folder, for installing on a machine without
 * the index (`envknit install --offline --find-links DIR`). The lock's selected environments
 * become package versions (`selection.ts`); each contributes the wheel the target interpreter
 * would install (`interpreter.ts`, `chooseWheels`), or with `allPlatforms` every wheel; the store
 * copies them, each checked against the lock's sha256 (`store/fetching.ts`).
 *
 * @module
 */
import { type FetchResult, fetchWheels } from "../store/fetching.ts";
import { chooseWheels } from "../store/install/select.ts";
import { StoreLayout } from "../store/layout.ts";
import type { WheelFile } from "../store/packages.ts";
import { loadLock } from "../project/lock.ts";
import type { InstallOptions } from "./install.ts";
import { InstallTarget } from "./interpreter.ts";
import { lockPackages, type Selection } from "./selection.ts";

export type { FetchResult };

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
  /** Called as wheels are copied: files to copy, files done, bytes read. */
  onProgress?: (p: { total: number; done: number; bytes: number }) => void;
}

/** Writes the wheels of the selected environments into `options.dest`. */
export async function fetchLock(options: FetchOptions): Promise<FetchResult> {
  const env = options.env ?? Deno.env.toObject();
  const layout = options.layout ?? StoreLayout.fromEnv(env);
  const { lock } = await loadLock(options.lockPath, layout.parsedCacheDir);
  const packages = lockPackages(lock, options);
  let wheels: WheelFile[];
  if (options.allPlatforms) {
    wheels = packages.flatMap((p) => p.wheels.map((w) => w.wheel));
  } else {
    const target = new InstallTarget(lock.target, {
      python: options.python,
      env,
      cacheDir: layout.cacheDir,
    });
    wheels = (await chooseWheels(packages, target)).map((c) => c.wheel.wheel);
  }
  return await fetchWheels(wheels, { ...options, layout, env });
}
