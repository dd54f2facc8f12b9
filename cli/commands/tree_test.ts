import { assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { graphProject } from "../../tests/support/commands.ts";

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

Deno.test("envknit tree: roots from envknit.yaml, shared subtrees marked (*), cycles end", async () => {
  const p = await graphProject();
  try {
    const tree = await p.run(["tree"]);
    assertEquals(tree.code, 0, tree.stderr);
    assertEquals(lines(tree.stdout), [
      "web v2.0",
      "├── http-lib v1.5",
      "│   └── shared v2.1",
      "│       └── cyc-a v1.0",
      "│           └── cyc-b v1.0",
      "│               └── cyc-a v1.0 (*)",
      "└── shared v2.1 (*)",
      "cli-tool v1.0",
      "├── shared v2.1 (*)",
      "└── colorama v0.4.6",
      "testkit v3.0 (dev)",
      "└── pluggy v1.4",
    ]);
    assertStringIncludes(tree.stderr, "(*) shown in full above");
    assertEquals(tree.stderr.includes("warning"), false, tree.stderr);

    const shallow = await p.run(["tree", "--depth", "1", "--no-dev"]);
    assertEquals(lines(shallow.stdout), [
      "web v2.0",
      "├── http-lib v1.5",
      "└── shared v2.1",
      "cli-tool v1.0",
      "├── shared v2.1",
      "└── colorama v0.4.6",
    ]);

    const inverted = await p.run(["tree", "--invert", "Shared"]);
    assertEquals(inverted.code, 0, inverted.stderr);
    assertEquals(lines(inverted.stdout), [
      "shared v2.1",
      "├── cli-tool v1.0 (requirement)",
      "├── http-lib v1.5",
      "│   └── web v2.0 (requirement)",
      "└── web v2.0 (requirement)",
    ]);

    const json = await p.run(["tree", "--json"]);
    assertEquals(json.code, 0, json.stderr);
    const data = JSON.parse(json.stdout);
    assertEquals(data.environment, "default");
    assertEquals(data.rootsFrom, "envknit.yaml");
    assertEquals(data.roots, [
      { name: "web", requirement: "web>=1" },
      { name: "cli-tool", requirement: "cli-tool" },
      { name: "testkit", requirement: "testkit", dev: true },
    ]);
    const shared = data.packages.find((x: { name: string }) => x.name === "shared");
    assertEquals(shared, {
      name: "shared",
      version: "2.1",
      dependencies: [{ name: "cyc-a", requirement: "cyc-a" }],
      dependents: ["cli-tool", "http-lib", "web"],
    });

    // Another environment, which envknit.yaml does not have: roots are what nothing requires.
    const other = await p.run(["tree", "--env", "other"]);
    assertEquals(lines(other.stdout), ["colorama v0.4.6"]);

    for (
      const [args, code, message] of [
        [["tree", "--depth", "x"], 2, "--depth takes a number"],
        [["tree", "--invert", "nope"], 2, "not in the lock of environment 'default': nope"],
        [["tree", "--env", "nope"], 2, "the lock has no environment 'nope'"],
        [["tree", "web"], 2, "unexpected argument 'web'"],
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

Deno.test("envknit tree warns about a lock older than envknit.yaml and requirements it lacks", async () => {
  const p = await graphProject();
  try {
    await p.write(
      "envknit.yaml",
      `environments:\n  default:\n    packages: ["web>=1", ghost]\n`,
    );
    const r = await p.run(["tree", "--depth", "0"]);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(lines(r.stdout), ["web v2.0"]);
    assertStringIncludes(r.stderr, "envknit.yaml changed since the lock was written");
    assertStringIncludes(r.stderr, "envknit.yaml asks for ghost, which is not in the lock");
  } finally {
    await p.dispose();
  }
});
