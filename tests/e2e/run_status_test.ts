// `envknit run` passes the command's own exit status through when an interrupt reaches both: at a
// terminal (Ctrl-C goes to the whole foreground process group) and from `kill -INT -<group>`
// without one. The command must see the interrupt once: a second copy, passed on by envknit, could
// kill it in the middle of its handling of the first (Python restores the default handler while
// it exits), turning "exit 3" into "killed by SIGINT" (130). Also: one `--env`, as the help says.
import { assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { MAIN, readUntil, RUN_FLAGS, spawnEnvknit } from "../support/cli.ts";
import { PYTHON } from "../support/python.ts";
import { envknit, makeProject, type TestProject, writeTestLock } from "./install_support.ts";

/**
 * The command: counts the SIGINTs it gets, then, a moment after the first, says it is ready to
 * exit and exits 3 when it got exactly one (20 + the count otherwise).
 */
const COMMAND = `
import signal, sys, time
seen = []
signal.signal(signal.SIGINT, lambda *a: seen.append(1))
print("ready", flush=True)
deadline = time.time() + 30
while not seen and time.time() < deadline:
    time.sleep(0.01)
time.sleep(0.1)
print("interrupts:", len(seen), flush=True)
sys.exit(3 if len(seen) == 1 else 20 + len(seen))
`;

async function installedProject(): Promise<{ p: TestProject; dispose: () => Promise<void> }> {
  const beta = await buildWheel({ name: "beta", version: "2.0" });
  const index = await startIndex({ projects: { beta: [beta] } });
  const p = await makeProject();
  await writeTestLock(p.lockPath, { default: [{ wheels: [beta] }] }, index);
  const install = await envknit(["install"], { cwd: p.project, env: p.env });
  assertEquals(install.code, 0, install.stderr);
  await Deno.writeTextFile(`${p.project}/app.py`, COMMAND);
  return {
    p,
    dispose: async () => {
      await p[Symbol.asyncDispose]();
      await index[Symbol.asyncDispose]();
    },
  };
}

const RUN_APP = ["run", "--", "python", "app.py"];
const RUN = ["run", "-A", ...RUN_FLAGS, MAIN, ...RUN_APP];

Deno.test("run: Ctrl-C at a terminal reaches the command once; its exit status is envknit's", async () => {
  const { p, dispose } = await installedProject();
  try {
    // envknit on a pseudo-terminal (stdout and stderr; stdin from /dev/null, so that it is not
    // stdin that tells envknit a terminal is there), Ctrl-C typed once "ready" shows.
    const driver = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
sent = False
deadline = time.time() + 60
while time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not sent and b"ready" in out:
        os.write(fd, b"\\x03")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
print("exit", os.waitstatus_to_exitcode(status))
`;
    const out = await new Deno.Command(PYTHON, {
      args: ["-c", driver, Deno.execPath(), ...RUN],
      cwd: p.project,
      env: p.env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assertStringIncludes(text, "interrupts: 1", text);
    assertStringIncludes(text, "exit 3\n", text);
  } finally {
    await dispose();
  }
});

Deno.test("run: an interrupt sent to the whole process group reaches the command once", async () => {
  const { p, dispose } = await installedProject();
  try {
    // A session (and process group) of its own, as a CI runner or `kill -INT -<pgid>` targets.
    const child = spawnEnvknit(RUN_APP, {
      cwd: p.project,
      env: p.env,
      detached: true,
    });
    const reader = child.stdout.getReader();
    let out = await readUntil(reader, "ready");
    Deno.kill(-child.pid, "SIGINT");
    out = await readUntil(reader, undefined, out);
    const status = await child.status;
    const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assertStringIncludes(out, "interrupts: 1", out + stderr);
    assertEquals(status.code, 3, out + stderr);
  } finally {
    await dispose();
  }
});

Deno.test("run: one --env, as its help says", async () => {
  await using p = await makeProject();
  const help = await envknit(["run", "--help"], { cwd: p.project, env: p.env });
  assertStringIncludes(help.stdout, "the environment whose packages are importable (one;");
  assertEquals(help.stdout.includes("repeatable"), false, help.stdout);
  const two = await envknit(["run", "--env", "a", "--env", "b", "--", "true"], {
    cwd: p.project,
    env: p.env,
  });
  assertEquals(two.code, 2);
  assertStringIncludes(two.stderr, "error: envknit run takes one --env, got 2: a, b\n");
  assertStringIncludes(two.stderr, "hint: one environment's packages are importable");
});
