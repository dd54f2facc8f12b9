// Issue #14.8: file-system failures (a name too long, a file where a folder must go, a full
// disk) are one clean `error:` line naming the cause and the path, never "internal error … this
// is a bug", and the store is left as it was.
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import { EnvknitError } from "../../core/errors.ts";
import { errnoOf, fileSystemError, withPath } from "../../core/fs_errors.ts";
import { makeProject, writeTestLock } from "../e2e/install_support.ts";
import { assertRefused, lockAddingToInstalledStore } from "./support.ts";

/** Installs `wheel` (after a baseline one, so the store is not empty) and expects `error`. */
async function refusedInstall(wheel: BuiltWheel, error: RegExp): Promise<string> {
  await using setup = await lockAddingToInstalledStore(wheel);
  const { p } = setup;
  return await assertRefused(["install"], { cwd: p.project, env: p.env, home: p.home }, error);
}

Deno.test("a wheel member whose name is longer than the file system allows", async () => {
  const long = "m".repeat(300);
  const wheel = await buildWheel({
    name: "longname",
    version: "1.0",
    files: { "longname/__init__.py": "", [`longname/${long}.py`]: "X = 1\n" },
  });
  const line = await refusedInstall(
    wheel,
    /^error: longname-1\.0-py3-none-any\.whl: cannot write "longname\/m{300}\.py" in .*\/packages\/longname\/1\.0\/[0-9a-f]{16}: a file name is too long for the file system \(ENAMETOOLONG\)$/,
  );
  assert(line.length < 1000);
});

Deno.test("a wheel with a file `a` and a member `a/b` below it", async () => {
  await refusedInstall(
    await buildWheel({
      name: "clash",
      version: "1.0",
      files: { "clash/__init__.py": "", "clash/a": "a file\n", "clash/a/b.py": "B = 1\n" },
    }),
    /^error: clash-1\.0-py3-none-any\.whl: zip member "clash\/a\/b\.py" lies inside "clash\/a", which is a file of the wheel too$/,
  );
  // The other order.
  await refusedInstall(
    await buildWheel({
      name: "clash",
      version: "1.0",
      files: { "clash/__init__.py": "", "clash/a/b.py": "B = 1\n", "clash/a": "a file\n" },
    }),
    /^error: clash-1\.0-py3-none-any\.whl: zip member "clash\/a\/b\.py" lies inside "clash\/a"/,
  );
});

Deno.test("a clash that only appears once .data/ is placed is a clean error too", async () => {
  // `clash/x` is a file at the root, and `.data/purelib/clash/x/y.py` puts a folder there.
  const line = await refusedInstall(
    await buildWheel({
      name: "clash",
      version: "1.0",
      files: { "clash/__init__.py": "", "clash/x": "a file\n" },
      data: { purelib: { "clash/x/y.py": "Y = 1\n" } },
    }),
    /^error: clash-1\.0-py3-none-any\.whl: /,
  );
  assertMatch(line, /\((ENOTDIR|EEXIST|EISDIR)\)|lies inside|appears more than once|clash/);
});

Deno.test("errno classes map to clean errors naming the cause and the path", () => {
  const cases: [string, number, string, RegExp][] = [
    [
      "No space left on device",
      28,
      "ENOSPC",
      /^cannot write \/s\/f: no space left on the device \(ENOSPC\)$/,
    ],
    [
      "File name too long",
      36,
      "ENAMETOOLONG",
      /^cannot write \/s\/f: a file name is too long for the file system \(ENAMETOOLONG\)$/,
    ],
    ["File exists", 17, "EEXIST", /^cannot write \/s\/f: a file or folder of that name/],
    ["Not a directory", 20, "ENOTDIR", /^cannot write \/s\/f: a part of the path is a file/],
    [
      "Is a directory",
      21,
      "EISDIR",
      /^cannot write \/s\/f: it is a folder, not a file \(EISDIR\)$/,
    ],
    ["Read-only file system", 30, "EROFS", /^cannot write \/s\/f: the file system is read-only/],
  ];
  for (const [text, number, code, expected] of cases) {
    // As Deno reports them: with `code`, and with only the OS error number in the message.
    const withCode = Object.assign(new Error(`${text} (os error ${number}): write '/s/f'`), {
      code,
    });
    const bare = new Error(`${text} (os error ${number}): write '/s/f'`);
    for (const error of [withCode, bare]) {
      assertEquals(errnoOf(error), code);
      const mapped = fileSystemError(error);
      assert(mapped instanceof EnvknitError, code);
      assertMatch((mapped as EnvknitError).message, expected);
    }
  }
  const mkdir = fileSystemError(
    Object.assign(new Error("No space left on device (os error 28): mkdir '/s/d'"), {
      code: "ENOSPC",
    }),
  ) as EnvknitError;
  assertEquals(
    mkdir.message,
    "cannot create the folder /s/d: no space left on the device (ENOSPC)",
  );
  // A write to an open file names no path: withPath adds the file's.
  const bare = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  assertEquals(
    (fileSystemError(withPath(bare, "write", "/s/w")) as EnvknitError).message,
    "cannot write /s/w: no space left on the device (ENOSPC)",
  );
  // Anything else is left alone (a real bug stays one).
  const other = new TypeError("x is undefined");
  assertEquals(fileSystemError(other), other);
});

/** Whether this process may mount a tmpfs (root in a machine that allows it). */
async function canMount(): Promise<boolean> {
  if (Deno.uid() !== 0) return false;
  const dir = await Deno.makeTempDir();
  try {
    const r = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir],
      stderr: "null",
      stdout: "null",
    }).output();
    if (!r.success) return false;
    await new Deno.Command("umount", { args: [dir] }).output();
    return true;
  } catch {
    return false;
  } finally {
    await Deno.remove(dir).catch(() => {});
  }
}

// A real full disk needs a file system to fill: a tiny tmpfs, which only root can mount (the
// mapping itself is tested above on every machine).
if (await canMount()) {
  Deno.test("install on a full disk (a 1 MiB tmpfs): a clean ENOSPC error", async () => {
    await using p = await makeProject();
    const home = `${p.dir}/small`;
    await Deno.mkdir(home);
    const mounted = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", home],
    }).output();
    assert(mounted.success);
    try {
      // 4 MiB of zeros deflate to a few KiB: the download fits, the unpacking does not.
      const wheel = await buildWheel({
        name: "fullness",
        version: "1.0",
        files: { "fullness/__init__.py": "", "fullness/zeros.bin": new Uint8Array(4 << 20) },
      });
      await using index = await startIndex({ projects: { fullness: [wheel] } });
      await writeTestLock(p.lockPath, { default: [{ wheels: [wheel] }] }, index);
      // Files are written concurrently: whichever write meets the full disk first is the one
      // named (zeros.bin, or a small file written after zeros.bin took the last blocks).
      await assertRefused(
        ["install"],
        { cwd: p.project, env: { ...p.env, ENVKNIT_HOME: home }, home },
        /^error: fullness-1\.0-py3-none-any\.whl: cannot write "fullness(-1\.0\.dist-info)?\/[^"]+" in .*: no space left on the device \(ENOSPC\)$/,
      );
      // 2 MiB that do not compress: the download itself does not fit.
      const noise = new Uint8Array(2 << 20);
      for (let i = 0; i < noise.length; i += 65536) {
        crypto.getRandomValues(noise.subarray(i, i + 65536));
      }
      const large = await buildWheel({
        name: "largeness",
        version: "1.0",
        compression: "store",
        files: { "largeness/__init__.py": "", "largeness/noise.bin": noise },
      });
      index.addFile("largeness", large);
      await writeTestLock(p.lockPath, { default: [{ wheels: [large] }] }, index);
      await assertRefused(
        ["install"],
        { cwd: p.project, env: { ...p.env, ENVKNIT_HOME: home }, home },
        /^error: largeness-1\.0-py3-none-any\.whl: cannot write .*: no space left on the device \(ENOSPC\)$/,
      );
    } finally {
      await new Deno.Command("umount", { args: ["-l", home] }).output();
    }
  });
}
