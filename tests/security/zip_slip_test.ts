// Regression (issue #14.9): a wheel member that would land outside its entry, or be anything but a
// regular file or folder, is refused with one error, before anything is written, in every form:
// `..`, absolute paths, backslashes, drive letters, symbolic links, devices and FIFOs, and names
// made unsafe by their encoding.
import { assert } from "../support/assert.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import type { ZipWriterEntry } from "../support/zip_writer.ts";
import { exists } from "../e2e/install_support.ts";
import { assertRefused, lockAddingToInstalledStore } from "./support.ts";

const marker = `envknit-slip-${crypto.randomUUID().slice(0, 8)}`;

const member = (name: string | Uint8Array, extra: Partial<ZipWriterEntry> = {}) => ({
  name,
  data: "print('escaped')\n",
  ...extra,
});

const CASES: { name: string; members: ZipWriterEntry[]; error: RegExp }[] = [
  {
    name: "../ at the start",
    members: [member(`../${marker}.py`)],
    error: /goes up out of the target directory/,
  },
  {
    name: "../ deep inside",
    members: [member(`slip/a/../../../${marker}.py`)],
    error: /goes up out of the target directory/,
  },
  {
    name: "an absolute path",
    members: [member(`/tmp/${marker}.py`)],
    error: /is an absolute path/,
  },
  {
    name: "a backslash path",
    members: [member(`..\\..\\${marker}.py`)],
    error: /is an absolute path|contains a backslash/,
  },
  {
    name: "a leading backslash",
    members: [member(`\\tmp\\${marker}.py`)],
    error: /is an absolute path|contains a backslash/,
  },
  {
    name: "a drive letter",
    members: [member(`C:/${marker}.py`)],
    error: /is an absolute path/,
  },
  {
    name: "a drive letter with backslashes",
    members: [member(`C:\\Windows\\${marker}.py`)],
    error: /is an absolute path|contains a backslash/,
  },
  {
    name: "a symbolic link to /etc/passwd",
    members: [member("slip/passwd", { data: "/etc/passwd", unixMode: 0o120777, method: "store" })],
    error: /is a symbolic link/,
  },
  {
    name: "a symbolic link to a folder outside, then a file through it",
    members: [
      member("slip/out", { data: "/tmp", unixMode: 0o120777, method: "store" }),
      member(`slip/out/${marker}.py`),
    ],
    error: /is a symbolic link/,
  },
  {
    name: "a FIFO member",
    members: [member("slip/fifo", { data: "", unixMode: 0o010644, method: "store" })],
    error: /is a device, FIFO or socket/,
  },
  {
    name: "a NUL in a name",
    members: [member(`slip/x\u0000/../../${marker}.py`)],
    error: /NUL|goes up|control/,
  },
  {
    name: "a '.' segment",
    members: [member("slip/./x.py")],
    error: /empty or has an empty or '\.' path segment/,
  },
  {
    name: "a name flagged UTF-8 that is not",
    members: [member(new Uint8Array([0x73, 0x2f, 0xff, 0xfe, 0x2e, 0x70, 0x79]), { utf8: true })],
    error: /is not valid UTF-8/,
  },
  {
    name: "the same member twice",
    members: [member("slip/__init__.py", { data: "# twice\n" })],
    error: /appears more than once/,
  },
];

async function hostile(members: ZipWriterEntry[]): Promise<BuiltWheel> {
  return await buildWheel({ name: "slip", version: "1.0", broken: { extraMembers: members } });
}

for (const c of CASES) {
  Deno.test(`zip-slip: ${c.name} is refused and nothing is written`, async () => {
    const wheel = await hostile(c.members);
    await using setup = await lockAddingToInstalledStore(wheel);
    const { p } = setup;
    await assertRefused(
      ["install"],
      { cwd: p.project, env: p.env, home: p.home },
      new RegExp(`^error: slip-1\\.0-py3-none-any\\.whl: zip member .*${c.error.source}`),
    );
    for (const dir of [p.dir, p.home, `${p.home}/packages`, "/tmp", p.project]) {
      assert(!(await exists(`${dir}/${marker}.py`)), `${dir}/${marker}.py`);
    }
    // The same wheel from a find-links folder, offline: the same refusal.
    const links = `${p.dir}/links`;
    await Deno.mkdir(links);
    await Deno.writeFile(`${links}/${wheel.filename}`, wheel.bytes);
    await assertRefused(
      ["install", "--offline", "--find-links", links],
      { cwd: p.project, env: p.env, home: p.home },
      new RegExp(`^error: slip-1\\.0-py3-none-any\\.whl: zip member .*${c.error.source}`),
    );
  });
}
