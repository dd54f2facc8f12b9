import { assertEquals, assertStringIncludes } from "../tests/support/assert.ts";
import { ENVKNIT_VERSION } from "../project/version.ts";
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
