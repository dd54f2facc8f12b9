import { assert, assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { loadConfig } from "../../project/config.ts";
import { lockEntry, tempProject, writeTestLock } from "../../tests/support/commands.ts";

const CONFIG = `# my project
envknit_version: "0.1.0"
environments:
  default:          # the main one
    packages: [requests>=2.28]
    dev_packages: [pytest]
  legacy:
    python_version: "3.10"
    packages:
      - "requests==2.28.1"  # pinned on purpose
`;

Deno.test("envknit env list / create / remove edit envknit.yaml and keep its comments", async () => {
  const p = await tempProject(CONFIG);
  try {
    await writeTestLock(p, {
      default: [await lockEntry("requests", "2.31.0"), await lockEntry("pytest", "8.0.0")],
      legacy: [await lockEntry("requests", "2.28.1")],
    });

    const listed = await p.run(["env", "list"]);
    assertEquals(listed.code, 0, listed.stderr);
    assertEquals(listed.stdout.split("\n").filter((l) => l), [
      "NAME     PYTHON  PACKAGES  DEV  LOCKED",
      "default  -       1         1    2",
      "legacy   3.10    1         0    1",
    ]);

    const created = await p.run(["env", "create", "ml", "--python-version", "3.12"]);
    assertEquals(created.code, 0, created.stderr);
    assertStringIncludes(created.stderr, "created environment 'ml'");
    let config = await loadConfig(`${p.dir}/envknit.yaml`);
    assertEquals(config.environments.ml, {
      name: "ml",
      pythonVersion: "3.12",
      packages: [],
      devPackages: [],
    });
    let text = await p.read("envknit.yaml");
    for (const comment of ["# my project", "# the main one", "# pinned on purpose"]) {
      assertStringIncludes(text, comment);
    }

    const json = await p.run(["env", "list", "--json"]);
    assertEquals(json.code, 0, json.stderr);
    const data = JSON.parse(json.stdout);
    assertEquals(data.environments.map((e: { name: string }) => e.name), [
      "default",
      "legacy",
      "ml",
    ]);
    assertEquals(data.environments[2], {
      name: "ml",
      pythonVersion: "3.12",
      packages: [],
      devPackages: [],
      locked: null,
    });
    assertEquals(data.environments[0].packages, ["requests>=2.28"]);

    const again = await p.run(["env", "create", "ml"]);
    assertEquals(again.code, 1);
    assertStringIncludes(again.stderr, "error: environment 'ml' already exists");

    const removed = await p.run(["env", "remove", "legacy"]);
    assertEquals(removed.code, 0, removed.stderr);
    assertStringIncludes(removed.stderr, "run 'envknit lock'");
    config = await loadConfig(`${p.dir}/envknit.yaml`);
    assertEquals(Object.keys(config.environments), ["default", "ml"]);
    text = await p.read("envknit.yaml");
    assertStringIncludes(text, "# the main one");
    assert(!text.includes("pinned on purpose"), "the removed environment's lines are gone");
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit env: bad names, unknown environments and usage errors", async () => {
  const p = await tempProject(CONFIG);
  try {
    const before = await p.read("envknit.yaml");
    const missing = await p.run(["env", "remove", "nope"]);
    assertEquals(missing.code, 2);
    assertStringIncludes(missing.stderr, "error: no environment 'nope'");
    assertStringIncludes(missing.stderr, "its environments: default, legacy");

    const bad = await p.run(["env", "create", "../x"]);
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, "invalid environment name");

    const badPython = await p.run(["env", "create", "x", "--python-version", "three"]);
    assertEquals(badPython.code, 2);

    const noSub = await p.run(["env"]);
    assertEquals(noSub.code, 2);
    assertStringIncludes(noSub.stderr, "list, create, remove");
    assertEquals(await p.read("envknit.yaml"), before);
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit env create works on a config without an environments key", async () => {
  const p = await tempProject('envknit_version: "0.1.0"\n');
  try {
    const created = await p.run(["env", "create", "default"]);
    assertEquals(created.code, 0, created.stderr);
    const config = await loadConfig(`${p.dir}/envknit.yaml`);
    assertEquals(config.environments.default.packages, []);
    const empty = await tempProject("# nothing yet\n");
    try {
      assertEquals((await empty.run(["env", "create", "a"])).code, 0);
      assertEquals(Object.keys((await loadConfig(`${empty.dir}/envknit.yaml`)).environments), [
        "a",
      ]);
      assertStringIncludes(await empty.read("envknit.yaml"), "# nothing yet");
    } finally {
      await empty.dispose();
    }
  } finally {
    await p.dispose();
  }
});
