// An environment runs exactly as locked (#15.1, #15.3, #15.5): under `envknit run` (python, an
// entry-point script, pytest) and from `envknit env python` started with nothing set, only the
// standard library, the locked packages and the runtime import. The base interpreter's own
// site-packages (here a venv's, with a package of its own, and the system interpreter's behind
// it, which has pytest) and the user site are not seen; importlib.metadata lists the locked
// distributions only; a backport-style wheel shipping enum.py and typing.py does not shadow the
// standard library; a child started with sys.executable keeps the environment.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel, type BuiltWheel } from "../support/wheel_factory.ts";
import { PYTHON } from "../support/python.ts";
import { envknit, makeProject, writeTestLock } from "./install_support.ts";

const PROBE = `
import importlib, importlib.metadata as md, json, os, subprocess, sys, sysconfig
def imports(name):
    try:
        importlib.import_module(name)
        return True
    except ImportError:
        return False
import enum, typing, greeter, backport_enum
stdlib = sysconfig.get_paths()["stdlib"]
child = subprocess.run([sys.executable, "-c",
    "import greeter, importlib.util as u; print(u.find_spec('basepkg') is None)"],
    capture_output=True, text=True)
print(json.dumps({
    "prefix": sys.prefix,
    "executable": sys.executable,
    "base": imports("basepkg"),
    "pytest": imports("pytest"),
    "usersite": imports("usersitepkg"),
    "dists": sorted(d.metadata["Name"] for d in md.distributions()),
    "enum_stdlib": os.path.realpath(enum.__file__).startswith(os.path.realpath(stdlib)),
    "typing_stdlib": os.path.realpath(typing.__file__).startswith(os.path.realpath(stdlib)),
    "stdlib_first": sys.path.index(stdlib) < min(i for i, p in enumerate(sys.path) if p.endswith("site-packages")),
    "child": child.stdout.strip() + child.stderr.strip(),
    "envknit": os.path.basename(os.path.dirname(importlib.import_module("envknit").__file__)),
}))
`;

/** Wheels of installed distributions of the system interpreter (pytest and what it needs). */
async function rewheel(names: string[]): Promise<BuiltWheel[]> {
  const script = `
import base64, importlib.metadata as md, json, sys
out = []
for name in sys.argv[1:]:
    d = md.distribution(name)
    files = {}
    for f in d.files:
        s = str(f)
        if ".dist-info/" in s or "__pycache__" in s or s.startswith(".."):
            continue
        files[s] = base64.b64encode(f.locate().read_bytes()).decode()
    eps = {}
    for ep in d.entry_points:
        if ep.group == "console_scripts":
            eps.setdefault(ep.group, {})[ep.name] = ep.value
    out.append({"name": d.metadata["Name"], "version": d.version, "files": files,
                "eps": eps})
print(json.dumps(out))
`;
  const out = await new Deno.Command(PYTHON, { args: ["-c", script, ...names], stdout: "piped" })
    .output();
  const dists = JSON.parse(new TextDecoder().decode(out.stdout));
  const wheels: BuiltWheel[] = [];
  for (const d of dists) {
    const files: Record<string, Uint8Array> = {};
    for (const [path, b64] of Object.entries(d.files as Record<string, string>)) {
      files[path] = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    }
    wheels.push(
      await buildWheel({
        name: d.name,
        version: d.version,
        files,
        // Their Requires-Dist left out: the lock below is written by hand (all of them, flat).
        entryPoints: d.eps,
      }),
    );
  }
  return wheels;
}

const greeter = await buildWheel({
  name: "greeter",
  version: "1.0",
  files: {
    "greeter/__init__.py": "import sys, importlib.util as u\n" +
      "def main():\n    print('greeter', sys.prefix, u.find_spec('basepkg') is None)\n",
  },
  entryPoints: { console_scripts: { "greeter-cli": "greeter:main" } },
});
const backport = await buildWheel({
  name: "backport-enum",
  version: "1.0",
  files: {
    "enum.py": "raise ImportError('the backport shadowed the standard library')\n",
    "typing.py": "raise ImportError('the backport shadowed the standard library')\n",
    "backport_enum/__init__.py": "",
  },
});
const testing = await rewheel(["pytest", "pluggy", "iniconfig", "packaging", "pygments"]);

Deno.test("isolation: run, env python, scripts and pytest see the lock, the stdlib and the runtime only", async () => {
  await using index = await startIndex({
    projects: Object.fromEntries(
      [greeter, backport, ...testing].map((w) => [w.name.toLowerCase(), [w]]),
    ),
  });
  await using p = await makeProject();
  // A base interpreter with a package in its own site-packages, and one in the user site.
  const venv = `${p.dir}/base-venv`;
  const made = await new Deno.Command(PYTHON, {
    args: ["-m", "venv", "--without-pip", "--system-site-packages", venv],
  })
    .output();
  assert(made.success, new TextDecoder().decode(made.stderr));
  const xy = (await new Deno.Command(`${venv}/bin/python`, {
    args: ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
    stdout: "piped",
  }).output()).stdout;
  const version = new TextDecoder().decode(xy).trim();
  const site = `${venv}/lib/python${version}/site-packages`;
  await Deno.writeTextFile(`${site}/basepkg.py`, "X = 1\n");
  await Deno.mkdir(`${site}/basepkg-1.0.dist-info`);
  await Deno.writeTextFile(
    `${site}/basepkg-1.0.dist-info/METADATA`,
    "Metadata-Version: 2.1\nName: basepkg\nVersion: 1.0\n",
  );
  const home = `${p.dir}/user-home`;
  await Deno.mkdir(`${home}/.local/lib/python${version}/site-packages`, { recursive: true });
  await Deno.writeTextFile(`${home}/.local/lib/python${version}/site-packages/usersitepkg.py`, "");
  const env = { ...p.env, ENVKNIT_PYTHON: `${venv}/bin/python`, HOME: home };
  // The base itself sees them (so the checks below mean something).
  const bare = await new Deno.Command(`${venv}/bin/python`, {
    args: ["-c", "import basepkg, usersitepkg, pytest"],
    env: { HOME: home },
    clearEnv: true,
    stderr: "piped",
  }).output();
  assert(bare.success, new TextDecoder().decode(bare.stderr));

  await writeTestLock(
    p.lockPath,
    { default: [greeter, backport, ...testing].map((w) => ({ wheels: [w] })) },
    index,
  );
  const install = await envknit(["install"], { cwd: p.project, env });
  assertEquals(install.code, 0, install.stderr);
  await Deno.writeTextFile(`${p.project}/probe.py`, PROBE);
  const locked = [
    "backport-enum",
    "greeter",
    "iniconfig",
    "packaging",
    "pluggy",
    "Pygments",
    "pytest",
  ]
    .map((n) => testing.find((w) => w.name === n)?.name ?? n).sort();

  const check = (text: string, prefix: string) => {
    const got = JSON.parse(text);
    assertEquals(got.prefix, prefix);
    assertEquals(got.base, false, "the base's site-packages is not seen");
    assertEquals(got.usersite, false, "nor the user site");
    assertEquals(got.pytest, true, "pytest: the locked one");
    assertEquals(got.dists, locked);
    assertEquals([got.enum_stdlib, got.typing_stdlib, got.stdlib_first], [true, true, true]);
    assertEquals(got.child, "True", "a sys.executable child keeps the environment");
    assertEquals(got.envknit, "envknit");
  };

  // envknit run -- python
  const run = await envknit(["run", "--", "python", "probe.py"], { cwd: p.project, env });
  assertEquals(run.code, 0, run.stderr);
  const view = JSON.parse(run.stdout).prefix as string;
  assert(view.includes("/views/"), view);
  check(run.stdout, view);

  // envknit env python, started with nothing set (an editor, a shell)
  const where = await envknit(["env", "python"], { cwd: p.project, env });
  assertEquals(where.code, 0, where.stderr);
  assertEquals(where.stdout, `${view}/bin/python\n`);
  const direct = await new Deno.Command(`${view}/bin/python`, {
    args: ["probe.py"],
    cwd: p.project,
    env: { HOME: home },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(direct.success, new TextDecoder().decode(direct.stderr));
  check(new TextDecoder().decode(direct.stdout), view);

  // An entry-point script: under run, and the view's launcher started directly.
  const script = await envknit(["run", "--", "greeter-cli"], { cwd: p.project, env });
  assertEquals([script.code, script.stdout], [0, `greeter ${view} True\n`], script.stderr);
  const launcher = await new Deno.Command(`${view}/bin/greeter-cli`, {
    env: { HOME: home, PATH: "/usr/bin:/bin" },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(new TextDecoder().decode(launcher.stdout), `greeter ${view} True\n`);

  // pytest, the locked one, runs tests in the view.
  await Deno.writeTextFile(
    `${p.project}/test_view.py`,
    "import sys, importlib.util as u\n" +
      `def test_view():\n    assert sys.prefix == ${JSON.stringify(view)}\n` +
      "    assert u.find_spec('basepkg') is None\n",
  );
  const pytest = await envknit([
    "run",
    "--",
    "pytest",
    "-q",
    "-p",
    "no:cacheprovider",
    "test_view.py",
  ], {
    cwd: p.project,
    env,
  });
  assertEquals(pytest.code, 0, pytest.stdout + pytest.stderr);
  assertStringIncludes(pytest.stdout, "1 passed");

  // The user's PYTHONPATH is kept (as for any virtual environment); envknit adds none.
  await Deno.mkdir(`${p.dir}/extra`);
  await Deno.writeTextFile(`${p.dir}/extra/mine.py`, "");
  const own = await envknit(
    ["run", "--", "python", "-c", "import os, mine; print(os.environ['PYTHONPATH'])"],
    { cwd: p.project, env: { ...env, PYTHONPATH: `${p.dir}/extra` } },
  );
  assertEquals([own.code, own.stdout], [0, `${p.dir}/extra\n`], own.stderr);
});
