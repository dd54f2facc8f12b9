/**
 * Waits, before installs are timed, until the disk creates files at its settled speed.
 *
 * ext4 mounted without a journal (as on this project's CI machines) does not hand out an inode
 * freed in the last minute (the last six while the block holding it is not yet written back),
 * and each file it creates first steps over every such inode of its block group. For minutes
 * after thousands of files were deleted there (a test run, the previous bench's cleanup), each
 * file created costs several times more (measured here: 80 to 430 µs, against 15 to 20 µs), and
 * a cold install would time that instead of itself. Creating files re-dirties those blocks, so a
 * `sync` and a short pause are not enough: only waiting is.
 *
 * The probe creates empty files in a new folder of the folder the installs will write to (a
 * folder's files go to its block group), and the same in memory (`/dev/shm`), which is what the
 * system calls cost by themselves. Settled when the disk costs less than {@linkcode SETTLED_FACTOR}
 * times memory.
 *
 * @module
 */

/** Disk against memory, per file created, below which creation counts as settled. */
const SETTLED_FACTOR = 4;
const PROBE_FILES = 3000;
const PAUSE_MS = 15_000;
const MAX_WAIT_MS = 7 * 60_000;

/**
 * Microseconds per empty file created in a new folder `folder`: as many files as one install
 * of the bench creates, since what slows creation down may lie past the first free inodes.
 */
function probe(folder: string): number {
  Deno.mkdirSync(folder);
  const started = performance.now();
  for (let i = 0; i < PROBE_FILES; i++) {
    Deno.openSync(`${folder}/${i}`, { write: true, createNew: true }).close();
  }
  return ((performance.now() - started) * 1000) / PROBE_FILES;
}

/** Waits for the disk's write-back to finish (`sync`). */
export async function syncDisk(): Promise<void> {
  await new Deno.Command("sync").output();
}

async function inMemory(): Promise<number | null> {
  let dir;
  try {
    dir = await Deno.makeTempDir({ dir: "/dev/shm", prefix: "envknit-settle-" });
  } catch {
    return null;
  }
  try {
    return probe(`${dir}/probe`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Probes file creation in `dir` every 15 s, after a `sync`, until it is settled or seven minutes
 * have gone by; returns one line saying what it found, for the bench's output. The probe's
 * folders stay in `dir` (deleting them would add to what it waits for).
 */
export async function settleFileCreation(dir: string): Promise<string> {
  const memory = await inMemory();
  if (memory === null) return "file creation not checked (no /dev/shm)";
  const started = performance.now();
  const us = (x: number) => `${x.toFixed(0)} µs`;
  for (let attempt = 0;; attempt++) {
    await syncDisk();
    const disk = probe(`${dir}/settle-probe-${attempt}`);
    const waitedMs = performance.now() - started;
    const figures = `${us(disk)} a file on disk, ${us(memory)} in memory`;
    if (disk < SETTLED_FACTOR * memory) {
      const waited = attempt ? `after a ${(waitedMs / 1000).toFixed(0)} s wait ` : "";
      return `file creation settled ${waited}(${figures})`;
    }
    if (waitedMs > MAX_WAIT_MS) {
      return `file creation still slowed down after ${(waitedMs / 1000).toFixed(0)} s ` +
        `(${figures}): files deleted lately; the cold install times include that`;
    }
    if (attempt === 0) {
      console.log(
        `  file creation is slowed down (${figures}), probably by files deleted in the last ` +
          `minutes: waiting for it to settle (at most ${MAX_WAIT_MS / 60_000} min)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
}
