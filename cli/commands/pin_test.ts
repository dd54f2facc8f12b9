import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { startIndex } from "../../tests/support/index_server.ts";
import { buildWheel } from "../../tests/support/wheel_factory.ts";
import { loadConfig } from "../../project/config.ts";
import { readLock } from "../../project/lock.ts";
import { tempProject } from "../../tests/support/commands.ts";

const ONLINE = { env: { ENVKNIT_OFFLINE: "" } };

Deno.test("envknit pin: locked versions into envknit.yaml, extras and markers kept", async () => {
  await using index = await startIndex({
    projects: {
      demo: [
        await buildWheel({
          name: "demo",
          version: "2.0",
          requiresDist: ["idna>=3", 'extra-dep; extra == "fast"'],
          providesExtra: ["fast"],
        }),
      ],
      idna: [await buildWheel({ name: "idna", version: "3.6" })],
      "extra-dep": [await buildWheel({ name: "extra-dep", version: "0.5" })],
      tool: [await buildWheel({ name: "tool", version: "1.0" })],
    },
  });
  const p = await tempProject(`index:
  url: "${index.url}"
environments:
  default:
    packages:
      - 'demo[fast]>=1; python_version >= "3"'   # keep this comment
    dev_packages: [tool]
`);
  const cfg = async () => (await loadConfig(`${p.dir}/envknit.yaml`)).environments.default;
  try {
    let r = await p.run(["add", "--dev", "tool"], ONLINE); // locks the environment
    assertEquals(r.code, 0, r.stderr);
    const lockBefore = await readLock(`${p.dir}/envknit.lock.yaml`);

    r = await p.run(["pin", "demo", "IDNA", "tool"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(
      r.stderr,
      `pinned demo[fast]>=1; python_version >= "3" → demo[fast]==2.0; python_version >= "3" in packages of 'default'`,
    );
    assertStringIncludes(
      r.stderr,
      "added idna==3.6 to packages of 'default' (it was required by other packages)",
    );
    assertStringIncludes(r.stderr, "no package changed");
    assertEquals((await cfg()).packages, ['demo[fast]==2.0; python_version >= "3"', "idna==3.6"]);
    assertEquals((await cfg()).devPackages, ["tool==1.0"]);
    assertStringIncludes(await p.read("envknit.yaml"), "# keep this comment");
    const lockAfter = await readLock(`${p.dir}/envknit.lock.yaml`);
    assertEquals(lockAfter.environments, lockBefore.environments);

    r = await p.run(["pin", "idna"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "idna==3.6 is already pinned");

    r = await p.run(["pin", "nope"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "error: not in the lock of 'default': nope");
    assertEquals((await p.run(["pin"])).code, 2);
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit pin needs a lock", async () => {
  const p = await tempProject("environments:\n  default:\n    packages: [demo]\n");
  try {
    const r = await p.run(["pin", "demo"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "error: environment 'default' is not locked yet");
  } finally {
    await p.dispose();
  }
});
