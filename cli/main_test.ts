import { assertEquals, assertStringIncludes } from "../tests/support/assert.ts";
import { ENVKNIT_VERSION } from "../core/version.ts";
import { DENO_DIR } from "../tests/support/deno_dir.ts";

const mainPath = new URL("./main.ts", import.meta.url).pathname;

async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainPath, ...args],
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("envknit --version prints the version and exits 0", async () => {
  const r = await cli("--version");
  assertEquals(r.code, 0);
  assertEquals(r.stdout.trim(), `envknit ${ENVKNIT_VERSION}`);
});

Deno.test("envknit --help lists usage and global options", async () => {
  const r = await cli("--help");
  assertEquals(r.code, 0);
  assertStringIncludes(r.stdout, "Usage: envknit");
  assertStringIncludes(r.stdout, "--index-url");
});

Deno.test("an unknown command is a usage error: one error line, exit 2", async () => {
  const r = await cli("frobnicate");
  assertEquals(r.code, 2);
  assertEquals(r.stderr.split("\n")[0], "error: unknown command 'frobnicate'");
});

Deno.test("an empty ENVKNIT_INDEX_URL counts as unset: the project's index is used", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/envknit.yaml`,
      "index:\n  url: http://127.0.0.1:9/simple/\nenvironments:\n  default:\n    packages: [greeter]\n",
    );
    // Offline with an empty cache, lock fails, and its message names the index it would ask.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", mainPath, "lock", "--offline"],
      cwd: dir,
      env: {
        NO_COLOR: "1",
        ENVKNIT_HOME: `${dir}/home`,
        ENVKNIT_INDEX_URL: "",
        HOME: dir,
        DENO_DIR,
      },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertStringIncludes(stderr, "http://127.0.0.1:9/simple/greeter/");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("unknown commands, subcommands and options name the closest one", async () => {
  const command = await cli("instal");
  assertEquals(command.code, 2);
  assertEquals(
    command.stderr.split("\n")[0],
    "error: unknown command 'instal'; did you mean 'install'?",
  );
  // Each command's own options (and the global ones) are the candidates.
  const option = await cli("tree", "--dept", "1");
  assertEquals(option.code, 2);
  assertEquals(
    option.stderr.split("\n")[0],
    "error: unknown option '--dept'; did you mean '--depth'?",
  );
  const global = await cli("lock", "--ofline");
  assertEquals(
    global.stderr.split("\n")[0],
    "error: unknown option '--ofline'; did you mean '--offline'?",
  );
  const sub = await cli("store", "stat");
  assertEquals(sub.code, 2);
  assertEquals(
    sub.stderr.split("\n")[0],
    "error: unknown store command 'stat'; did you mean 'stats'?",
  );
  // Nothing close: no guess.
  assertEquals(
    (await cli("tree", "--zzzzzz")).stderr.split("\n")[0],
    "error: unknown option '--zzzzzz'",
  );
});

Deno.test("with --json, an error is one JSON line on stderr and the exit code is unchanged", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", mainPath, ...args],
        cwd: dir,
        env: { NO_COLOR: "1", ENVKNIT_HOME: `${dir}/home` },
      }).output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    };
    // A failure of the command (exit 1): no project here.
    const failure = await run("tree", "--json");
    assertEquals(failure.code, 1);
    assertEquals(failure.stdout, "");
    assertEquals(failure.stderr.split("\n").length, 2, failure.stderr); // one line and its newline
    const data = JSON.parse(failure.stderr);
    assertEquals(Object.keys(data), ["error", "hints"]);
    assertStringIncludes(data.error, "no envknit.yaml or envknit.lock.yaml in");
    assertEquals(data.hints.length, 2);
    // A usage error (exit 2), even one in the command line itself, and --json before the command.
    const usage = await run("--json", "tree", "--dept", "1");
    assertEquals(usage.code, 2);
    assertEquals(JSON.parse(usage.stderr), {
      error: "unknown option '--dept'; did you mean '--depth'?",
      hints: ["see --help"],
    });
    // --json after `--` belongs to the command run, not to envknit.
    const passed = await run("run", "--", "true", "--json");
    assertEquals(passed.code, 1);
    assertEquals(passed.stderr.startsWith("error: "), true, passed.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a reader that closes stdout early (envknit … | head) is not an internal error", async () => {
  // The pipe's read end is closed before envknit writes: every write to stdout fails with EPIPE,
  // as when `head -3` has read what it wanted. The command still finishes, silently.
  const { PYTHON } = await import("../tests/support/python.ts");
  const code = `
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
sys.stdout.write(str(p.returncode) + "\\n" + p.stderr.decode())
`;
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", code, Deno.execPath(), "run", "-A", mainPath, "--help"],
    env: { DENO_DIR },
  }).output();
  const [status, ...stderr] = new TextDecoder().decode(out.stdout).split("\n");
  assertEquals(stderr.join("\n").trim(), "");
  assertEquals(status, "0");
});
