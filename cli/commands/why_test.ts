import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { graphProject } from "../../tests/support/commands.ts";

Deno.test("envknit why: every path from a requirement to the package", async () => {
  const p = await graphProject();
  try {
    const r = await p.run(["why", "cyc_b"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout.split("\n").filter((l) => l), [
      "web 2.0 [>=1] → http-lib 1.5 [>=1] → shared 2.1 → cyc-a 1.0 → cyc-b 1.0",
      "web 2.0 [>=1] → shared 2.1 [<3] → cyc-a 1.0 → cyc-b 1.0",
      "cli-tool 1.0 → shared 2.1 [>=1] → cyc-a 1.0 → cyc-b 1.0",
    ]);

    assertEquals((await p.run(["why", "web"])).stdout, "web 2.0 [>=1]\n");
    assertEquals((await p.run(["why", "pluggy"])).stdout, "testkit 3.0 (dev) → pluggy 1.4\n");

    const json = JSON.parse((await p.run(["why", "colorama", "--json"])).stdout);
    assertEquals(json.paths, [[
      { name: "cli-tool", version: "1.0", requirement: "cli-tool" },
      { name: "colorama", version: "0.4.6", requirement: "colorama" },
    ]]);
    assertEquals(json.truncated, false);

    const missing = await p.run(["why", "nope"]);
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.stderr, "error: nope is not in the lock of environment 'default'");
    const noDev = await p.run(["why", "pluggy", "--no-dev"]);
    assertEquals(noDev.code, 1);
    assertStringIncludes(noDev.stderr, "error: pluggy is only needed by dev_packages of 'default'");
    assertEquals((await p.run(["why"])).code, 2);
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit why on a package no requirement leads to", async () => {
  const p = await graphProject(`environments:\n  default:\n    packages: [cli-tool]\n`);
  try {
    const r = await p.run(["why", "web"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, "");
    assertStringIncludes(
      r.stderr,
      "web 2.0 is in the lock of 'default', but no requirement leads to it",
    );
  } finally {
    await p.dispose();
  }
});
