import { assert, assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { graphProject } from "../../tests/support/commands.ts";

async function has(program: string): Promise<boolean> {
  try {
    return (await new Deno.Command(program, { args: ["-V"], stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

Deno.test("envknit graph: Graphviz dot and Mermaid of the locked graph", async () => {
  const p = await graphProject();
  try {
    const dot = await p.run(["graph"]);
    assertEquals(dot.code, 0, dot.stderr);
    const d = dot.stdout.split("\n");
    assertEquals(d[0], 'digraph "envknit default" {');
    assertEquals(d.at(-2), "}");
    assert(d.includes('  "web" [label="web\\n2.0", style="bold"];'), dot.stdout);
    assert(d.includes('  "pluggy" [label="pluggy\\n1.4", style="dashed"];'), dot.stdout);
    assert(d.includes('  "testkit" [label="testkit\\n3.0", style="bold,dashed"];'), dot.stdout);
    assert(d.includes('  "web" -> "shared" [label="<3"];'), dot.stdout);
    assert(d.includes('  "cyc-b" -> "cyc-a" [label=">=0.1"];'), dot.stdout);
    assert(d.includes('  "shared" -> "cyc-a";'), dot.stdout);
    assertEquals(d.filter((l) => l.includes(" -> ")).length, 9);
    // Graphviz itself checks the syntax where it is installed.
    if (await has("dot")) {
      const file = `${p.dir}/graph.dot`;
      await Deno.writeTextFile(file, dot.stdout);
      const check = await new Deno.Command("dot", { args: ["-Tsvg", "-o/dev/null", file] })
        .output();
      assert(check.success, new TextDecoder().decode(check.stderr));
    }

    const mermaid = await p.run(["graph", "--format", "mermaid", "--no-dev"]);
    assertEquals(mermaid.code, 0, mermaid.stderr);
    const m = mermaid.stdout.split("\n");
    assertEquals(m[0], "flowchart LR");
    // Ids follow name order: cli-tool n0, colorama n1, cyc-a n2, cyc-b n3, http-lib n4, shared n5, web n6.
    assert(m.includes('  n6["web 2.0"]'), mermaid.stdout);
    assert(m.includes('  n6 -->|"#60;3"| n5'), mermaid.stdout);
    assert(m.includes("  n5 --> n2"), mermaid.stdout);
    assert(m.includes("  class n0,n6 root"), mermaid.stdout);
    assert(!mermaid.stdout.includes("pluggy"), "--no-dev leaves dev packages out");

    const bad = await p.run(["graph", "--format", "png"]);
    assertEquals(bad.code, 2);
    assertStringIncludes(bad.stderr, "unknown graph format 'png'");
  } finally {
    await p.dispose();
  }
});

Deno.test("envknit graph --json: nodes and edges per environment", async () => {
  const p = await graphProject();
  try {
    const r = await p.run(["graph", "--json"]);
    assertEquals(r.code, 0, r.stderr);
    const data = JSON.parse(r.stdout);
    assertEquals(data.lock, `${p.dir}/envknit.lock.yaml`);
    assertEquals(Object.keys(data.environments), ["default", "other"]);
    const d = data.environments.default;
    assertEquals(d.nodes.length, 9);
    assertEquals(d.nodes.find((n: { id: string }) => n.id === "web"), {
      id: "web",
      version: "2.0",
      root: true,
      dev: false,
    });
    assertEquals(d.nodes.find((n: { id: string }) => n.id === "pluggy").dev, true);
    assertEquals(d.edges.length, 9);
    assertEquals(
      d.edges.find((e: { from: string; to: string }) => e.from === "web" && e.to === "shared"),
      { from: "web", to: "shared", requirement: "shared<3", specifier: "<3" },
    );
    assertEquals(data.environments.other, {
      nodes: [{ id: "colorama", version: "0.4.6", root: true, dev: false }],
      edges: [],
    });

    const one = JSON.parse(
      (await p.run(["graph", "--json", "--env", "default", "--no-dev"])).stdout,
    );
    assertEquals(Object.keys(one.environments), ["default"]);
    assert(!one.environments.default.nodes.some((n: { id: string }) => n.id === "pluggy"));

    const both = await p.run(["graph", "--json", "--format", "dot"]);
    assertEquals(both.code, 2);
    assertStringIncludes(both.stderr, "--format and --json do not go together");
  } finally {
    await p.dispose();
  }
});
