import { EnvknitError } from "../../core/errors.ts";
import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "../../tests/support/assert.ts";
import { interpreterCacheKey, type MarkerEnvironment, probeInterpreter } from "./interpreter.ts";
import { supportedTags } from "./tags.ts";
import { PYTHON } from "../../tests/support/python.ts";
import { fakePyenv } from "../../tests/support/fake_pyenv.ts";

// What packaging itself says on this machine, from python3's own packaging (or the copy pip
// vendors when packaging is not installed on its own).
const ASK_PACKAGING = `
import json, sys
try:
    from packaging import __version__ as version, markers, tags
except ImportError:
    from pip._vendor.packaging import __version__ as version, markers, tags
print(json.dumps({"version": version, "executable": sys.executable,
                  "tags": [str(t) for t in tags.sys_tags()],
                  "markers": markers.default_environment()}))
`;

async function askPackaging(
  python: string,
): Promise<{ version: string; executable: string; tags: string[]; markers: MarkerEnvironment }> {
  const out = await new Deno.Command(python, { args: ["-c", ASK_PACKAGING], stderr: "piped" })
    .output();
  const err = new TextDecoder().decode(out.stderr);
  assert(out.success, `${python} cannot run packaging (pip install packaging): ${err}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const sorted = (o: object) => Object.fromEntries(Object.entries(o).sort());

Deno.test("supportedTags of the probed python3 equals packaging.tags.sys_tags() there", async () => {
  const expected = await askPackaging("python3");
  const interp = await probeInterpreter("python3", { cacheDir: null });
  assertEquals(interp.executable, expected.executable);
  const tags = supportedTags(interp);
  assert(tags.length > 100);
  assertEquals(tags, expected.tags, `packaging ${expected.version}`);
  assertEquals(sorted(interp.markers), sorted(expected.markers));
});

Deno.test("probeInterpreter reports version, ABI, platform and libc", async () => {
  const interp = await probeInterpreter("python3", { cacheDir: null });
  const out = await new Deno.Command("python3", {
    args: [
      "-c",
      "import sys, sysconfig, struct; print(sys.implementation.name, sys.version_info[0], " +
      "sys.version_info[1], sysconfig.get_platform(), struct.calcsize('P') * 8)",
    ],
  }).output();
  const [name, major, minor, platform, bits] = new TextDecoder().decode(out.stdout).trim().split(
    " ",
  );
  assertEquals(interp.source, "probe");
  assertEquals(interp.implementation, name);
  assertEquals(interp.pythonVersionInfo.slice(0, 2), [Number(major), Number(minor)]);
  assertEquals(interp.platform, platform);
  assertEquals(interp.pointerBits, Number(bits));
  if (Deno.build.os === "linux") {
    assert(interp.libc !== null, "a Linux interpreter runs on glibc or musl");
    assertEquals(interp.platforms.at(-1), `linux_${interp.machine}`);
  }
});

Deno.test("a probe is cached by path, size and mtime, and the second probe does not run it", async () => {
  const cacheDir = await Deno.makeTempDir();
  try {
    const python = PYTHON; // the real file (python3 may be a pyenv shim)
    const first = await probeInterpreter(python, { cacheDir });
    const stat = await Deno.stat(python);
    const file = `${cacheDir}/interpreters/${await interpreterCacheKey(python, stat)}.json`;
    const cached = JSON.parse(await Deno.readTextFile(file));
    assertEquals(cached.path, python);
    // Mark the cached answer: if the second probe returns the mark, it did not run Python.
    cached.facts.markers.platform_release = "from-the-cache";
    await Deno.writeTextFile(file, JSON.stringify(cached));
    const second = await probeInterpreter(python, { cacheDir });
    assertEquals(second.markers.platform_release, "from-the-cache");
    assertEquals(supportedTags(second), supportedTags(first));
    // A corrupt cache file is ignored and rewritten.
    await Deno.writeTextFile(file, "{not json");
    const third = await probeInterpreter(python, { cacheDir });
    assertEquals(third.markers, first.markers);
    assertEquals(JSON.parse(await Deno.readTextFile(file)).path, python);
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("the cache key changes with the path, the size or the mtime", async () => {
  const base = await interpreterCacheKey("/usr/bin/python3", { size: 100, mtime: new Date(1000) });
  assertEquals(
    base,
    await interpreterCacheKey("/usr/bin/python3", { size: 100, mtime: new Date(1000) }),
  );
  assertNotEquals(
    base,
    await interpreterCacheKey("/usr/bin/python3", { size: 101, mtime: new Date(1000) }),
  );
  assertNotEquals(
    base,
    await interpreterCacheKey("/usr/bin/python3", { size: 100, mtime: new Date(1001) }),
  );
  assertNotEquals(
    base,
    await interpreterCacheKey("/usr/local/bin/python3", { size: 100, mtime: new Date(1000) }),
  );
});

Deno.test("a pyenv shim's probe is cached under what selects its version, and the binary it ran", async () => {
  await using pyenv = await fakePyenv();
  const project = `${pyenv.dir}/project`;
  await Deno.mkdir(project);
  const cacheDir = `${pyenv.dir}/cache`;
  const env = { PATH: `${pyenv.shims}:${Deno.env.get("PATH")}`, HOME: pyenv.dir };
  const probe = () => probeInterpreter("python3", { cacheDir, env, cwd: project });
  const first = await probe();
  assertEquals(pyenv.runs(), 1);
  assertEquals((await probe()).executable, first.executable);
  assertEquals(pyenv.runs(), 1, "the second probe reads the cache: the shim is not run");
  // A .python-version in the project makes the shim run another version: probed again.
  await pyenv.install("3.11.2", "/usr/bin/python3");
  await Deno.writeTextFile(`${project}/.python-version`, "3.11.2\n");
  const local = await probe();
  assertEquals(pyenv.runs(), 2);
  assertEquals(local.executable, `${pyenv.root}/versions/3.11.2/bin/python3`);
  await probe();
  assertEquals(pyenv.runs(), 2);
  // The same inputs, but the version now runs another binary: probed again.
  await pyenv.install("3.11.2", PYTHON);
  await probe();
  assertEquals(pyenv.runs(), 3);
  // PYENV_VERSION wins over the file.
  await probeInterpreter("python3", {
    cacheDir,
    env: { ...env, PYENV_VERSION: "3.11.7" },
    cwd: project,
  });
  assertEquals(pyenv.runs(), 4);
});

Deno.test("a wrapper script's probe is cached under its text, the variables it names and the version files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const python = PYTHON; // the real file (python3 may be a pyenv shim)
    const shim = `${dir}/python-shim`;
    const log = `${dir}/runs.log`;
    await Deno.writeTextFile(
      shim,
      `#!/bin/sh\necho run >> "${log}"\n[ -n "$WRAP_DEBUG" ] && set -x\nexec "${python}" "$@"\n`,
      { mode: 0o755 },
    );
    const runs = () => Deno.readTextFile(log).then((t) => t.split("\n").length - 1, () => 0);
    const env = { PATH: Deno.env.get("PATH") ?? "" };
    const probe = (extra: Record<string, string> = {}) =>
      probeInterpreter(shim, { cacheDir: `${dir}/cache`, env: { ...env, ...extra }, cwd: dir });
    assertEquals((await probe()).executable, python);
    await probe();
    assertEquals(await runs(), 1, "the second probe reads the cache");
    await Deno.writeTextFile(`${dir}/.python-version`, "3.12\n");
    await probe();
    assertEquals(await runs(), 2, "a version file nearby: probed again");
    await probe({ WRAP_DEBUG: "" });
    assertEquals(await runs(), 3, "a variable the script names: probed again");
    await probe({ UNRELATED: "1" });
    assertEquals(await runs(), 3, "a variable it does not name: cached");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing or broken interpreter is an EnvknitError naming it and what failed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { PATH: dir };
    let e = await assertRejects(
      () => probeInterpreter(`${dir}/nope/python`, { cacheDir: null, env }),
      EnvknitError,
    );
    assertStringIncludes(e.message, `${dir}/nope/python`);
    assertStringIncludes(e.message, "does not exist");

    e = await assertRejects(
      () => probeInterpreter("python3.99", { cacheDir: null, env }),
      EnvknitError,
    );
    assertStringIncludes(e.message, "python3.99 on PATH");
    assert(e.hints.some((h) => h.includes("--python")));

    await Deno.writeTextFile(`${dir}/failing`, "#!/bin/sh\necho 'kaput: no stdlib' >&2\nexit 3\n", {
      mode: 0o755,
    });
    e = await assertRejects(
      () => probeInterpreter(`${dir}/failing`, { cacheDir: null }),
      EnvknitError,
    );
    assertStringIncludes(e.message, `${dir}/failing`);
    assertStringIncludes(e.message, "status 3");
    assertStringIncludes(e.message, "kaput: no stdlib");

    await Deno.writeTextFile(
      `${dir}/python2`,
      "#!/bin/sh\necho 'Unknown option: -I' >&2\necho usage >&2\nexit 2\n",
      {
        mode: 0o755,
      },
    );
    e = await assertRejects(
      () => probeInterpreter(`${dir}/python2`, { cacheDir: null }),
      EnvknitError,
    );
    assertStringIncludes(e.message, "Unknown option: -I");
    assert(e.hints.some((h) => h.includes("Python 3.4 or later")));

    await Deno.writeTextFile(`${dir}/chatty`, "#!/bin/sh\necho hello\n", { mode: 0o755 });
    e = await assertRejects(
      () => probeInterpreter(`${dir}/chatty`, { cacheDir: null }),
      EnvknitError,
    );
    assertStringIncludes(e.message, "does not answer like a Python interpreter");

    await Deno.writeTextFile(`${dir}/json`, `#!/bin/sh\necho '{"probe_version": 1}'\n`, {
      mode: 0o755,
    });
    e = await assertRejects(
      () => probeInterpreter(`${dir}/json`, { cacheDir: null }),
      EnvknitError,
    );
    assertStringIncludes(e.message, "incomplete");

    await Deno.writeTextFile(`${dir}/slow`, "#!/bin/sh\nexec sleep 5\n", { mode: 0o755 });
    e = await assertRejects(
      () => probeInterpreter(`${dir}/slow`, { cacheDir: null, timeoutMs: 200 }),
      EnvknitError,
    );
    assertStringIncludes(e.message, `${dir}/slow`);

    await Deno.writeTextFile(`${dir}/not-executable`, "print(1)\n", { mode: 0o644 });
    e = await assertRejects(
      () => probeInterpreter(`${dir}/not-executable`, { cacheDir: null }),
      EnvknitError,
    );
    assertStringIncludes(e.message, "not executable");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
