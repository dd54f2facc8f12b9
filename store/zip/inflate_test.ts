import { assert, assertEquals, assertRejects } from "../../tests/support/assert.ts";
import { deflateRaw } from "../../tests/support/zip_writer.ts";
import { ZipError } from "./errors.ts";
import { inflateRaw, inflateRawBytes } from "./inflate.ts";

Deno.test("inflateRaw round-trips data fed in any piece sizes", async () => {
  const data = new Uint8Array(200_000).map((_, i) => (i * 13) % 97);
  const compressed = await deflateRaw(data);
  assertEquals(await inflateRawBytes(compressed, data.length), data);
  const pieces = [];
  for (let at = 0; at < compressed.length; at += 777) {
    pieces.push(compressed.subarray(at, at + 777));
  }
  const out = [];
  for await (const chunk of inflateRaw(pieces, data.length)) out.push(...chunk);
  assertEquals(new Uint8Array(out), data);
  assertEquals((await inflateRawBytes(await deflateRaw(new Uint8Array()), 0)).length, 0);
});

Deno.test("a zip bomb stops at the cap, in bounded chunks, quickly", async () => {
  const bomb = await deflateRaw(new Uint8Array(64 * 1024 * 1024)); // ~64 KB inflating to 64 MB
  assert(bomb.length < 100_000);
  const started = performance.now();
  let largest = 0;
  let total = 0;
  const error = await assertRejects(
    async () => {
      for await (const chunk of inflateRaw([bomb], 4 * 1024 * 1024)) {
        largest = Math.max(largest, chunk.length);
        total += chunk.length;
      }
    },
    ZipError,
    "more than its declared 4194304 bytes",
  );
  assertEquals((error as ZipError).code, "checksum");
  assert(largest <= 9 * 1024 * 1024, `a chunk of ${largest} bytes`);
  assert(total <= 4 * 1024 * 1024);
  assert(performance.now() - started < 2000);
});

Deno.test("invalid deflate data and trailing bytes are corrupt", async () => {
  const e1 = await assertRejects(
    () => inflateRawBytes(new Uint8Array([0xff, 0xff, 0xff, 1, 2]), 100),
    ZipError,
  );
  assertEquals((e1 as ZipError).code, "corrupt");
  const good = await deflateRaw(new TextEncoder().encode("hello"));
  const e2 = await assertRejects(
    () => inflateRawBytes(new Uint8Array([...good, 1, 2, 3]), 100),
    ZipError,
  );
  assertEquals((e2 as ZipError).code, "corrupt");
  // A cut stream yields less; callers compare with the declared size.
  const long = await deflateRaw(new Uint8Array(100_000).map((_, i) => (i * 7) % 251));
  const cut = await inflateRawBytes(long.subarray(0, long.length >> 1), 100_000);
  assert(cut.length < 100_000);
});
