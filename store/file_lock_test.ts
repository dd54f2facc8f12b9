import { assert, assertEquals } from "../tests/support/assert.ts";
import { FileLock } from "./file_lock.ts";

Deno.test("FileLock: shared locks coexist, an exclusive one excludes them, release frees", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/locks/store.lock`; // the folder is created on demand
    const a = await FileLock.acquire(path, { exclusive: false });
    const b = await FileLock.tryAcquire(path, { exclusive: false });
    assert(b !== null, "two shared holders");
    assertEquals(await FileLock.tryAcquire(path, { exclusive: true }), null);
    a.release();
    b.release();
    b.release(); // twice is harmless
    const x = await FileLock.tryAcquire(path, { exclusive: true });
    assert(x !== null);
    assertEquals(await FileLock.tryAcquire(path, { exclusive: false }), null);
    // A waiter gets the lock as soon as the holder lets go.
    let got = false;
    const waiting = FileLock.acquire(path, { exclusive: false }).then((l) => {
      got = true;
      return l;
    });
    await new Promise((r) => setTimeout(r, 50));
    assertEquals(got, false);
    await x.downgrade();
    const shared = await waiting;
    assert(got);
    shared.release();
    x.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileLock: a lock held by a killed process is free again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/store.lock`;
    const holder = new Deno.Command("python3", {
      args: [
        "-c",
        `import fcntl,sys,time\nf=open(${
          JSON.stringify(path)
        },"w")\nfcntl.flock(f,fcntl.LOCK_EX)\nprint("held",flush=True)\ntime.sleep(60)`,
      ],
      stdout: "piped",
    }).spawn();
    const reader = holder.stdout.getReader();
    await reader.read();
    assertEquals(await FileLock.tryAcquire(path, { exclusive: false }), null);
    holder.kill("SIGKILL");
    await holder.status;
    reader.releaseLock();
    await holder.stdout.cancel();
    const lock = await FileLock.tryAcquire(path, { exclusive: true });
    assert(lock !== null);
    lock.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
