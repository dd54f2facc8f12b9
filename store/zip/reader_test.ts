import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "../../tests/support/assert.ts";
import { writeZip, type ZipWriterEntry } from "../../tests/support/zip_writer.ts";
import { crc32 } from "node:zlib";
import { ZipError } from "./errors.ts";
import { decodeName, nameProblems } from "./names.ts";
import { openZip } from "./reader.ts";
import { bytesSource, openFileSource, type RandomAccessSource } from "./source.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** A source that counts the reads it serves (as an HTTP range client would make requests). */
function counting(bytes: Uint8Array): RandomAccessSource & { reads: [number, number][] } {
  const inner = bytesSource(bytes);
  const reads: [number, number][] = [];
  return {
    size: bytes.length,
    reads,
    read(offset, length) {
      reads.push([offset, length]);
      return inner.read(offset, length);
    },
  };
}

async function zipError(fn: () => Promise<unknown>, code: string, includes?: string) {
  const error = await assertRejects(fn, ZipError, includes);
  assertEquals(error.code, code, error.message);
  return error;
}

Deno.test("node:zlib crc32, which the zip reader uses, matches the check value and composes", () => {
  assertEquals(crc32(enc("123456789")), 0xcbf43926);
  assertEquals(crc32(new Uint8Array()), 0);
  const data = enc("The quick brown fox jumps over the lazy dog, twice over.");
  for (let cut = 0; cut <= data.length; cut++) {
    assertEquals(crc32(data.subarray(cut), crc32(data.subarray(0, cut))), crc32(data));
  }
  assertEquals(crc32(enc("The quick brown fox jumps over the lazy dog")), 0x414fa339);
});

Deno.test("reads stored, deflated, data-descriptor and ZIP64 archives", async () => {
  const big = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
  const entries: ZipWriterEntry[] = [
    { name: "pkg/", method: "store" },
    { name: "pkg/__init__.py", data: "x = 1\n".repeat(50) },
    { name: "pkg/data.bin", data: big, method: "store" },
    { name: "pkg/big.bin", data: big, dataDescriptor: true },
    { name: "pkg/empty.txt", data: "" },
  ];
  for (const zip64 of [false, true]) {
    const zip = await openZip(await writeZip(entries, { zip64, comment: "the comment" }));
    assertEquals(zip.zip64, zip64);
    assertEquals(zip.comment, "the comment");
    assertEquals(zip.entries.map((e) => e.name), entries.map((e) => e.name));
    assertEquals(zip.problems, []);
    zip.assertSafe();
    assert(zip.entries[0].isDirectory);
    assertEquals(zip.entries[1].mode, 0o100644);
    assertEquals(zip.entries[2].method, 0);
    assertEquals(zip.entries[3].method, 8);
    assertEquals(await zip.readText("pkg/__init__.py"), "x = 1\n".repeat(50));
    assertEquals(await zip.read("pkg/data.bin"), big);
    assertEquals(await zip.read(zip.entries[3]), big);
    assertEquals((await zip.read("pkg/empty.txt")).length, 0);
    assertEquals(zip.totalSize, 300 + 2 * big.length);
  }
});

Deno.test("stream() yields the same bytes as read() and checks the CRC at the end", async () => {
  const big = new Uint8Array(2_000_000).map((_, i) => (i * i) % 253);
  const zip = await openZip(
    await writeZip([
      { name: "a.bin", data: big },
      { name: "b.bin", data: big, method: "store" },
      { name: "bad.bin", data: big, declaredCrc32: 1 },
    ]),
  );
  for (const name of ["a.bin", "b.bin"]) {
    const got = new Uint8Array(await new Response(zip.stream(name, 65536)).arrayBuffer());
    assertEquals(got, big);
  }
  await zipError(() => new Response(zip.stream("bad.bin")).arrayBuffer(), "checksum", "CRC-32");
});

Deno.test("a remote-style source: METADATA of a wheel in three reads, not the whole file", async () => {
  const filler = new Uint8Array(500_000).map((_, i) => (i * 7919) % 256);
  const entries: ZipWriterEntry[] = [{ name: "demo/blob.bin", data: filler, method: "store" }];
  for (let i = 0; i < 2000; i++) entries.push({ name: `demo/mod_${i}.py`, data: `N = ${i}\n` });
  entries.push({ name: "demo-1.0.dist-info/METADATA", data: "Name: demo\nVersion: 1.0\n" });
  const bytes = await writeZip(entries);
  const source = counting(bytes);
  const zip = await openZip(source, { tailSize: 16 * 1024 });
  assertEquals(await zip.readText("demo-1.0.dist-info/METADATA"), "Name: demo\nVersion: 1.0\n");
  // The tail, the central directory (larger than the tail), then the member in one read.
  assertEquals(source.reads.length, 3);
  const fetched = source.reads.reduce((n, [, length]) => n + length, 0);
  assert(fetched < bytes.length / 2, `read ${fetched} of ${bytes.length} bytes`);

  // With the default tail the small archive's directory is in the first read: two reads.
  const small = counting(await writeZip(entries.slice(0, 200)));
  const zip2 = await openZip(small);
  assertEquals(await zip2.read("demo/blob.bin"), filler);
  assertEquals(small.reads.length, 2);

  // A tail the caller already has (from a suffix range request) replaces the first read.
  const prefetched = counting(bytes);
  const tail = bytes.subarray(bytes.length - 200_000);
  const zip3 = await openZip(prefetched, { tail });
  assertEquals(await zip3.readText("demo/mod_5.py"), "N = 5\n");
  assertEquals(prefetched.reads.length, 1);
});

Deno.test("reads from a file on disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/a.zip`;
    await Deno.writeFile(path, await writeZip([{ name: "a.txt", data: "hello" }]));
    using source = await openFileSource(path);
    const zip = await openZip(source);
    const [a, b] = await Promise.all([zip.readText("a.txt"), zip.readText("a.txt")]);
    assertEquals([a, b], ["hello", "hello"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("member names: UTF-8 when flagged, code page 437 otherwise", async () => {
  const raw = new Uint8Array([0x63, 0x61, 0x66, 0x82, 0x2e, 0x74, 0x78, 0x74]); // "caf\x82.txt"
  const zip = await openZip(
    await writeZip([
      { name: "café.txt", data: "1" },
      { name: raw, data: "2", utf8: false },
      { name: raw, data: "3", utf8: true },
    ]),
  );
  assertEquals(zip.entries.map((e) => e.name), ["café.txt", "café.txt", "caf\ufffd.txt"]);
  assertEquals(zip.entries[2].problems.map((p) => p.kind), ["encoding"]);
  assertEquals(decodeName(enc("plain"), false), { name: "plain", valid: true });
});

Deno.test("name checks", () => {
  const cases: [string, string[]][] = [
    ["pkg/mod.py", []],
    ["pkg/", []],
    ["/etc/passwd", ["absolute"]],
    ["C:/x.py", ["absolute"]],
    ["\\x.py", ["absolute", "backslash"]],
    ["../x.py", ["parent"]],
    ["pkg/../../x.py", ["parent"]],
    ["pkg\\..\\x.py", ["backslash", "parent"]],
    ["a\0b", ["nul"]],
    ["a\nb", ["control"]],
    ["a//b", ["malformed"]],
    ["./a", ["malformed"]],
    ["", ["malformed"]],
    ["..foo/bar..", []],
  ];
  for (const [name, kinds] of cases) assertEquals(nameProblems(name), kinds, name);
});

Deno.test("unsafe members are reported as data and refused by assertSafe with one message", async () => {
  const zip = await openZip(
    await writeZip([
      { name: "ok.py", data: "ok" },
      { name: "../evil.py", data: "x" },
      { name: "/abs.py", data: "x" },
      { name: "win\\path.py", data: "x" },
      { name: "nul\0.py", data: "x" },
      { name: "link", data: "/etc/passwd", unixMode: 0o120777 },
      { name: "fifo", unixMode: 0o010644 },
      { name: "ok.py", data: "again" },
      { name: "dir/", method: "store" },
      { name: "dir", data: "file where a dir is" },
      { name: "secret", data: "x", extraFlags: 1, method: "store" },
      { name: "bzip", data: "x", methodNumber: 12, method: "store" },
    ]),
  );
  const kinds = zip.problems.map((p) => `${p.name}:${p.kind}`);
  assertEquals(kinds, [
    "../evil.py:parent",
    "/abs.py:absolute",
    "win\\path.py:backslash",
    "nul\0.py:nul",
    "link:symlink",
    "fifo:special",
    "ok.py:duplicate",
    "dir:duplicate",
    "secret:encrypted",
    "bzip:method",
  ]);
  assert(zip.entries[5].isSymlink);
  assertEquals(zip.get("ok.py")?.index, 7); // the last of duplicates, as zipfile does
  const error = assertThrows(() => zip.assertSafe(), ZipError);
  assertEquals(error.code, "unsafe");
  assertEquals(
    error.message,
    'zip member "../evil.py" goes up out of the target directory ("..") (and 9 more problems)',
  );
  await zipError(() => zip.read("secret"), "unsupported", "encrypted");
  await zipError(() => zip.read("bzip"), "unsupported", "method 12");
  // Unsafe members are still readable as data, for diagnostics.
  assertEquals(await zip.readText("link"), "/etc/passwd");
});

Deno.test("checksums: wrong CRC, and declared sizes that lie (zip bombs) are caught", async () => {
  const bomb = new Uint8Array(10_000_000);
  const zip = await openZip(
    await writeZip([
      { name: "crc", data: "abc", declaredCrc32: 0x12345678 },
      { name: "bomb", data: bomb, declaredSize: 1000 },
      { name: "short", data: "abc", declaredSize: 10 },
    ]),
  );
  await zipError(() => zip.read("crc"), "checksum", "CRC-32");
  const error = await zipError(() => zip.read("bomb"), "checksum", "more than its declared 1000");
  assertStringIncludes(error.message, '"bomb"');
  await zipError(() => new Response(zip.stream("bomb")).arrayBuffer(), "checksum");
  await zipError(() => zip.read("short"), "checksum", "not the declared 10");
});

Deno.test("limits on counts and declared sizes", async () => {
  const bytes = await writeZip([
    { name: "a", data: "x".repeat(1000) },
    { name: "b", data: "y".repeat(1000) },
  ]);
  await zipError(() => openZip(bytes, { maxEntries: 1 }), "limit", "2 members");
  await zipError(() => openZip(bytes, { maxEntrySize: 999 }), "limit", '"a" declares 1000');
  await zipError(() => openZip(bytes, { maxTotalSize: 1500 }), "limit", "in total");
  await zipError(() => openZip(bytes, { maxCentralDirectorySize: 10 }), "limit", "central");
  const huge = await writeZip([{ name: "huge", data: "z", declaredSize: 0xfffffff0 }], {
    zip64: true,
  });
  await zipError(() => openZip(huge, { maxEntrySize: 2 ** 30 }), "limit");
});

function patch(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const copy = bytes.slice();
  copy.set(values, at);
  return copy;
}

function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
}

Deno.test("structural damage is a ZipError", async () => {
  const good = await writeZip([
    { name: "a.txt", data: "aaaa" },
    { name: "b.txt", data: "bbbb" },
  ]);
  const endAt = good.length - 22;
  const cdOffset = new DataView(good.buffer).getUint32(endAt + 16, true);
  await zipError(() => openZip(new Uint8Array(10)), "not-zip");
  await zipError(() => openZip(enc("x".repeat(100))), "not-zip");
  await zipError(() => openZip(good.subarray(0, good.length - 1)), "not-zip");
  await zipError(() => openZip(new Uint8Array([...good, 0])), "not-zip");
  // End record pointing elsewhere; central directory entry pointing past the data.
  await zipError(() => openZip(patch(good, endAt + 16, u32le(cdOffset - 1))), "corrupt");
  await zipError(() => openZip(patch(good, endAt + 12, u32le(0xffffff))), "corrupt");
  await zipError(() => openZip(patch(good, endAt + 8, [3, 0, 3, 0])), "corrupt");
  await zipError(() => openZip(patch(good, endAt + 4, [1, 0])), "unsupported");
  await zipError(() => openZip(patch(good, cdOffset + 42, u32le(cdOffset))), "corrupt", "outside");
  // The second entry's header offset pointing at the first: overlapping members.
  await zipError(
    () => openZip(patch(good, cdOffset + 46 + 5 + 42, u32le(0))),
    "corrupt",
    "overlap",
  );
  // A local header that names another file, or is not a header at all.
  const renamed = await openZip(patch(good, 30, [0x41]));
  await zipError(() => renamed.read("a.txt"), "corrupt", "names another file");
  const moved = await openZip(patch(good, 0, [0, 0, 0, 0]));
  await zipError(() => moved.read("a.txt"), "corrupt", "no local header");
  await zipError(() => renamed.read("nope"), "corrupt", "no member");
});

Deno.test("a source that returns short reads or fails is a ZipError", async () => {
  const bytes = await writeZip([{ name: "a.txt", data: "aaaa" }]);
  const short: RandomAccessSource = {
    size: bytes.length,
    read: (offset, length) => Promise.resolve(bytes.slice(offset, offset + length - 1)),
  };
  await zipError(() => openZip(short), "corrupt", "short read");
  const failing: RandomAccessSource = {
    size: bytes.length,
    read: () => Promise.reject(new TypeError("connection reset")),
  };
  await zipError(() => openZip(failing), "corrupt", "connection reset");
  await zipError(() => openZip({ size: -1, read: failing.read }), "corrupt");
});
