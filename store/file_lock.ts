/**
 * Advisory file locks (`flock`) between envknit processes sharing one store.
 *
 * Installers hold the store lock *shared* while they build and rename entries; `store gc` and
 * `store cleanup` hold it *exclusive*, so they never remove an entry or a temp folder that a
 * running install is using. The kernel drops a lock when its holder dies (even by SIGKILL), so a
 * crash never leaves the store locked.
 *
 * Lock files are never deleted: removing one while another process waits on it would let two
 * processes "hold" locks on two different inodes of the same path.
 *
 * @module
 */
import { EnvknitError } from "../core/errors.ts";

/** A held lock; release it with {@link FileLock.release} (or `using`). */
export class FileLock implements Disposable {
  #file: Deno.FsFile | null;
  /** The lock file's path. */
  readonly path: string;
  #exclusive: boolean;

  private constructor(path: string, file: Deno.FsFile, exclusive: boolean) {
    this.path = path;
    this.#file = file;
    this.#exclusive = exclusive;
  }

  /** Whether this lock is currently exclusive. */
  get exclusive(): boolean {
    return this.#exclusive;
  }

  /**
   * Waits until the lock at `path` is ours (creating the file and its folder when needed).
   * Shared locks coexist with each other; an exclusive lock excludes every other holder.
   */
  static async acquire(path: string, options: { exclusive: boolean }): Promise<FileLock> {
    const file = await openLockFile(path);
    try {
      await file.lock(options.exclusive);
    } catch (error) {
      file.close();
      throw lockError(path, error);
    }
    return new FileLock(path, file, options.exclusive);
  }

  /** Takes the lock only if that is possible right now; null when someone else holds it. */
  static async tryAcquire(path: string, options: { exclusive: boolean }): Promise<FileLock | null> {
    const file = await openLockFile(path);
    let ok: boolean;
    try {
      ok = await file.tryLock(options.exclusive);
    } catch (error) {
      file.close();
      throw lockError(path, error);
    }
    if (!ok) {
      file.close();
      return null;
    }
    return new FileLock(path, file, options.exclusive);
  }

  /**
   * Turns an exclusive lock into a shared one. (flock converts by dropping and re-taking, so
   * another exclusive holder may run in between; callers must not rely on continuity.)
   */
  async downgrade(): Promise<void> {
    if (!this.#file || !this.#exclusive) return;
    await this.#file.lock(false);
    this.#exclusive = false;
  }

  /** Releases the lock. Safe to call twice. */
  release(): void {
    const file = this.#file;
    this.#file = null;
    if (!file) return;
    try {
      file.close(); // closing the descriptor drops the flock
    } catch {
      // already closed
    }
  }

  /** Releases the lock (for `using`). */
  [Symbol.dispose](): void {
    this.release();
  }
}

/** Runs `fn` while holding the lock at `path`, and releases it afterwards. */
export async function withFileLock<T>(
  path: string,
  options: { exclusive: boolean },
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await FileLock.acquire(path, options);
  try {
    return await fn();
  } finally {
    lock.release();
  }
}

async function openLockFile(path: string): Promise<Deno.FsFile> {
  const dir = path.slice(0, path.lastIndexOf("/")) || "/";
  try {
    return await Deno.open(path, { read: true, write: true, create: true, mode: 0o644 });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw lockError(path, error);
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
    return await Deno.open(path, { read: true, write: true, create: true, mode: 0o644 });
  } catch (error) {
    throw lockError(path, error);
  }
}

function lockError(path: string, error: unknown): EnvknitError {
  return new EnvknitError(
    `cannot lock ${path}: ${error instanceof Error ? error.message : String(error)}`,
    { hints: ["check that the envknit store is writable (ENVKNIT_HOME)"], cause: error },
  );
}
