import { assert, assertEquals, assertRejects } from "../../tests/support/assert.ts";
import {
  buildWheel,
  type BuiltWheel,
  recordHash,
  sha256Hex,
} from "../../tests/support/wheel_factory.ts";
import { writeZip } from "../../tests/support/zip_writer.ts";
import { EnvknitError } from "../../core/errors.ts";
import { normalizeName } from "../../core/names.ts";
import { StoreLayout } from "../layout.ts";
import { buildEntry, commitEntry, discardEntry, type PreparedEntry } from "./build_entry.ts";

async function withStore<T>(fn: (layout: StoreLayout, dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "envknit-build-" });
  try {
    return await fn(new StoreLayout(`${dir}/home`), dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function build(layout: StoreLayout, dir: string, wheel: BuiltWheel): Promise<PreparedEntry> {
  const path = `${dir}/${wheel.filename}`;
  await Deno.writeFile(path, wheel.bytes);
  return await buildEntry({
    layout,
    name: normalizeName(wheel.name),
    version: wheel.version,
    wheel: { file: wheel.filename, url: `file://${path}`, sha256: wheel.sha256, size: wheel.size },
    tags: wheel.tags,
    source: { kind: "file", path },
  });
}

Deno.test("buildEntry: data descriptors are read through the central directory", async () => {
  await withStore(async (layout, dir) => {
    const wheel = await buildWheel({
      name: "desc",
      version: "1.0",
      dataDescriptors: true,
      files: { "desc/__init__.py": "D = 1\n", "desc/more.py": "M = 2\n" },
      data: { scripts: { "desc-tool": "#!python\nprint('x')\n" } },
    });
    const entry = await build(layout, dir, wheel);
    assertEquals(await commitEntry(entry), "installed");
    const root = layout.entryDir("desc", "1.0", wheel.sha256);
    assertEquals(await Deno.readTextFile(`${root}/desc/more.py`), "M = 2\n");
    const script = await Deno.readTextFile(`${root}/bin/desc-tool`);
    assert(script.startsWith('#!/bin/sh\n\'\'\'exec\' "${ENVKNIT_PYTHON:-python3}" "$0" "$@"\n'));
    assert(script.endsWith("print('x')\n"));
    // The find-links file was copied into the wheel cache once verified.
    assertEquals(await Deno.readFile(layout.cachedWheel(wheel.sha256)), wheel.bytes);
  });
});

Deno.test("buildEntry: stored members, an unrecorded member, a platform wheel's tags", async () => {
  await withStore(async (layout, dir) => {
    const wheel = await buildWheel({
      name: "Plat_Pkg",
      version: "2.0.post1",
      tags: ["cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"],
      compression: "store",
      files: { "plat_pkg/__init__.py": "" },
      broken: {
        extraMembers: [{ name: "plat_pkg/helper", data: "#!/bin/sh\n", unixMode: 0o100755 }],
      },
    });
    // The helper is not in RECORD: refused, and nothing is left behind.
    const refused = await assertRejects(() => build(layout, dir, wheel), EnvknitError);
    assert(refused.message.includes('"plat_pkg/helper" is not listed in RECORD'), refused.message);
    assertEquals(await Array.fromAsync(Deno.readDir(layout.tmpDir)), []);

    const ok = await buildWheel({
      name: "Plat_Pkg",
      version: "2.0.post1",
      tags: ["cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"],
      compression: "store",
      data: { platlib: { "plat_pkg/_native.so": new Uint8Array([0x7f, 0x45, 0x4c, 0x46]) } },
    });
    const entry = await build(layout, dir, ok);
    await commitEntry(entry);
    const root = layout.entryDir("plat-pkg", "2.0.post1", ok.sha256);
    assertEquals(
      await Deno.readFile(`${root}/plat_pkg/_native.so`),
      new Uint8Array([0x7f, 0x45, 0x4c, 0x46]),
    );
    const marker = JSON.parse(await Deno.readTextFile(`${root}/.envknit-entry.json`));
    assertEquals(marker.tags, [
      "cp311-cp311-manylinux_2_17_x86_64",
      "cp311-cp311-manylinux2014_x86_64",
    ]);
  });
});

Deno.test("buildEntry: a second build of an entry already in place is discarded", async () => {
  await withStore(async (layout, dir) => {
    const wheel = await buildWheel({ name: "twice", version: "1.0" });
    const first = await build(layout, dir, wheel);
    const second = await build(layout, dir, wheel);
    assertEquals(await commitEntry(first), "installed");
    assertEquals(await commitEntry(second), "present");
    assertEquals(await Array.fromAsync(Deno.readDir(layout.tmpDir)), []);
    const third = await build(layout, dir, wheel);
    await discardEntry(third);
    assertEquals(await Array.fromAsync(Deno.readDir(layout.tmpDir)), []);
  });
});

Deno.test("buildEntry: wheel contents that would clash or escape the entry are refused", async () => {
  await withStore(async (layout, dir) => {
    const cases: [Parameters<typeof buildWheel>[0], string][] = [
      [
        { name: "clash", version: "1.0", files: { "x.py": "" }, data: { purelib: { "x.py": "" } } },
        'install to the same path "x.py"',
      ],
      [
        {
          name: "cat",
          version: "1.0",
          broken: { extraMembers: [{ name: "cat-1.0.data/weird/f", data: "" }] },
        },
        "not in a known .data category",
      ],
      [
        {
          name: "other",
          version: "1.0",
          broken: { extraMembers: [{ name: "evil-1.0.dist-info/x", data: "" }] },
        },
        "belongs to another project",
      ],
      [
        { name: "mark", version: "1.0", files: { ".envknit-entry.json": "{}" } },
        "would replace envknit's marker",
      ],
      [
        { name: "eps", version: "1.0", entryPoints: { console_scripts: { "../x": "eps:main" } } },
        "script name is not a plain name",
      ],
      [
        {
          name: "eps2",
          version: "1.0",
          entryPoints: { console_scripts: { x: "eps2:main;import os" } },
        },
        "a script entry point needs 'module:function'",
      ],
    ];
    for (const [spec, message] of cases) {
      const wheel = await buildWheel(spec);
      const e = await assertRejects(() => build(layout, dir, wheel), EnvknitError);
      assert(e.message.includes(message), `${spec.name}: ${e.message}`);
      assert(e.message.startsWith(wheel.filename), e.message);
    }
    assertEquals(await Array.fromAsync(Deno.readDir(layout.tmpDir)), []);
    assert(!(await Deno.stat(layout.packagesDir + "/clash").then(() => true, () => false)));
  });
});

Deno.test("buildEntry: the executable bit of a member comes from the central directory", async () => {
  await withStore(async (layout, dir) => {
    const files: [string, string, number][] = [
      ["modes/__init__.py", "", 0o100644],
      ["modes/tool.sh", "#!/bin/sh\necho hi\n", 0o100755],
      [
        "modes-1.0.dist-info/METADATA",
        "Metadata-Version: 2.1\nName: modes\nVersion: 1.0\n\n",
        0o100644,
      ],
      [
        "modes-1.0.dist-info/WHEEL",
        "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        0o100644,
      ],
    ];
    const record = [];
    for (const [name, data] of files) {
      record.push(`${name},${await recordHash(new TextEncoder().encode(data))},${data.length}`);
    }
    record.push("modes-1.0.dist-info/RECORD,,");
    const bytes = await writeZip([
      ...files.map(([name, data, unixMode]) => ({ name, data, unixMode })),
      { name: "modes-1.0.dist-info/RECORD", data: record.join("\n") + "\n" },
    ]);
    const wheel = {
      filename: "modes-1.0-py3-none-any.whl",
      bytes,
      sha256: await sha256Hex(bytes),
      size: bytes.length,
      name: "modes",
      version: "1.0",
      tags: ["py3-none-any"],
    } as BuiltWheel;
    await commitEntry(await build(layout, dir, wheel));
    const root = layout.entryDir("modes", "1.0", wheel.sha256);
    assertEquals((await Deno.stat(`${root}/modes/tool.sh`)).mode! & 0o777, 0o755);
    assertEquals((await Deno.stat(`${root}/modes/__init__.py`)).mode! & 0o777, 0o644);
  });
});
