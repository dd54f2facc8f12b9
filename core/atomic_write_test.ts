import { assert, assertEquals, assertRejects, assertThrows } from "../tests/support/assert.ts";
import { writeFileAtomic, writeFileAtomicSync, writeFileQuietly } from "./atomic_write.ts";
import { EnvknitError } from "./errors.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "envknit-atomic-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const names = async (dir: string) =>
  (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();

Deno.test("writeFileAtomicSync and writeFileAtomic replace a file and leave no temp file", () =>
  withDir(async (dir) => {
    writeFileAtomicSync(`${dir}/a.txt`, "one");
    writeFileAtomicSync(`${dir}/a.txt`, "two");
    assertEquals(await Deno.readTextFile(`${dir}/a.txt`), "two");
    await writeFileAtomic(`${dir}/b.bin`, new Uint8Array([1, 2, 3]));
    assertEquals(await Deno.readFile(`${dir}/b.bin`), new Uint8Array([1, 2, 3]));
    assertEquals(await names(dir), ["a.txt", "b.bin"]);
    assertEquals((await Deno.stat(`${dir}/a.txt`)).mode! & 0o777, 0o644);
  }));

Deno.test("a missing folder is an EnvknitError naming the file, unless mkdir is asked for", () =>
  withDir(async (dir) => {
    const error = assertThrows(
      () => writeFileAtomicSync(`${dir}/no/such/x.txt`, "x"),
      EnvknitError,
      `cannot write ${dir}/no/such/x.txt`,
    );
    assert(error instanceof EnvknitError);
    await assertRejects(() => writeFileAtomic(`${dir}/no/x.txt`, "x"), EnvknitError);
    writeFileAtomicSync(`${dir}/s/t/x.txt`, "x", { mkdir: true });
    await writeFileAtomic(`${dir}/u/v/y.txt`, "y", { mkdir: true });
    assertEquals(await Deno.readTextFile(`${dir}/s/t/x.txt`), "x");
    assertEquals(await Deno.readTextFile(`${dir}/u/v/y.txt`), "y");
  }));

Deno.test("the temp file can live in another folder, which mkdir creates", () =>
  withDir(async (dir) => {
    await writeFileAtomic(`${dir}/cache/w.whl`, "wheel", {
      mkdir: true,
      tmpDir: `${dir}/cache/.tmp`,
    });
    assertEquals(await Deno.readTextFile(`${dir}/cache/w.whl`), "wheel");
    assertEquals(await names(`${dir}/cache/.tmp`), []);
  }));

Deno.test("a failed rename removes the temp file; writeFileQuietly swallows the failure", () =>
  withDir(async (dir) => {
    await Deno.mkdir(`${dir}/taken/inside`, { recursive: true }); // a folder cannot be replaced
    assertThrows(() => writeFileAtomicSync(`${dir}/taken`, "x"), EnvknitError);
    await assertRejects(() => writeFileAtomic(`${dir}/taken`, "x"), EnvknitError);
    await writeFileQuietly(`${dir}/taken`, "x");
    assertEquals(await names(dir), ["taken"]);
    await writeFileQuietly(`${dir}/c/d.json`, "{}");
    assertEquals(await Deno.readTextFile(`${dir}/c/d.json`), "{}");
  }));
