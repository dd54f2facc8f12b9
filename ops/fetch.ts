/**
 * `fetchLock`: copies every wheel a lock needs into a folder, for installing on a machine without
 * the index (`envknit install --offline --find-links DIR`). The lock's selected environments
 * become package versions (`selection.ts`); each contributes the wheel the target interpreter
 * would install (`interpreter.ts`, `chooseWheels`), or with `allPlatforms` every wheel; the store
 * copies them, each checked against the lock's sha256 (`store/fetching.ts`).
 *
 * A multi-target lock (schema 1.2) gives every listed target's wheels (the entries whose marker
 * holds there, each with the wheel that fits it, chosen without running any Python), so one
 * folder serves an air-gapped machine of any target; `target` (1-based) takes one target's.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";
import { type FetchResult, fetchWheels } from "../store/fetching.ts";
import { StoreLayout } from "../store/layout.ts";
import type { WheelFile } from "../store/packages.ts";
import { loadLock } from "../project/lock.ts";
import type { InstallOptions } from "./install.ts";
import { InstallTarget } from "./interpreter.ts";
import {
  describeTarget,
  lockPackages,
  lockTargets,
  machineWheels,
  type Selection,
  targetWheels,
} from "./selection.ts";

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
  /**
   * One of the lock's targets (1-based, in the order the lock lists them): only its wheels,
   * chosen for it without running its Python.
   */
  target?: number;
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
  let wheels: WheelFile[];
  const targets = lockTargets(lock);
  if (options.target !== undefined) {
    const i = options.target;
    if (!Number.isSafeInteger(i) || i < 1 || i > targets.length) {
      throw new EnvknitError(
        `the lock has no target ${i}: ${
          targets.length
            ? `its targets are ${
              targets.map((t, k) => `${k + 1} (${describeTarget(t)})`).join(", ")
            }`
            : "it names none"
        }`,
        { hints: ["choose one with --target N (1 is the first), or leave --target out"] },
      );
    }
    wheels = (await targetWheels(lock, options, i - 1)).map((c) => c.wheel.wheel);
  } else if (options.allPlatforms) {
    wheels = lockPackages(lock, options).flatMap((p) => p.wheels.map((w) => w.wheel));
  } else if (lock.targets?.length) {
    // Every target's wheels, each file once.
    const bySha = new Map<string, WheelFile>();
    for (let i = 0; i < targets.length; i++) {
      for (const c of await targetWheels(lock, options, i)) {
        bySha.set(c.wheel.wheel.sha256, c.wheel.wheel);
      }
    }
    wheels = [...bySha.values()];
  } else {
    const target = new InstallTarget(lock.target, {
      python: options.python,
      env,
      cacheDir: layout.cacheDir,
    });
    wheels = (await machineWheels(lock, options, target)).map((c) => c.wheel.wheel);
  }
  return await fetchWheels(wheels, { ...options, layout, env });
}
