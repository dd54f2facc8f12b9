import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { startIndex } from "../../tests/support/index_server.ts";
import { buildWheel } from "../../tests/support/wheel_factory.ts";
import { readLock } from "../../project/lock.ts";
import { tempProject } from "../../tests/support/commands.ts";

const ONLINE = { env: { ENVKNIT_OFFLINE: "" } };

Deno.test("envknit upgrade: named packages or all move to their newest allowed versions", async () => {
  await using index = await startIndex({
    projects: {
      demo: [await buildWheel({ name: "demo", version: "1.0" })],
      lib: [await buildWheel({ name: "lib", version: "1.0" })],
    },
  });
  const p = await tempProject(
    `index:\n  url: "${index.url}"\nenvironments:\n  default:\n    packages: []\n`,
  );
  const versions = async () =>
    (await readLock(`${p.dir}/envknit.lock.yaml`)).environments.default.map((x) =>
      `${x.name} ${x.version}`
    );
  try {
    let r = await p.run(["add", "demo", "lib<3"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(await versions(), ["demo 1.0", "lib 1.0"]);

    // New releases: the lock keeps its versions until asked.
    index.addFile("demo", await buildWheel({ name: "demo", version: "1.10" }));
    index.addFile("lib", await buildWheel({ name: "lib", version: "2.0" }));
    index.addFile("lib", await buildWheel({ name: "lib", version: "3.0" }));

    r = await p.run(["upgrade", "demo", "--dry-run"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "default:\n  ↑ demo 1.0 → 1.10\n");
    assertStringIncludes(r.stderr, "dry run: the lock was not written");
    assertEquals(await versions(), ["demo 1.0", "lib 1.0"]);

    r = await p.run(["upgrade", "Demo"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "default:\n  ↑ demo 1.0 → 1.10\n");
    assertEquals(await versions(), ["demo 1.10", "lib 1.0"]);

    r = await p.run(["upgrade", "--json"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout);
    assertEquals(data.changed, true);
    assertEquals(data.environments.default.changed, [
      { name: "lib", from: "1.0", to: "2.0", kind: "upgraded" },
    ]);
    assertEquals(await versions(), ["demo 1.10", "lib 2.0"], "lib<3 keeps lib below 3.0");

    r = await p.run(["upgrade"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "");
    assertStringIncludes(r.stderr, "nothing to upgrade");

    r = await p.run(["upgrade", "nope"], ONLINE);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "error: not in the lock: nope");
    assertEquals((await p.run(["upgrade", "--env", "nope"])).code, 2);
  } finally {
    await p.dispose();
  }
});
