import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { lockEntry, tempProject, writeTestLock } from "../../tests/support/commands.ts";

Deno.test("envknit diff: per environment, added / removed / upgraded / downgraded, exit 1 when different", async () => {
  const p = await tempProject("environments:\n  default:\n    packages: [a]\n");
  try {
    await writeTestLock(p, {
      default: [
        await lockEntry("a", "1.9"),
        await lockEntry("b", "2.0"),
        await lockEntry("c", "1.0"),
        await lockEntry("gone", "0.1"),
      ],
      legacy: [await lockEntry("x", "1.0")],
    }, { name: "old.lock.yaml" });
    const rebuilt = await lockEntry("c", "1.0");
    rebuilt.wheels[0].sha256 = "f".repeat(64); // same version, another build
    await writeTestLock(p, {
      default: [
        await lockEntry("a", "1.10"), // PEP 440: 1.10 is newer than 1.9
        await lockEntry("b", "2.0rc1"),
        rebuilt,
        await lockEntry("d", "1.0"),
      ],
      ml: [await lockEntry("y", "1.0"), await lockEntry("z", "2.0")],
    });

    // One file: compared with the project's lock.
    const r = await p.run(["diff", "old.lock.yaml"]);
    assertEquals(r.code, 1, r.stderr);
    assertEquals(r.stdout.split("\n"), [
      "- environment legacy (1 package)",
      "+ environment ml (2 packages)",
      "default:",
      "  ↑ a 1.9 → 1.10",
      "  ↓ b 2.0 → 2.0rc1",
      "  ~ c 1.0 (other wheels)",
      "  + d 1.0",
      "  - gone 0.1",
      "",
    ]);

    // Two files, reversed; only one environment.
    const back = await p.run([
      "diff",
      "envknit.lock.yaml",
      `${p.dir}/old.lock.yaml`,
      "--env",
      "default",
    ]);
    assertEquals(back.code, 1, back.stderr);
    assertStringIncludes(back.stdout, "  ↓ a 1.10 → 1.9\n");
    assertEquals(back.stdout.includes("environment"), false);

    const json = await p.run(["diff", "old.lock.yaml", "--json"]);
    assertEquals(json.code, 1);
    const data = JSON.parse(json.stdout);
    assertEquals(data.equal, false);
    assertEquals(data.environments.default.changed[0], {
      name: "a",
      from: "1.9",
      to: "1.10",
      kind: "upgraded",
    });
    assertEquals(data.addedEnvironments, [{ name: "ml", packages: 2 }]);

    const same = await p.run(["diff", "envknit.lock.yaml", "envknit.lock.yaml"]);
    assertEquals(same.code, 0, same.stderr);
    assertEquals(same.stdout, "");
    assertStringIncludes(same.stderr, "no difference");
    assertEquals((await p.run(["diff", "old.lock.yaml", "--env", "ml"])).code, 1);
    const unknownEnv = await p.run(["diff", "old.lock.yaml", "--env", "nothing"]);
    assertEquals(unknownEnv.code, 2);
    assertStringIncludes(unknownEnv.stderr, "neither lock has the environment nothing");

    assertEquals((await p.run(["diff"])).code, 2);
    const missing = await p.run(["diff", "nope.yaml"]);
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.stderr, "error: no lock file at");
    const help = await p.run(["diff", "--help"]);
    assertStringIncludes(
      help.stdout,
      "Exit status: 0 when the locks are the same, 1 when they differ",
    );
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit diff: locks that differ only in requirements are different", async () => {
  const p = await tempProject("environments:\n  default:\n    packages: [a]\n");
  try {
    const a = (deps: string[], extras?: string[]) =>
      lockEntry("a", "1.0", deps, extras ? { extras } : {});
    await writeTestLock(p, { default: [await a(["b<2"]), await lockEntry("b", "1.5")] }, {
      name: "old.lock.yaml",
    });
    // The same versions and wheels; a's requirements and extras changed, and the locks were made
    // from other envknit.yaml inputs.
    await writeTestLock(p, {
      default: [await a(["b<2", "c>=1"], ["fast"]), await lockEntry("b", "1.5")],
    }, { configHash: "1".repeat(64) });
    const r = await p.run(["diff", "old.lock.yaml"]);
    assertEquals(r.code, 1, r.stderr);
    assertEquals(r.stdout.split("\n"), [
      `config_hash: ${"0".repeat(12)} → ${"1".repeat(12)} ` +
      "(made from other envknit.yaml requirements or index settings)",
      "default:",
      "  ~ a 1.0 (requires +c>=1; extras none → fast)",
      "",
    ]);
    const json = JSON.parse((await p.run(["diff", "old.lock.yaml", "--json"])).stdout);
    assertEquals(json.equal, false);
    assertEquals(json.configHash, { from: "0".repeat(64), to: "1".repeat(64) });
    assertEquals(json.environments.default.changed, [{
      name: "a",
      from: "1.0",
      to: "1.0",
      kind: "requirements",
      requirements: { added: ["c>=1"], removed: [], extrasFrom: [], extrasTo: ["fast"] },
    }]);

    // Only the inputs differ: still a difference.
    await writeTestLock(p, { default: [await a(["b<2"]), await lockEntry("b", "1.5")] }, {
      configHash: "1".repeat(64),
    });
    const inputs = await p.run(["diff", "old.lock.yaml"]);
    assertEquals(inputs.code, 1, inputs.stderr);
    assertStringIncludes(inputs.stdout, "config_hash: 000000000000 → 111111111111");
    assertEquals(inputs.stderr.includes("no difference"), false);
    // A dependency dropped.
    await writeTestLock(p, { default: [await a([]), await lockEntry("b", "1.5")] });
    const dropped = await p.run(["diff", "old.lock.yaml"]);
    assertEquals(dropped.code, 1, dropped.stderr);
    assertEquals(dropped.stdout, "default:\n  ~ a 1.0 (requires -b<2)\n");
  } finally {
    await p.dispose();
  }
});
