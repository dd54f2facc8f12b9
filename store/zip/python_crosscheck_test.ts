// Cross-checks against CPython's zipfile: archives Python writes must read the same here, and
// archives the test writer makes must read the same in Python.
import { assert, assertEquals } from "../../tests/support/assert.ts";
import { runPython } from "../../tests/support/python.ts";
import { mulberry32 as random } from "../../tests/support/random.ts";
import { writeZip, type ZipWriterEntry } from "../../tests/support/zip_writer.ts";
import { openZip, type ZipArchive } from "./reader.ts";
import { sha256Hex as sha256 } from "../../core/sha256.ts";

interface Listing {
  name: string;
  size: number;
  compressedSize: number;
  crc: number;
  method: number;
  externalAttributes: number;
  sha256: string;
}

// Python's view of an archive: every member with its data's digest.
const LIST = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    out = [dict(name=i.filename,
                size=i.file_size, compressedSize=i.compress_size, crc=i.CRC,
                method=i.compress_type, externalAttributes=i.external_attr,
                sha256=hashlib.sha256(z.read(i)).hexdigest()) for i in z.infolist()]
    print(json.dumps({"comment": z.comment.decode("cp437"), "members": out}))
`;

async function ourListing(zip: ZipArchive): Promise<Listing[]> {
  const out: Listing[] = [];
  for (const e of zip.entries) {
    out.push({
      name: e.name,
      size: e.size,
      compressedSize: e.compressedSize,
      crc: e.crc32,
      method: e.method,
      externalAttributes: e.externalAttributes,
      sha256: await sha256(await zip.read(e)),
    });
  }
  return out;
}

Deno.test("archives written by Python's zipfile read the same here", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/py.zip`;
    await runPython(
      `
import random, sys, zipfile
rng = random.Random(7)
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.comment = b"made by python"
    z.writestr("pkg/", b"")
    for i in range(40):
        size = rng.choice([0, 1, 100, 5000, 70000])
        data = bytes(rng.randrange(0, 16) for _ in range(size))
        method = zipfile.ZIP_DEFLATED if i % 2 else zipfile.ZIP_STORED
        z.writestr(f"pkg/m{i}.bin", data, compress_type=method)
    z.writestr("pkg/caf\\u00e9/\\u65e5\\u672c.txt", "unicode".encode())
    link = zipfile.ZipInfo("pkg/link")
    link.external_attr = (0o120777 << 16)
    z.writestr(link, "target")
    with z.open("pkg/forced64.txt", "w", force_zip64=True) as f:
        f.write(b"zip64 local header" * 100)
`,
      [path],
    );
    const python = JSON.parse((await runPython(LIST, [path])).stdout);
    const zip = await openZip(await Deno.readFile(path));
    assertEquals(zip.comment, python.comment);
    assertEquals(await ourListing(zip), python.members);
    assertEquals(zip.problems.map((p) => `${p.name}:${p.kind}`), ["pkg/link:symlink"]);
    assert(zip.get("pkg/")!.isDirectory);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Python archive with 65 536 members (ZIP64 end records) reads here", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/many.zip`;
    await runPython(
      `
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for i in range(65536):
        z.writestr(f"f{i}", str(i))
`,
      [path],
    );
    const started = performance.now();
    const zip = await openZip(await Deno.readFile(path));
    assert(zip.zip64);
    assertEquals(zip.entries.length, 65536);
    assertEquals(await zip.readText("f65535"), "65535");
    assertEquals(await zip.readText(zip.entries[12345]), "12345");
    assert(performance.now() - started < 2000, "opening 65 536 members must be fast");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("archives from the test writer read the same in Python", async () => {
  const rnd = random(42);
  const entries: ZipWriterEntry[] = [{ name: "dir/", method: "store" }];
  for (let i = 0; i < 30; i++) {
    const size = [0, 1, 10, 1000, 100_000][i % 5];
    const data = new Uint8Array(size).map(() => Math.floor(rnd() * 8));
    entries.push({
      name: `dir/file${i}.bin`,
      data,
      method: i % 3 === 0 ? "store" : "deflate",
      dataDescriptor: i % 4 === 0,
    });
  }
  entries.push({ name: new Uint8Array([0x6e, 0x82, 0x9a]), data: "cp437", utf8: false });
  entries.push({ name: "ünï/cödé.txt", data: "utf-8" });
  const dir = await Deno.makeTempDir();
  try {
    for (const zip64 of [false, true]) {
      const bytes = await writeZip(entries, { zip64, comment: "writer" });
      const path = `${dir}/w${zip64}.zip`;
      await Deno.writeFile(path, bytes);
      const python = JSON.parse((await runPython(LIST, [path])).stdout);
      const zip = await openZip(bytes);
      assertEquals(await ourListing(zip), python.members);
      assertEquals(python.members[31].name, "né\u00dc");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
