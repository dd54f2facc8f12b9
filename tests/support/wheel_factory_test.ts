// The wheel factory is checked against Python: `packaging` parses its filenames and METADATA,
// `zipfile` reads its archives, and RECORD is verified the way installers do it.
import { openZip } from "../../store/zip/mod.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { normalizeName } from "../../core/names.ts";
import { compressTags, expandTags, normalizeVersion } from "./names.ts";
import { runPython } from "./python.ts";
import { buildSdist, buildWheel, sha256Hex, wheelFilename } from "./wheel_factory.ts";

// Python's view of a wheel: filename, METADATA (validated), WHEEL, RECORD check, entry points.
const INSPECT = `
import base64, configparser, csv, hashlib, io, json, sys, zipfile
from email.parser import Parser
from packaging.metadata import Metadata
from packaging.utils import parse_wheel_filename
path, filename = sys.argv[1], sys.argv[2]
name, version, build, tags = parse_wheel_filename(filename)
out = {"name": name, "version": str(version), "build": list(build), "tags": sorted(map(str, tags))}
with zipfile.ZipFile(path) as z:
    assert z.testzip() is None
    names = z.namelist()
    out["members"] = names
    dist_info = [n for n in names if n.endswith(".dist-info/WHEEL")][0].rsplit("/", 1)[0]
    meta = Metadata.from_email(z.read(dist_info + "/METADATA").decode(), validate=True)
    out["metadata"] = {"name": meta.name, "version": str(meta.version),
        "requires_dist": [str(r) for r in meta.requires_dist or []],
        "requires_python": str(meta.requires_python) if meta.requires_python else None,
        "provides_extra": list(meta.provides_extra or []),
        "metadata_version": meta.metadata_version}
    wheel = Parser().parsestr(z.read(dist_info + "/WHEEL").decode())
    out["wheel"] = {"version": wheel["Wheel-Version"], "purelib": wheel["Root-Is-Purelib"],
                    "tags": wheel.get_all("Tag")}
    bad = []
    rows = list(csv.reader(io.StringIO(z.read(dist_info + "/RECORD").decode())))
    for row in rows:
        path_, hash_, size = row
        if path_ == dist_info + "/RECORD":
            continue
        data = z.read(path_)
        algo, _, digest = hash_.partition("=")
        real = base64.urlsafe_b64encode(hashlib.new(algo, data).digest()).rstrip(b"=").decode()
        if real != digest or int(size) != len(data):
            bad.append(path_)
    out["record_bad"] = bad
    out["record_paths"] = sorted(r[0] for r in rows)
    if dist_info + "/entry_points.txt" in names:
        cp = configparser.ConfigParser(delimiters="=")
        cp.optionxform = str
        cp.read_string(z.read(dist_info + "/entry_points.txt").decode())
        out["entry_points"] = {s: dict(cp[s]) for s in cp.sections()}
print(json.dumps(out))
`;

async function inspect(wheel: { filename: string; bytes: Uint8Array }) {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/${wheel.filename}`;
    await Deno.writeFile(path, wheel.bytes);
    return JSON.parse((await runPython(INSPECT, [path, wheel.filename])).stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a full wheel is valid for packaging and zipfile", async () => {
  const wheel = await buildWheel({
    name: "Foo.Bar-baz",
    version: "1.0-RC.1",
    tags: ["cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"],
    build: "7",
    requiresDist: ["idna>=3", 'rich>=13; extra == "cli"', 'tomli; python_version < "3.11"'],
    requiresPython: ">=3.8,<4",
    providesExtra: ["cli"],
    metadataVersion: "2.3",
    summary: "A demo",
    files: { "foo_bar_baz/__init__.py": "X = 1\n", "foo_bar_baz/core.py": "def main(): pass\n" },
    entryPoints: {
      console_scripts: { "foo-bar": "foo_bar_baz.core:main" },
      gui_scripts: { "foo-gui": "foo_bar_baz.core:main" },
    },
    data: {
      scripts: { "run.sh": "#!/bin/sh\necho hi\n" },
      headers: { "foo.h": "#define FOO 1\n" },
      data: { "share/foo.txt": "data" },
      purelib: { "extra_pure.py": "" },
      platlib: { "extra_plat.py": "" },
    },
  });
  assertEquals(
    wheel.filename,
    "foo_bar_baz-1.0rc1-7-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
  );
  assertEquals(wheel.sha256, await sha256Hex(wheel.bytes));
  assertEquals(wheel.size, wheel.bytes.length);
  const py = await inspect(wheel);
  assertEquals([py.name, py.version, py.build], ["foo-bar-baz", "1.0rc1", [7, ""]]);
  assertEquals(py.tags, [
    "cp312-cp312-manylinux2014_x86_64",
    "cp312-cp312-manylinux_2_17_x86_64",
  ]);
  assertEquals(py.metadata, {
    name: "Foo.Bar-baz",
    version: "1.0rc1",
    requires_dist: ["idna>=3", 'rich>=13; extra == "cli"', 'tomli; python_version < "3.11"'],
    requires_python: "<4,>=3.8",
    provides_extra: ["cli"],
    metadata_version: "2.3",
  });
  assertEquals(py.wheel, {
    version: "1.0",
    purelib: "false",
    tags: ["cp312-cp312-manylinux_2_17_x86_64", "cp312-cp312-manylinux2014_x86_64"],
  });
  assertEquals(py.record_bad, []);
  assertEquals(py.record_paths, [...py.members].sort());
  assertEquals(py.entry_points, {
    console_scripts: { "foo-bar": "foo_bar_baz.core:main" },
    gui_scripts: { "foo-gui": "foo_bar_baz.core:main" },
  });
  const stem = "foo_bar_baz-1.0rc1";
  for (
    const member of [
      `${stem}.data/scripts/run.sh`,
      `${stem}.data/headers/foo.h`,
      `${stem}.data/data/share/foo.txt`,
      `${stem}.data/purelib/extra_pure.py`,
      `${stem}.data/platlib/extra_plat.py`,
    ]
  ) assert(py.members.includes(member), member);
  assertEquals(py.members.at(-1), `${stem}.dist-info/RECORD`);
  assertEquals(wheel.metadata, wheel.metadata && (await readMember(wheel.bytes, "METADATA")));
});

async function readMember(bytes: Uint8Array, suffix: string): Promise<string> {
  const zip = await openZip(bytes);
  const entry = zip.entries.find((e) => e.name.endsWith(`.dist-info/${suffix}`));
  assert(entry, suffix);
  return await zip.readText(entry);
}

Deno.test("defaults: one pure module, py3-none-any, Metadata-Version 2.1, deterministic", async () => {
  const a = await buildWheel({ name: "demo", version: "1.0" });
  const b = await buildWheel({ name: "demo", version: "1.0" });
  assertEquals(a.filename, "demo-1.0-py3-none-any.whl");
  assertEquals(a.sha256, b.sha256);
  assertEquals(a.tags, ["py3-none-any"]);
  assertEquals(a.requiresPython, null);
  const py = await inspect(a);
  assertEquals(py.members, [
    "demo/__init__.py",
    "demo-1.0.dist-info/METADATA",
    "demo-1.0.dist-info/WHEEL",
    "demo-1.0.dist-info/RECORD",
  ]);
  assertEquals(py.metadata.metadata_version, "2.1");
  assertEquals(py.wheel.purelib, "true");
  const stored = await buildWheel({
    name: "demo",
    version: "1.0",
    compression: "store",
    dataDescriptors: true,
  });
  assertEquals((await inspect(stored)).record_bad, []);
  assert((await openZip(stored.bytes)).entries.every((e) => e.method === 0));
});

Deno.test("names, versions and tags are normalized as packaging does", async () => {
  const versions = [
    "1.0",
    "v1.01",
    "1.0-RC.1",
    "1.0.ALPHA2",
    "1.0b",
    "1.0c3",
    "1.0-preview4",
    "2!1.0.post",
    "1.0-1",
    "1.0.rev3",
    "1.0_dev",
    "1.0a1.post2.dev3",
    "1.0+Ubuntu-1",
    "1.2.3+foo",
    "0!0.1",
    "1.10",
  ];
  const names = ["Foo.Bar", "foo__bar", "A-B_c.D", "x"];
  const py = JSON.parse(
    (await runPython(
      `
import json, sys
from packaging.version import Version
from packaging.utils import canonicalize_name, parse_wheel_filename
d = json.loads(sys.stdin.read())
print(json.dumps({"versions": [str(Version(v)) for v in d["versions"]],
                  "names": [canonicalize_name(n) for n in d["names"]],
                  "files": [[str(x) for x in parse_wheel_filename(f)[:2]] for f in d["files"]]}))
`,
      [],
      {
        stdin: JSON.stringify({
          versions,
          names,
          files: names.flatMap((n) => versions.map((v) => wheelFilename(n, v))),
        }),
      },
    )).stdout,
  );
  assertEquals(versions.map(normalizeVersion), py.versions);
  assertEquals(names.map(normalizeName), py.names);
  assertEquals(
    names.flatMap((n) => versions.map((v) => [normalizeName(n), normalizeVersion(v)])),
    py.files,
  );
  assertThrows(() => normalizeVersion("not a version"));
  assertEquals(expandTags("py2.py3-none-any"), ["py2-none-any", "py3-none-any"]);
  assertEquals(compressTags(["py2-none-any", "py3-none-any"]), "py2.py3-none-any");
  assertThrows(() => compressTags(["cp311-cp311-linux_x86_64", "py3-none-any"]));
  await assertRejects(() => buildWheel({ name: "x", version: "1", build: "x1" }));
});

Deno.test("broken wheels break in exactly the way asked", async () => {
  const base = { name: "bad", version: "1.0" };
  const problems = async (broken: Parameters<typeof buildWheel>[0]["broken"]) => {
    const zip = await openZip((await buildWheel({ ...base, broken })).bytes);
    return zip.problems.map((p) => `${p.name}:${p.kind}`);
  };
  assertEquals(await problems({ traversal: true }), ["../escaped.py:parent"]);
  assertEquals(await problems({ absolute: true }), ["/tmp/envknit-absolute.py:absolute"]);
  assertEquals(await problems({ symlink: true }), ["bad/link:symlink"]);
  assertEquals(await problems({ duplicate: true }), ["bad/__init__.py:duplicate"]);
  assertEquals(
    await problems({ extraMembers: [{ name: "bad\\win.py" }, { name: "nul\0.py" }] }),
    ["bad\\win.py:backslash", "nul\0.py:nul"],
  );

  // Lying RECORD: Python's check finds exactly the file named.
  const lying = await buildWheel({ ...base, broken: { recordHash: true } });
  assertEquals((await inspect(lying)).record_bad, ["bad/__init__.py"]);
  const wrongSize = await buildWheel({
    ...base,
    broken: { recordSize: "bad-1.0.dist-info/WHEEL" },
  });
  assertEquals((await inspect(wrongSize)).record_bad, ["bad-1.0.dist-info/WHEEL"]);
  const unrecorded = await inspect(
    await buildWheel({ ...base, broken: { unrecorded: "bad/sneaky.py" } }),
  );
  assert(unrecorded.members.includes("bad/sneaky.py"));
  assert(!unrecorded.record_paths.includes("bad/sneaky.py"));

  const noMeta = await buildWheel({ ...base, broken: { missingMetadata: true } });
  assertEquals(noMeta.metadata, null);
  assert(!(await openZip(noMeta.bytes)).get("bad-1.0.dist-info/METADATA"));
  const noRecord = await buildWheel({ ...base, broken: { missingRecord: true } });
  assert(!(await openZip(noRecord.bytes)).get("bad-1.0.dist-info/RECORD"));

  const badCrc = await openZip((await buildWheel({ ...base, broken: { badCrc: true } })).bytes);
  await assertRejects(() => badCrc.read("bad/__init__.py"), Error, "CRC-32");

  const full = await buildWheel(base);
  const cut = await buildWheel({ ...base, broken: { truncate: -10 } });
  assertEquals(cut.size, full.size - 10);
  assertEquals(cut.sha256, await sha256Hex(cut.bytes));
  await assertRejects(() => openZip(cut.bytes), Error, "not a zip file");
  const failed = await runPython(
    "import sys, zipfile; zipfile.ZipFile(sys.argv[1])",
    ["/dev/stdin"],
    { stdin: cut.bytes, allowFailure: true },
  );
  assert(failed.code !== 0 && failed.stderr.includes("BadZipFile"), failed.stderr);
});

Deno.test("sdists are real .tar.gz files with PKG-INFO", async () => {
  const sdist = await buildSdist({ name: "Foo_Bar", version: "2.0", requiresPython: ">=3.9" });
  assertEquals(sdist.filename, "foo_bar-2.0.tar.gz");
  assertEquals(sdist.requiresPython, ">=3.9");
  const py = await runPython(
    `
import sys, tarfile
with tarfile.open(fileobj=sys.stdin.buffer, mode="r:gz") as t:
    print(t.extractfile("foo_bar-2.0/PKG-INFO").read().decode(), end="")
`,
    [],
    { stdin: sdist.bytes },
  );
  assertEquals(py.stdout, sdist.metadata);
  assert(py.stdout.includes("Requires-Python: >=3.9\n"));
});
