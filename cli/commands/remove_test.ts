import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { startIndex } from "../../tests/support/index_server.ts";
import { buildWheel } from "../../tests/support/wheel_factory.ts";
import { loadConfig } from "../../project/config.ts";
import { readLock } from "../../project/lock.ts";
import { tempProject } from "../../tests/support/commands.ts";

const ONLINE = { env: { ENVKNIT_OFFLINE: "" } };

Deno.test("envknit remove: by normalized name, errors that list what is there, then lock", async () => {
  await using index = await startIndex({
    projects: {
      demo: [await buildWheel({ name: "demo", version: "1.0", requiresDist: ["idna"] })],
      idna: [await buildWheel({ name: "idna", version: "3.6" })],
      "zope.tool": [await buildWheel({ name: "zope.tool", version: "1.0" })],
    },
  });
  const p = await tempProject(`index:
  url: "${index.url}"
environments:
  default:
    packages:
      - demo>=1       # the app
      - Zope.Tool
    dev_packages: [idna]
`);
  const names = async () =>
    (await readLock(`${p.dir}/envknit.lock.yaml`)).environments.default.map((x) => x.name);
  try {
    // Adding a requirement that is there already (same text) just locks the environment.
    let r = await p.run(["add", "demo>=1"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await names(), ["demo", "idna", "zope-tool"]);

    r = await p.run(["remove", "zope_tool"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "removed Zope.Tool from packages of 'default'");
    assertStringIncludes(r.stderr, "  - zope-tool 1.0");
    assertEquals(await names(), ["demo", "idna"]);
    assertStringIncludes(await p.read("envknit.yaml"), "# the app");

    r = await p.run(["remove", "nope", "demo"], ONLINE);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "error: not in packages of 'default': nope");
    assertStringIncludes(r.stderr, "hint: packages of 'default': demo>=1");

    r = await p.run(["remove", "idna"], ONLINE);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "in dev_packages: idna (add --dev)");

    r = await p.run(["remove", "--dev", "idna", "--no-lock"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "not locked (--no-lock)");
    const cfg = await loadConfig(`${p.dir}/envknit.yaml`);
    assertEquals(cfg.environments.default.packages, ["demo>=1"]);
    assertEquals(cfg.environments.default.devPackages, []);

    r = await p.run(["remove", "--env", "nope", "demo"]);
    assertEquals(r.code, 2);
    assertStringIncludes(r.stderr, "no environment 'nope'");
  } finally {
    await p.dispose();
  }
});
