import { parse as parseToml } from "smol-toml";
import { assert, assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { readLock } from "../../project/lock.ts";
import { graphProject } from "../../tests/support/commands.ts";

// The formats themselves (and pip's acceptance of them) are tested in project/export/.
Deno.test("envknit export: requirements to stdout, pylock.toml to a file, the environment's dependencies", async () => {
  const p = await graphProject();
  try {
    const lock = await readLock(`${p.dir}/envknit.lock.yaml`);
    const req = await p.run(["export"]);
    assertEquals(req.code, 0, req.stderr);
    const pins = req.stdout.split("\n").filter((l) => /^[a-z]/.test(l));
    assertEquals(pins, [
      "cli-tool==1.0 \\",
      "colorama==0.4.6 \\",
      "cyc-a==1.0 \\",
      "cyc-b==1.0 \\",
      "http-lib==1.5 \\",
      "pluggy==1.4 \\",
      "shared==2.1 \\",
      "testkit==3.0 \\",
      "web==2.0 \\",
    ]);
    const web = lock.environments.default.find((x) => x.name === "web")!;
    assertStringIncludes(req.stdout, `web==2.0 \\\n    --hash=sha256:${web.wheels[0].sha256}\n`);
    const noDev = await p.run(["export", "--no-dev", "--env", "default"]);
    assert(!noDev.stdout.includes("pluggy") && !noDev.stdout.includes("testkit"), noDev.stdout);

    // A pylock.toml output name chooses the format.
    const written = await p.run(["export", "-o", "pylock.toml"]);
    assertEquals(written.code, 0, written.stderr);
    assertEquals(written.stdout, "");
    assertStringIncludes(written.stderr, "(pylock)");
    const data = parseToml(await p.read("pylock.toml")) as {
      packages: { name: string; dependencies?: { name: string }[] }[];
    };
    const deps = Object.fromEntries(
      data.packages.map((x) => [x.name, (x.dependencies ?? []).map((d) => d.name)]),
    );
    assertEquals(deps.web, ["http-lib", "shared"]);
    assertEquals(deps["cyc-b"], ["cyc-a"]);
    assertEquals(deps.colorama, []);

    const other = await p.run([
      "export",
      "--format",
      "pylock",
      "-o",
      "deps.toml",
      "--env",
      "other",
    ]);
    assertEquals(other.code, 0, other.stderr);
    assertStringIncludes(
      other.stderr,
      "PEP 751 names lock files pylock.toml or pylock.<name>.toml",
    );
    assertEquals(
      (parseToml(await p.read("deps.toml")) as { packages: { name: string }[] }).packages.map((
        x,
      ) => x.name),
      ["colorama"],
    );

    const explicit = await p.run(["export", "--format", "requirements", "-o", "pylock.dev.toml"]);
    assertEquals(explicit.code, 0, explicit.stderr);
    assertStringIncludes(await p.read("pylock.dev.toml"), "--hash=sha256:");

    for (
      const [args, code, message] of [
        [["export", "--env", "nope"], 2, "the lock has no environment 'nope'"],
        [["export", "--format", "conda"], 2, "unknown export format 'conda'"],
        [["export", "out.txt"], 2, "unexpected argument 'out.txt'"],
      ] as [string[], number, string][]
    ) {
      const r = await p.run(args);
      assertEquals(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(r.stderr, message);
    }
  } finally {
    await p.dispose();
  }
});
