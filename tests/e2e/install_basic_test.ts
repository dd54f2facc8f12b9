// `envknit install` and `envknit run` end to end: the store entry layout the runtime codes
// against, .data and entry points, the embedded runtime, a warm install that touches nothing, and
// run's environment, exit codes, stdin, signals and missing-entry message.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { RUNTIME_FILES } from "../../store/runtime_files.generated.ts";
import { ENVKNIT_VERSION } from "../../core/version.ts";
import {
  entryDir,
  envknit,
  exists,
  makeProject,
  snapshot,
  writeTestLock,
} from "./install_support.ts";
import { MAIN, readUntil, spawnEnvknit } from "../support/cli.ts";

const alpha = await buildWheel({
  name: "Alpha.Pkg",
  version: "1.0",
  files: {
    "alpha_pkg/__init__.py": "X = 'alpha-1.0'\n",
    "alpha_pkg/cli.py": "import sys\ndef main():\n    print('alpha-cli', sys.argv[1:])\n" +
      "    return 3\nclass Nested:\n    @staticmethod\n    def run():\n        print('nested')\n",
  },
  entryPoints: {
    console_scripts: {
      "alpha-cli": "alpha_pkg.cli:main",
      "alpha-nested": "alpha_pkg.cli:Nested.run [x]",
    },
    gui_scripts: { "alpha-gui": "alpha_pkg.cli:main" },
    "alpha.plugins": { ignored: "alpha_pkg:X" },
  },
  data: {
    scripts: {
      "alpha-script": "#!python\nimport alpha_pkg\nprint('script', alpha_pkg.X)\n",
      "alpha-sh": "#!/bin/sh\necho shell-script\n",
    },
    headers: { "alpha.h": "int alpha;\n" },
    data: { "share/alpha/readme.txt": "data file\n" },
    purelib: { "alpha_extra.py": "EXTRA = 1\n" },
  },
});
const beta = await buildWheel({ name: "beta", version: "2.0" });
const devtool = await buildWheel({
  name: "devtool",
  version: "0.1",
  entryPoints: { console_scripts: { devtool: "devtool:main" } },
  files: { "devtool/__init__.py": "def main():\n    print('devtool ran')\n" },
});

Deno.test("install: entries laid out as the runtime expects, then run uses them", async () => {
  await using index = await startIndex({
    projects: { "alpha-pkg": [alpha], beta: [beta], devtool: [devtool] },
  });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, {
    default: [{ wheels: [alpha] }, { wheels: [beta] }, { wheels: [devtool], dev: true }],
  }, index);

  const r = await envknit(["install"], { cwd: p.project, env: p.env });
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stderr, /installed 3 packages/);
  // deno-lint-ignore no-control-regex
  assert(!/[\r\x1b]/.test(r.stderr), "no progress drawing when stderr is not a terminal");
  assertEquals(index.counts.wheel, 3);

  // The entry: name normalized, version, first 16 hex digits of the wheel's sha256.
  const dir = entryDir(p.home, alpha);
  assertStringIncludes(dir, "/packages/alpha-pkg/1.0/");
  const marker = JSON.parse(await Deno.readTextFile(`${dir}/.envknit-entry.json`));
  assertEquals(marker, {
    name: "alpha-pkg",
    version: "1.0",
    wheel: alpha.filename,
    sha256: alpha.sha256,
    tags: ["py3-none-any"],
  });
  assertEquals(await Deno.readTextFile(`${dir}/${alpha.distInfo}/INSTALLER`), "envknit\n");
  assertEquals(await Deno.readTextFile(`${dir}/alpha_pkg/__init__.py`), "X = 'alpha-1.0'\n");
  // .data: purelib at the root, headers in include/, data in data/, scripts in bin/.
  assertEquals(await Deno.readTextFile(`${dir}/alpha_extra.py`), "EXTRA = 1\n");
  assertEquals(await Deno.readTextFile(`${dir}/include/alpha.h`), "int alpha;\n");
  assertEquals(await Deno.readTextFile(`${dir}/data/share/alpha/readme.txt`), "data file\n");
  assert(!(await exists(`${dir}/${alpha.distInfo.replace(".dist-info", ".data")}`)));
  for (const script of ["alpha-cli", "alpha-nested", "alpha-gui", "alpha-script", "alpha-sh"]) {
    const info = await Deno.stat(`${dir}/bin/${script}`);
    assertEquals((info.mode ?? 0) & 0o777, 0o755, script);
  }
  assert(!(await exists(`${dir}/bin/ignored`)), "only console and gui scripts become commands");
  assertEquals(
    await Deno.readTextFile(`${dir}/bin/alpha-sh`),
    "#!/bin/sh\necho shell-script\n",
    "a script that is not #!python is kept as shipped",
  );
  // RECORD lists every installed file with its sha256, at its path in the entry.
  const record = await Deno.readTextFile(`${dir}/${alpha.distInfo}/RECORD`);
  for (
    const path of [
      "alpha_extra.py",
      "include/alpha.h",
      "bin/alpha-cli",
      `${alpha.distInfo}/INSTALLER`,
    ]
  ) {
    assertMatch(
      record,
      new RegExp(`^${path.replace(/[.]/g, "\\.")},sha256=[A-Za-z0-9_-]{43},\\d+$`, "m"),
    );
  }
  assertStringIncludes(record, `${alpha.distInfo}/RECORD,,\n`);
  assertEquals((await Deno.stat(dir)).mode! & 0o777, 0o755);

  // The runtime, written from the copy embedded in the tool.
  const runtime = `${p.home}/runtime/${ENVKNIT_VERSION}`;
  for (const [path, text] of Object.entries(RUNTIME_FILES)) {
    assertEquals(await Deno.readTextFile(`${runtime}/envknit/${path}`), text);
  }
  // The project is recorded for gc.
  const projects = await Array.fromAsync(Deno.readDir(`${p.home}/projects`));
  assertEquals(projects.length, 1);
  const record0 = JSON.parse(await Deno.readTextFile(`${p.home}/projects/${projects[0].name}`));
  assertEquals(record0.lock, p.lockPath);

  // Warm: nothing fetched, nothing changed.
  index.reset();
  const before = await snapshot(`${p.home}/packages`);
  const again = await envknit(["install"], { cwd: p.project, env: p.env });
  assertEquals(again.code, 0, again.stderr);
  assertStringIncludes(again.stderr, "all 3 packages already installed");
  assertEquals(index.counts.total, 0);
  assertEquals(await snapshot(`${p.home}/packages`), before);

  // A stale runtime (changed since, same version) is rewritten by the next install.
  await Deno.writeTextFile(`${runtime}/envknit/__init__.py`, "broken = True\n");
  await Deno.writeTextFile(`${runtime}/.envknit-runtime.json`, '{"digest":"old"}\n');
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  assertEquals(
    await Deno.readTextFile(`${runtime}/envknit/__init__.py`),
    RUNTIME_FILES["__init__.py"],
  );

  // run: entry points work as commands (console, nested attribute), exit codes pass through.
  const cli = await envknit(["run", "--", "alpha-cli", "a", "b"], { cwd: p.project, env: p.env });
  assertEquals(cli.code, 3);
  assertEquals(cli.stdout, "alpha-cli ['a', 'b']\n");
  const nested = await envknit(["run", "--", "alpha-nested"], { cwd: p.project, env: p.env });
  assertEquals([nested.code, nested.stdout], [0, "nested\n"]);
  const script = await envknit(["run", "--", "alpha-script"], { cwd: p.project, env: p.env });
  assertEquals([script.code, script.stdout], [0, "script alpha-1.0\n"]);
  const dev = await envknit(["run", "--", "devtool"], { cwd: p.project, env: p.env });
  assertEquals([dev.code, dev.stdout], [0, "devtool ran\n"]);

  // The environment of the command.
  const show = await envknit([
    "run",
    "--",
    "python",
    "-c",
    "import os, sys, alpha_pkg, beta, envknit; print(alpha_pkg.X); " +
    "print(os.environ['ENVKNIT_ENV'], os.environ['ENVKNIT_LOCK'], os.environ['ENVKNIT_HOME']); " +
    "print(os.environ.get('PYTHONPATH')); print(os.environ['PATH'].split(':')[0]); " +
    "print(sys.executable == os.environ['ENVKNIT_PYTHON'] or os.environ['ENVKNIT_PYTHON']); " +
    "print(sys.prefix == os.environ['VIRTUAL_ENV'] != sys.base_prefix); " +
    "print(os.path.realpath(os.path.dirname(envknit.__file__)))",
  ], { cwd: p.project, env: p.env });
  assertEquals(show.code, 0, show.stderr);
  const lines = show.stdout.trim().split("\n");
  assertEquals(lines[0], "alpha-1.0");
  assertEquals(lines[1], `default ${p.lockPath} ${p.home}`);
  // The environment's view: nothing on PYTHONPATH, its bin/ first, its python, the runtime.
  assertEquals(lines[2], "None");
  assert(lines[3].startsWith(`${await Deno.realPath(p.home)}/views/`) && lines[3].endsWith("/bin"));
  assertEquals(lines[4], "True");
  assertEquals(lines[5], "True");
  assertEquals(lines[6], await Deno.realPath(`${runtime}/envknit`));

  // --no-dev leaves dev packages out.
  const nodev = await envknit(["run", "--no-dev", "--", "devtool"], { cwd: p.project, env: p.env });
  assertEquals(nodev.code, 1);
  assertStringIncludes(nodev.stderr, "command not found: devtool");

  // A plan is made only when every entry is there (store gc, which removes entries, drops every
  // plan; a remembered plan does not look at them again).
  await Deno.rename(entryDir(p.home, beta), `${p.dir}/beta-aside`);
  await Deno.remove(`${p.home}/cache/runs`, { recursive: true });
  const gone = await envknit(["run", "--", "python", "-c", "pass"], { cwd: p.project, env: p.env });
  assertEquals(gone.code, 1);
  assertStringIncludes(
    gone.stderr,
    "error: 1 package is not installed for environment default: beta 2.0",
  );
  await Deno.rename(`${p.dir}/beta-aside`, entryDir(p.home, beta));

  // stdin is inherited.
  const echo = await envknit(
    ["run", "--", "python", "-c", "import sys; print(sys.stdin.read().upper())"],
    { cwd: p.project, env: p.env, stdin: "hello\n" },
  );
  assertEquals(echo.stdout, "HELLO\n\n");
});

Deno.test("run: signals reach the command, and its death by signal is the exit status", async () => {
  await using index = await startIndex({ projects: { beta: [beta] } });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [beta] }] }, index);
  assertEquals((await envknit(["install"], { cwd: p.project, env: p.env })).code, 0);
  const child = spawnEnvknit([
    "run",
    "--",
    "python",
    "-c",
    "import signal, sys, time\n" +
    "signal.signal(signal.SIGTERM, lambda *a: (print('got SIGTERM', flush=True), sys.exit(7)))\n" +
    "print('ready', flush=True)\ntime.sleep(30)\n",
  ], { cwd: p.project, env: p.env });
  const reader = child.stdout.getReader();
  let out = await readUntil(reader, "ready");
  child.kill("SIGTERM");
  out = await readUntil(reader, undefined, out);
  const status = await child.status;
  await child.stderr.cancel();
  assertStringIncludes(out, "got SIGTERM");
  assertEquals(status.code, 7);

  const killed = await envknit(
    ["run", "--", "python", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"],
    { cwd: p.project, env: p.env },
  );
  assertEquals(killed.code, 128 + 9);
});

Deno.test("run: a package that is not installed is an error saying to run envknit install", async () => {
  await using index = await startIndex({ projects: { beta: [beta], devtool: [devtool] } });
  await using p = await makeProject();
  await writeTestLock(
    p.lockPath,
    { default: [{ wheels: [beta] }], tools: [{ wheels: [devtool] }] },
    index,
  );
  const before = await envknit(["run", "--", "python", "-c", "pass"], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(before.code, 1);
  const errors = before.stderr.split("\n").filter((l) => l.startsWith("error:"));
  assertEquals(errors, ["error: 1 package is not installed for environment default: beta 2.0"]);
  assertStringIncludes(before.stderr, "hint: run 'envknit install'");

  // Installing one environment; status shows the other still missing.
  assertEquals(
    (await envknit(["install", "--env", "default"], { cwd: p.project, env: p.env })).code,
    0,
  );
  const status = await envknit(["status"], { cwd: p.project, env: p.env });
  assertEquals(status.code, 0);
  assertStringIncludes(status.stdout, "default: 1 installed, complete");
  assertStringIncludes(status.stdout, "tools: 0 installed, 1 missing\n  missing devtool 0.1");
  const json = JSON.parse(
    (await envknit(["status", "--json"], { cwd: p.project, env: p.env })).stdout,
  );
  assertEquals(json.environments, {
    default: { installed: ["beta 2.0"], missing: [] },
    tools: { installed: [], missing: ["devtool 0.1"] },
  });
  const tools = await envknit(["run", "--env", "tools", "--", "devtool"], {
    cwd: p.project,
    env: p.env,
  });
  assertStringIncludes(tools.stderr, "hint: run 'envknit install --env tools'");
  const unknown = await envknit(["install", "--env", "nope"], { cwd: p.project, env: p.env });
  assertEquals(unknown.code, 1);
  assertStringIncludes(unknown.stderr, 'error: the lock has no environment named "nope"');
  const usage = await envknit(["run"], { cwd: p.project, env: p.env });
  assertEquals(usage.code, 2);
});

Deno.test("install draws a progress bar with packages and bytes on a terminal", async () => {
  await using index = await startIndex({
    projects: { "alpha-pkg": [alpha], beta: [beta] },
    faults: [{ type: "slow", kind: "wheel", delayMs: 150 }],
  });
  await using p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [alpha] }, { wheels: [beta] }] }, index);
  // `script` (util-linux) gives the command a pseudo-terminal and copies what it draws.
  const command = [Deno.execPath(), "run", "-A", "--no-lock", MAIN, "install"]
    .map((a) => `'${a}'`).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qefc", `stty cols 120 rows 40; ${command}`, "/dev/null"],
    cwd: p.project,
    env: p.env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assertEquals(out.code, 0, text);
  // deno-lint-ignore no-control-regex
  assertMatch(text, /\r\x1b\[2K\[[#.]{20}\] [0-2]\/2 packages, [0-9.]+ (B|KiB) \/ [0-9.]+ KiB/);
  assertStringIncludes(text, "installed 2 packages");
});
