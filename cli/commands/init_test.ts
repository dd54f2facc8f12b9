import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { loadConfig } from "../../project/config.ts";
import { runEnvknit } from "../../tests/support/cli.ts";

/** Runs the CLI in `cwd` with our whole environment (as a user runs `envknit init`). */
function envknit(cwd: string, ...args: string[]) {
  return runEnvknit(args, {
    cwd,
    env: { ...Deno.env.toObject(), NO_COLOR: "1" },
    inheritStdin: true,
  });
}

Deno.test("envknit init writes a loadable envknit.yaml and refuses to overwrite it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await envknit(dir, "init", "--python-version", "3.11");
    assertEquals(first.code, 0, first.stderr);
    const config = await loadConfig(`${dir}/envknit.yaml`);
    assertEquals(config.environments.default, {
      name: "default",
      pythonVersion: "3.11",
      packages: [],
      devPackages: [],
    });
    const again = await envknit(dir, "init");
    assertEquals(again.code, 1);
    assertStringIncludes(again.stderr, "error: ");
    assertStringIncludes(again.stderr, "already exists");
    assertEquals((await envknit(dir, "init", "--force")).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
