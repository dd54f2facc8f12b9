/**
 * An up-to-date lock is not resolved again. After a plain `lock` (no `--env`, `--update`,
 * `--upgrade` or `--dry-run`), envknit remembers under the store's cache what went in (envknit.yaml
 * by its hash, the settings of the command line, the target interpreters by their cached probes),
 * the digest of the lock that came out, and until when the index's answers it used stay fresh by
 * their `Cache-Control` (PyPI: 10 minutes). A later plain `lock` with the same inputs, finding the
 * lock file as written, within that time, would ask the same questions, get the same answers
 * without a request, and write the same lock: it stops there (as `uv lock` does with a lock that
 * satisfies the project), without loading the resolver, the index client or any Python.
 *
 * Anything else resolves again: envknit.yaml or the lock file edited, another interpreter (a shim
 * that now points elsewhere has another probe), other flags, a stale index page, find-links
 * folders or `file://` mirrors (read anew every time), `--refresh`, `--offline`. A missing or
 * unreadable memo only costs that resolution.
 *
 * @module
 */
import { configHash, findConfig, type ProjectConfig, readConfig } from "../../project/config.ts";
import { loadLock, LOCK_FILENAME } from "../../project/lock.ts";
import { ENVKNIT_VERSION } from "../../core/version.ts";
import { sha256Hex } from "../../core/sha256.ts";
import { writeFileQuietly } from "../../core/atomic_write.ts";
import { envknitHome } from "../../store/home.ts";
import { noHttpTraffic } from "../../store/http/stats.ts";
import { noIndexWork } from "../../store/index/stats.ts";
import { StoreLayout } from "../../store/layout.ts";
import { lockInterpretersIdentity } from "../interpreter.ts";
import { chooseTargets, type LockOptions, type LockResult, overrideNotes } from "./lock_api.ts";

/** Bumped when what the memo vouches for changes meaning. */
const MEMO_FORMAT = 1;

/** What a plain lock of a project depended on, besides the index. */
export interface LockInputs {
  config: ProjectConfig;
  options: LockOptions;
  envVars: Record<string, string>;
  /** The store (interpreter probes and the memo are kept in its cache). */
  layout: StoreLayout;
}

interface LockMemo {
  /** The digest of {@link inputsDigest}. */
  inputs: string;
  /** SHA-256 of the lock file's text. */
  lock: string;
  /** Until when (epoch ms) the index's answers stay fresh. */
  freshUntil: number;
}

/**
 * One digest of the inputs, or null when they cannot be named without running a Python (an
 * interpreter that was never probed).
 */
async function inputsDigest(inputs: LockInputs): Promise<string | null> {
  const { config, options, envVars, layout } = inputs;
  const targets = chooseTargets(config, options);
  // Several targets are described in envknit.yaml (its hash) or the options; nothing runs.
  const interpreters = targets ? null : await lockInterpretersIdentity(
    new Map(
      Object.entries(config.environments).map(([name, env]) => [name, env.pythonVersion ?? null]),
    ),
    options,
    { env: envVars, cacheDir: layout.cacheDir },
  );
  if (!targets && interpreters === null) return null;
  return await sha256Hex(JSON.stringify({
    format: MEMO_FORMAT,
    envknit: ENVKNIT_VERSION,
    config: config.path,
    configHash: await configHash(config),
    indexUrl: options.indexUrl ?? null,
    extraIndexUrls: options.extraIndexUrls ?? [],
    findLinks: options.findLinks ?? [],
    trustedHosts: options.trustedHosts ?? [],
    prereleases: options.prereleases ?? null,
    anyWheel: options.anyWheel ?? null,
    noBinary: options.noBinary ?? null,
    targets,
    interpreters,
  }));
}

async function memoFile(layout: StoreLayout, lockPath: string): Promise<string> {
  return `${layout.lockMemoDir}/${(await sha256Hex(lockPath)).slice(0, 32)}.json`;
}

/** Remembers that a plain lock with `inputs` wrote `text`, valid until `freshUntil`. */
export async function rememberLock(
  inputs: LockInputs,
  text: string,
  freshUntil: number,
): Promise<void> {
  const digest = await inputsDigest(inputs);
  if (digest === null) return;
  const memo: LockMemo = { inputs: digest, lock: await sha256Hex(text), freshUntil };
  const file = await memoFile(inputs.layout, `${inputs.config.dir}/${LOCK_FILENAME}`);
  await writeFileQuietly(file, JSON.stringify(memo) + "\n");
}

/**
 * The result of `lockProject(options)` when the lock is known to be up to date (see the module
 * docs), without resolving; null when it must be resolved.
 */
export async function unchangedLock(options: LockOptions): Promise<LockResult | null> {
  const started = performance.now();
  if (
    options.env !== undefined || options.update?.length || options.upgrade || options.dryRun ||
    options.refresh || options.offline
  ) {
    return null;
  }
  const envVars = options.envVars ?? Deno.env.toObject();
  const configPath = options.configPath ?? await findConfig(options.cwd ?? Deno.cwd());
  if (!configPath) return null;
  const layout = new StoreLayout(envknitHome(envVars));
  const config = await readConfig(configPath, layout.parsedCacheDir);
  const envNames = Object.keys(config.environments).sort();
  if (envNames.length === 0) return null;
  const lockPath = `${config.dir}/${LOCK_FILENAME}`;
  let memo: LockMemo;
  let text: string;
  try {
    memo = JSON.parse(await Deno.readTextFile(await memoFile(layout, lockPath)));
    if (!(memo.freshUntil > Date.now())) return null;
    text = await Deno.readTextFile(lockPath);
  } catch {
    return null;
  }
  if (memo.lock !== await sha256Hex(text)) return null;
  if (memo.inputs !== await inputsDigest({ config, options, envVars, layout })) return null;
  const { lock } = await loadLock(lockPath, layout.parsedCacheDir, text);
  for (const note of overrideNotes(options, config.resolver ?? {})) options.onWarning?.(note);
  const ms = Math.round(performance.now() - started);
  return {
    lock,
    text,
    lockPath,
    written: false,
    environments: envNames,
    stats: {
      http: noHttpTraffic(),
      index: noIndexWork(),
      seconds: ms / 1000,
      phases: { unchanged: ms },
    },
  };
}
