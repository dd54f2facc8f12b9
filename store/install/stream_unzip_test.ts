import { createHash } from "node:crypto";
import { assert, assertEquals, assertRejects } from "../../tests/support/assert.ts";
import { writeZip, type ZipWriterEntry } from "../../tests/support/zip_writer.ts";
import { ZipError } from "../zip/errors.ts";
import { ByteReader } from "./byte_reader.ts";
import { streamUnzip } from "./stream_unzip.ts";

function chunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  return (async function* () {
    for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
  })();
}

const digest = (data: string | Uint8Array) => createHash("sha256").update(data).digest("base64url");

async function unzipTo(
  bytes: Uint8Array,
  chunkSize: number,
  dir: string,
  options: { noWrite?: boolean } = {},
) {
  let seen = 0;
  const reader = new ByteReader(chunks(bytes, chunkSize), (c) => {
    seen += c.length;
  });
  const result = await streamUnzip(reader, {
    destination: (name) => (options.noWrite ? null : `${dir}/${name}`),
  });
  await reader.drain();
  assertEquals(seen, bytes.length, "every byte went through the observer");
  return result;
}

const entries: (ZipWriterEntry & { name: string; data: string })[] = [
  { name: "pkg/", data: "" },
  { name: "pkg/__init__.py", data: "X = 1\n" },
  { name: "pkg/empty.py", data: "" },
  { name: "pkg/stored.txt", data: "stored bytes ".repeat(50), method: "store" },
  { name: "pkg/ünïcode.py", data: "# utf-8 name\n" },
  { name: "pkg/deflated.py", data: "print('hello')\n".repeat(200) },
];

Deno.test("streamUnzip: same members and digests whatever the chunk boundaries", async () => {
  const zip = await writeZip(entries);
  const dir = await Deno.makeTempDir();
  try {
    for (const size of [1, 2, 3, 7, 30, 31, 64, 1000, zip.length]) {
      const out = `${dir}/${size}`;
      const result = await unzipTo(zip, size, out);
      assertEquals(result.end, "central");
      assertEquals(
        result.members.map((m) => [m.name, m.digest]),
        entries.map((e) => [e.name, e.name.endsWith("/") ? null : digest(e.data)]),
        `chunks of ${size}`,
      );
      assertEquals(await Deno.readTextFile(`${out}/pkg/deflated.py`), entries[5].data);
      assertEquals(await Deno.readTextFile(`${out}/pkg/ünïcode.py`), "# utf-8 name\n");
      assertEquals(await Deno.readTextFile(`${out}/pkg/empty.py`), "");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamUnzip: a member with its sizes in a data descriptor stops streaming there", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The writer's data descriptors leave zeros in the local header: unstreamable from there.
    const zip = await writeZip([
      { name: "a.py", data: "a = 1\n" },
      { name: "b.py", data: "b = 2\n", dataDescriptor: true },
      { name: "c.py", data: "c = 3\n" },
    ]);
    const result = await unzipTo(zip, 5, dir);
    assertEquals(result.end, "unstreamable");
    assertEquals(result.members.map((m) => m.name), ["a.py"]);
    assert(result.stoppedAt > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamUnzip: ZIP64 sizes in the local extra field", async () => {
  const zip = await writeZip(entries.filter((e) => !e.name.endsWith("/")), { zip64: true });
  const result = await unzipTo(zip, 17, "", { noWrite: true });
  assertEquals(result.end, "central");
  assertEquals(result.members.length, entries.length - 1);
  assertEquals(result.members[4].digest, digest(entries[5].data));
});

Deno.test("streamUnzip: a large member is inflated piece by piece", async () => {
  // Incompressible enough that the compressed size exceeds the one-call limit (8 MiB).
  const big = new Uint8Array(9 * 1024 * 1024);
  let x = 12345;
  for (let i = 0; i < big.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    big[i] = x >>> 24;
  }
  const zip = await writeZip([{ name: "big.bin", data: big }, { name: "small.py", data: "s\n" }]);
  const dir = await Deno.makeTempDir();
  try {
    const result = await unzipTo(zip, 65536, dir);
    assertEquals(result.members[0].digest, digest(big));
    assertEquals((await Deno.stat(`${dir}/big.bin`)).size, big.length);
    assertEquals(await Deno.readTextFile(`${dir}/small.py`), "s\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("streamUnzip: refuses unsafe names, duplicates, lies and garbage before writing them", async () => {
  const cases: [ZipWriterEntry[], RegExp][] = [
    [[{ name: "../evil.py", data: "x" }], /goes up out of the target/],
    [[{ name: "/abs.py", data: "x" }], /is an absolute path/],
    [[{ name: "a\\b.py", data: "x" }], /contains a backslash/],
    [[{ name: "a.py", data: "x" }, { name: "a.py", data: "y" }], /appears more than once/],
    [[{ name: "a.py", data: "x", extraFlags: 1 }], /is encrypted/],
    [[{ name: "a.py", data: "x", methodNumber: 12 }], /unsupported compression method/],
    [[{ name: "a.py", data: "hello", declaredCrc32: 7 }], /fails its CRC-32 check/],
    [
      [{ name: "a.py", data: "hello".repeat(100), declaredSize: 10 }],
      /inflates beyond|not the declared/,
    ],
  ];
  for (const [members, error] of cases) {
    const dir = await Deno.makeTempDir();
    try {
      const zip = await writeZip(members);
      const e = await assertRejects(() => unzipTo(zip, 9, dir), ZipError);
      assert(error.test(e.message), `${e.message} !~ ${error}`);
      const written = await Array.fromAsync(Deno.readDir(dir));
      assert(written.every((w) => w.name !== "evil.py"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  // Bytes that are not a local header where one should be.
  const zip = await writeZip([{ name: "a.py", data: "x" }]);
  const garbage = new Uint8Array(zip.length + 4);
  garbage.set([1, 2, 3, 4]);
  garbage.set(zip, 4);
  await assertRejects(() => unzipTo(garbage, 8, "", { noWrite: true }), ZipError, "not a local");
  // A stream that ends inside a member.
  await assertRejects(
    () => unzipTo(zip.slice(0, 40), 8, "", { noWrite: true }),
    Error,
    "truncated",
  );
});

Deno.test("streamUnzip: absurd declared sizes are refused before inflating", async () => {
  // The default limits are 4 GiB a member and 16 GiB in all; smaller ones show the same checks.
  const zip = await writeZip([
    { name: "a.py", data: "x".repeat(100) },
    { name: "bomb.bin", data: "y".repeat(5000) },
  ]);
  const written: string[] = [];
  const reader = new ByteReader(chunks(zip, 64), () => {});
  const e = await assertRejects(
    () =>
      streamUnzip(reader, {
        destination: (name) => {
          written.push(name);
          return null;
        },
        maxEntrySize: 1000,
      }),
    ZipError,
    'zip member "bomb.bin" declares 5000 bytes (the limit is 1000)',
  );
  assertEquals(e.code, "limit");
  assertEquals(written, ["a.py"], "refused before its data was read");
  const total = new ByteReader(
    chunks(
      await writeZip([
        { name: "a.bin", data: "a".repeat(600) },
        { name: "b.bin", data: "b".repeat(600) },
      ]),
      64,
    ),
    () => {},
  );
  await assertRejects(
    () => streamUnzip(total, { destination: () => null, maxTotalSize: 1000 }),
    ZipError,
    "unpacks to more than 1000 bytes",
  );
});

Deno.test("streamUnzip: a directory stored deflated (2 bytes of nothing) is fine; one with data is not", async () => {
  const ok = await writeZip([{ name: "d/", method: "deflate" }, { name: "d/x.py", data: "x\n" }]);
  const result = await unzipTo(ok, 3, "", { noWrite: true });
  assertEquals(result.members.map((m) => [m.name, m.isDirectory]), [["d/", true], [
    "d/x.py",
    false,
  ]]);
  const bad = await writeZip([{ name: "d/", data: "hidden", method: "store" }]);
  await assertRejects(() => unzipTo(bad, 3, "", { noWrite: true }), ZipError, "has data");
});
