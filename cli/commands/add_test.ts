import { assert, assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { startIndex } from "../../tests/support/index_server.ts";
import { buildWheel } from "../../tests/support/wheel_factory.ts";
import { loadConfig } from "../../project/config.ts";
import { readLock } from "../../project/lock.ts";
import { tempProject } from "../../tests/support/commands.ts";

/** Lock runs reach the loopback index: not offline. */
const ONLINE = { env: { ENVKNIT_OFFLINE: "" } };

const config = (url: string) =>
  `# my project
envknit_version: "0.1.0"
index:
  url: "${url}"
environments:
  default:   # the main one
    packages: []
    dev_packages: []
`;

Deno.test("envknit add: validates, edits envknit.yaml with comments kept, locks, says what changed", async () => {
  await using index = await startIndex({
    projects: {
      demo: [
        await buildWheel({ name: "demo", version: "1.0" }),
        await buildWheel({ name: "demo", version: "2.0", requiresDist: ["idna>=3"] }),
      ],
      idna: [await buildWheel({ name: "idna", version: "3.6" })],
      tool: [await buildWheel({ name: "tool", version: "1.0" })],
    },
  });
  const p = await tempProject(config(index.url));
  const lockPath = `${p.dir}/envknit.lock.yaml`;
  const versions = async (env = "default") =>
    (await readLock(lockPath)).environments[env].map((x) =>
      `${x.name} ${x.version}${x.dev ? " dev" : ""}`
    );
  try {
    let r = await p.run(["add", "demo>=1"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    // What was added is reported once the lock succeeded, with what changed in it.
    assertStringIncludes(
      r.stderr,
      "added demo>=1 to packages of 'default'\nlocked 'default':\n  + demo 2.0\n  + idna 3.6\n",
    );
    let cfg = await loadConfig(`${p.dir}/envknit.yaml`);
    assertEquals(cfg.environments.default.packages, ["demo>=1"]);
    assertStringIncludes(await p.read("envknit.yaml"), "# my project");
    assertStringIncludes(await p.read("envknit.yaml"), "# the main one");
    assertEquals(await versions(), ["demo 2.0", "idna 3.6"]);

    // The same package under another spelling replaces the requirement.
    r = await p.run(["add", "Demo<2"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "replaced demo>=1 with Demo<2 in packages of 'default'");
    assertStringIncludes(r.stderr, "  ↓ demo 2.0 → 1.0\n  - idna 3.6\n");
    cfg = await loadConfig(`${p.dir}/envknit.yaml`);
    assertEquals(cfg.environments.default.packages, ["Demo<2"]);
    assertEquals(await versions(), ["demo 1.0"]);

    r = await p.run(["add", "--dev", "tool"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertEquals((await loadConfig(`${p.dir}/envknit.yaml`)).environments.default.devPackages, [
      "tool",
    ]);
    assertEquals(await versions(), ["demo 1.0", "tool 1.0 dev"]);

    r = await p.run(["add", "--env", "extra", "tool", "idna"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(r.stderr, "created environment 'extra'");
    assertEquals((await loadConfig(`${p.dir}/envknit.yaml`)).environments.extra.packages, [
      "tool",
      "idna",
    ]);
    assertEquals(await versions("extra"), ["idna 3.6", "tool 1.0"]);
    assertEquals(await versions(), ["demo 1.0", "tool 1.0 dev"], "other environments are kept");

    // A bad requirement: one error line, nothing written.
    const before = [await p.read("envknit.yaml"), await p.read("envknit.lock.yaml")];
    r = await p.run(["add", "idna", "demo (>=1"], ONLINE);
    assertEquals(r.code, 1);
    assertEquals(r.stderr.split("\n").filter((l) => l.startsWith("error:")).length, 1, r.stderr);
    assertStringIncludes(r.stderr, 'error: invalid requirement "demo (>=1"');
    assertEquals([await p.read("envknit.yaml"), await p.read("envknit.lock.yaml")], before);

    // A package the index does not have: locking fails and envknit.yaml is put back.
    r = await p.run(["add", "no-such-package"], ONLINE);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "no-such-package");
    assertStringIncludes(r.stderr, "envknit.yaml was left unchanged");
    assertEquals([await p.read("envknit.yaml"), await p.read("envknit.lock.yaml")], before);
    // Nothing claims it was added.
    assertEquals(r.stderr.includes("added"), false, r.stderr);
    r = await p.run(["add", "--env", "new-env", "no-such-package"], ONLINE);
    assertEquals(r.code, 1);
    assertEquals(r.stderr.includes("added") || r.stderr.includes("created"), false, r.stderr);
    assertEquals([await p.read("envknit.yaml"), await p.read("envknit.lock.yaml")], before);

    // --no-lock edits envknit.yaml only, and says so.
    r = await p.run(["add", "--no-lock", "idna>=3"]);
    assertEquals(r.code, 0, r.stderr);
    assertStringIncludes(
      r.stderr,
      "added idna>=3 to packages of 'default'\nnot locked (--no-lock)",
    );
    assertEquals((await loadConfig(`${p.dir}/envknit.yaml`)).environments.default.packages, [
      "Demo<2",
      "idna>=3",
    ]);
    assertEquals(await p.read("envknit.lock.yaml"), before[1]);

    assertEquals((await p.run(["add"])).code, 2);
    assert(index.counts.total > 0);
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit add keeps the user's flow lists as written ('allow_multiple: [tabular]', not '[ tabular ]')", async () => {
  await using index = await startIndex({
    projects: { demo: [await buildWheel({ name: "demo", version: "1.0" })] },
  });
  const text = config(index.url).replace(
    "    dev_packages: []\n",
    "    dev_packages: []\n    allow_multiple: [demo]\n  other: {packages: [demo]}\n",
  );
  const p = await tempProject(text);
  try {
    const r = await p.run(["add", "demo"], ONLINE);
    assertEquals(r.code, 0, r.stderr);
    const after = await Deno.readTextFile(`${p.dir}/envknit.yaml`);
    assertStringIncludes(after, "    allow_multiple: [demo]\n");
    assertStringIncludes(after, "  other: {packages: [demo]}\n");
  } finally {
    await p.dispose();
  }
});
