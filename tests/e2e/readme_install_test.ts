// The README's install command, run as written (into a temporary `--root` instead of ~/.deno), must
// give an `envknit` command that works from any folder, not only inside the checkout.
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../support/assert.ts";
import { cleanEnv, RUN_FLAGS } from "../support/cli.ts";
import { ENVKNIT_VERSION } from "../../core/version.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The `deno install` line of README's Install section, split into its words. */
async function readmeInstallCommand(): Promise<string[]> {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.slice(
    readme.indexOf("## Install"),
    readme.indexOf("\n## ", 4 + readme.indexOf("## Install")),
  );
  const lines = section.split("\n").filter((l) => l.startsWith("deno install "));
  assertEquals(lines.length, 1, `one 'deno install' line in README's Install section:\n${section}`);
  // Comments and quoting would need a shell: the line is plain words.
  assertMatch(lines[0], /^[\w@./=+-]+(?: [\w@./=+-]+)*$/, lines[0]);
  return lines[0].split(" ");
}

Deno.test("README's install puts an envknit command on PATH that works outside the checkout", async () => {
  const words = await readmeInstallCommand();
  assertEquals(words.slice(0, 3), ["deno", "install", "-g"]);
  // The installed command starts the CLI as the tests do.
  for (const flag of RUN_FLAGS) assert(words.includes(flag), `${flag} in: ${words.join(" ")}`);
  const root = await Deno.makeTempDir({ prefix: "envknit-install-root-" });
  const project = await Deno.makeTempDir({ prefix: "envknit-install-project-" });
  const home = await Deno.makeTempDir({ prefix: "envknit-install-home-" });
  try {
    // As README runs it, from the clone, with --root so nothing lands in the real ~/.deno.
    const install = await new Deno.Command(Deno.execPath(), {
      args: [words[1], "--root", root, ...words.slice(2)],
      cwd: ROOT,
      env: cleanEnv({ NO_COLOR: "1" }),
      clearEnv: true,
    }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    assertEquals(install.code, 0, decode(install.stdout) + decode(install.stderr));
    assert((await Deno.stat(`${root}/bin/envknit`)).isFile);

    // `envknit` by name, from a folder outside the checkout, with PATH as README sets it.
    const denoBin = Deno.execPath().slice(0, Deno.execPath().lastIndexOf("/"));
    const env = cleanEnv({
      NO_COLOR: "1",
      ENVKNIT_HOME: home,
      PATH: `${root}/bin:${denoBin}:/usr/bin:/bin`,
    });
    const envknit = async (args: string) => {
      const out = await new Deno.Command("sh", {
        args: ["-c", `envknit ${args}`],
        cwd: project,
        env,
        clearEnv: true,
      }).output();
      return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
    };
    const version = await envknit("--version");
    assertEquals(version.code, 0, version.stderr);
    assertEquals(version.stdout, `envknit ${ENVKNIT_VERSION}\n`);

    const init = await envknit("init");
    assertEquals(init.code, 0, init.stderr);
    assertStringIncludes(await Deno.readTextFile(`${project}/envknit.yaml`), "environments:");
    // A command that parses envknit.yaml (the YAML parser comes from npm) works there too.
    const list = await envknit("env list --json");
    assertEquals(list.code, 0, list.stderr);
    assertEquals(JSON.parse(list.stdout).environments.map((e: { name: string }) => e.name), [
      "default",
    ]);
  } finally {
    for (const dir of [root, project, home]) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
});
