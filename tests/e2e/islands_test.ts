// Issue #16 end to end, as a user runs it: seed 004 (dep_a needs tabular 1.x, dep_b tabular 2.x)
// on a loopback index; `envknit add` fails with the exact allow_multiple line to add; with it,
// `add` → `lock` → `install` → `run` of a script that calls into both islands.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { seedWheels } from "../support/seed004.ts";
import { errorLines, lockProjectDir } from "./lock_support.ts";

const SCRIPT = `
import sys
import dep_a, dep_b, tabular, formats, common
print("app", tabular.__version__, sys.modules["tabular"] is tabular)
print("a", dep_a.version(), dep_a.lazy_version(), dep_a.lazy_submodule(), dep_a.via_importlib(),
      dep_a.lazy_format("json"), dep_a.metadata_version())
print("b", dep_b.version(), dep_b.lazy_version(), dep_b.lazy_submodule(), dep_b.via_importlib(),
      dep_b.lazy_format("json"), dep_b.metadata_version())
dep_a.register("k", "from a")
print("state", dep_a.registered(), dep_b.registered())
print("shared", dep_a.common_module() is dep_b.common_module() is common)
print("per-island", dep_a.formats_module() is formats, dep_b.formats_module() is formats,
      dep_b.formats_module().tabular_version())
print("default", sys.modules["tabular"] is dep_a.tabular_module(), dep_b.tabular_module().__name__)
`;

const EXPECTED = [
  "app 1.4.0 True",
  "a 1.4.0 1.4.0 1.4.0 1.4.0 1.4.0 1.4.0",
  "b 2.1.0 2.1.0 2.1.0 2.1.0 2.1.0 2.1.0",
  "state {'k': 'from a'} {}",
  "shared True",
  "per-island True False 2.1.0",
  "default True _envknit_islands.i1.tabular",
];

function config(url: string, allow: string | null): string {
  return [
    'envknit_version: "0.1.0"',
    "index:",
    `  url: ${JSON.stringify(url)}`,
    "environments:",
    "  default:",
    "    packages: []",
    ...(allow ? [`    allow_multiple: ${allow}`] : []),
    "",
  ].join("\n");
}

Deno.test("islands: add → lock → install → run, each dependency sees the version it was locked with (#16)", async () => {
  const wheels = await seedWheels();
  await using index = await startIndex({ projects: wheels });
  await using p = await lockProjectDir();
  await p.config(config(index.url, null));

  // Without allow_multiple: the conflict is an error ending with the exact line to add.
  const refused = await p.run(["add", "dep_a", "dep_b"]);
  assertEquals(refused.code, 1, refused.stderr);
  assertEquals(errorLines(refused.stderr).length, 1, refused.stderr);
  assertStringIncludes(refused.stderr, "no solution for environment 'default'");
  assertStringIncludes(refused.stderr, "add 'allow_multiple: [tabular]' to environments.default");
  assertStringIncludes(refused.stderr, "tabular 1.4.0 and 2.1.0");
  assertEquals(await p.lockText(), null);

  await p.config(config(index.url, "[tabular]"));
  const added = await p.run(["add", "dep_a", "dep_b"]);
  assertEquals(added.code, 0, added.stderr);
  const text = (await p.lockText())!;
  const lock = await p.lock();
  assertEquals(lock.islands, { default: [{ roots: ["dep-a"] }, { roots: ["dep-b"] }] });
  const entries = lock.environments.default.map((e) =>
    `${e.name} ${e.version}${e.island ? ` ${e.island}` : ""}${e.perIsland ? " per-island" : ""}`
  );
  assertEquals(entries, [
    "common 1.0",
    "dep-a 1.0 0",
    "dep-b 1.0 1",
    "formats 3.0 per-island",
    "tabular 1.4.0 0",
    "tabular 2.1.0 1",
  ]);

  // Same input, same lock (byte-identical), also from scratch.
  const again = await p.run(["lock"]);
  assertEquals(again.code, 0, again.stderr);
  assertStringIncludes(again.stderr, "2 islands");
  assertEquals(await p.lockText(), text);
  await Deno.remove(p.lockPath);
  assertEquals((await p.run(["lock"])).code, 0);
  assertEquals(
    (await p.lockText())!.replace(/^lock_generated_at: .*$/m, ""),
    text.replace(/^lock_generated_at: .*$/m, ""),
  );

  const install = await p.run(["install"]);
  assertEquals(install.code, 0, install.stderr);
  await Deno.writeTextFile(`${p.project}/app.py`, SCRIPT);
  const run = await p.run(["run", "--", "python", "app.py"]);
  assertEquals(run.code, 0, run.stderr);
  assertEquals(run.stdout.trim().split("\n"), EXPECTED);
  // The second run (its plan remembered) routes the same.
  const twice = await p.run(["run", "--", "python", "app.py"]);
  assertEquals(twice.stdout.trim().split("\n"), EXPECTED, twice.stderr);
  // The environment's view: its python, started with nothing set (an editor, a shell), routes the
  // islands at start-up, from view.json, and envknit itself is not imported for it.
  const python = await p.run(["env", "python"]);
  assertEquals(python.code, 0, python.stderr);
  const view = python.stdout.trim().replace(/\/bin\/python$/, "");
  const spec = JSON.parse(await Deno.readTextFile(`${view}/view.json`)).islands;
  assertEquals(spec.count, 2);
  const direct = await new Deno.Command(python.stdout.trim(), {
    args: ["-c", SCRIPT + 'print("envknit" in sys.modules)\n'],
    cwd: p.project,
    clearEnv: true,
    env: { PATH: "/usr/bin:/bin" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(direct.stdout).trim().split("\n");
  assertEquals(out, [...EXPECTED, "False"], new TextDecoder().decode(direct.stderr));
});

Deno.test("islands: a package with compiled code is never split; the error names it and suggests worker() (#16.2)", async () => {
  const wheels = await seedWheels({ compiledFormats: true });
  await using index = await startIndex({ projects: wheels });
  await using p = await lockProjectDir();
  await p.config(config(index.url, "[tabular]"));
  const refused = await p.run(["add", "dep_a", "dep_b"]);
  assertEquals(refused.code, 1, refused.stderr);
  const [error] = errorLines(refused.stderr);
  assertStringIncludes(error, "no solution for environment 'default'");
  assertStringIncludes(error, "formats has compiled code");
  assertStringIncludes(refused.stderr, 'envknit.worker("tabular", "2.1.0")');
  assertEquals(await p.lockText(), null);
  assert(!(await Deno.readTextFile(p.configPath)).includes("dep_a"), "envknit.yaml unchanged");

  // The split package itself compiled: named, and the code needing its other version to a worker.
  await using index2 = await startIndex({ projects: await seedWheels({ compiledTabular: true }) });
  await p.config(config(index2.url, "auto").replace("[]", "[dep_a, dep_b]"));
  const lock = await p.run(["lock"]);
  assertEquals(lock.code, 1, lock.stderr);
  assertStringIncludes(errorLines(lock.stderr)[0], "tabular has compiled code");
  assertStringIncludes(
    lock.stderr,
    'run the code that needs tabular 2.1.0 in envknit.worker("tabular", "2.1.0")',
  );
  assertEquals(await p.lockText(), null);
});

Deno.test("islands: allow_multiple with nothing to split is harmless, one warning line under -v (#16.1)", async () => {
  const wheels = await seedWheels();
  await using index = await startIndex({ projects: wheels });
  await using p = await lockProjectDir();
  await p.config(config(index.url, "[tabular, unknown-pkg]").replace("[]", "[dep_a]"));
  const quiet = await p.run(["lock"]);
  assertEquals(quiet.code, 0, quiet.stderr);
  assert(!quiet.stderr.includes("allow_multiple"), quiet.stderr);
  assert(!(await p.lockText())!.includes("island"));
  const verbose = await p.run(["-v", "lock"]);
  assertEquals(verbose.code, 0, verbose.stderr);
  const lines = verbose.stderr.split("\n").filter((l) => l.includes("allow_multiple"));
  assertEquals(lines.length, 1, verbose.stderr);
  assertStringIncludes(lines[0], "nothing to split");
  assertStringIncludes(lines[0], "unknown-pkg");
});

Deno.test("islands: why shows both versions and the paths to each; tree and graph show the islands; export refuses (#16.3)", async () => {
  const wheels = await seedWheels();
  await using index = await startIndex({ projects: wheels });
  await using p = await lockProjectDir();
  await p.config(config(index.url, "[tabular]").replace("[]", "[dep_a, dep_b]"));
  assertEquals((await p.run(["lock"])).code, 0);

  const why = await p.run(["why", "tabular"]);
  assertEquals(why.code, 0, why.stderr);
  assertEquals(
    why.stdout.trim().split("\n"),
    [
      "tabular 1.4.0 (island 0, the application's: dep-a)",
      "  dep-a 1.0 [*] → tabular 1.4.0 [<2]",
      "  dep-a 1.0 [*] → formats 3.0 → tabular 1.4.0",
      "tabular 2.1.0 (island 1: dep-b)",
      "  dep-b 1.0 [*] → tabular 2.1.0 [>=2]",
      "  dep-b 1.0 [*] → formats 3.0 → tabular 2.1.0",
    ].map((l) => l.replace(" [*]", "")),
  );
  const whyJson = JSON.parse((await p.run(["--json", "why", "tabular"])).stdout);
  assertEquals(
    whyJson.versions.map((v: { version: string; islands: number[] }) => [v.version, v.islands]),
    [["1.4.0", [0]], ["2.1.0", [1]]],
  );
  const whyCommon = await p.run(["why", "common"]);
  assertStringIncludes(
    whyCommon.stdout,
    "common 1.0 (every island, the application's: dep-a, dep-b)",
  );

  const tree = await p.run(["tree"]);
  assertEquals(tree.code, 0, tree.stderr);
  assertStringIncludes(tree.stdout, "island 0 (default): dep-a\n  dep-a v1.0\n");
  assertStringIncludes(tree.stdout, "island 1: dep-b\n  dep-b v1.0\n");
  assertStringIncludes(tree.stdout, "tabular v2.1.0");
  assertStringIncludes(tree.stdout, "formats v3.0 (one instance per island)");
  const inverted = await p.run(["tree", "--invert", "tabular"]);
  assertEquals(inverted.code, 0, inverted.stderr);
  assertStringIncludes(inverted.stdout, "island 0 (default): dep-a\n  tabular v1.4.0\n");
  assertStringIncludes(inverted.stdout, "island 1: dep-b\n  tabular v2.1.0\n");
  const treeJson = JSON.parse((await p.run(["--json", "tree"])).stdout);
  assertEquals(treeJson.islands.map((i: { roots: string[] }) => i.roots), [["dep-a"], ["dep-b"]]);

  const dot = await p.run(["graph"]);
  assertEquals(dot.code, 0, dot.stderr);
  assertStringIncludes(dot.stdout, 'subgraph "cluster_island_1"');
  assertStringIncludes(dot.stdout, '"tabular==2.1.0"');
  assertStringIncludes(dot.stdout, '"dep-b" -> "tabular==2.1.0" [label=">=2"];');
  const mermaid = await p.run(["graph", "--format", "mermaid"]);
  assertStringIncludes(mermaid.stdout, "subgraph island1");
  const graph = JSON.parse((await p.run(["--json", "graph"])).stdout);
  const env = graph.environments.default;
  assertEquals(env.islands, [{ island: 0, roots: ["dep-a"] }, { island: 1, roots: ["dep-b"] }]);
  const ids = env.nodes.map((n: { id: string }) => n.id);
  assert(ids.includes("tabular==1.4.0") && ids.includes("tabular==2.1.0"), ids.join(" "));
  assertEquals(
    env.nodes.find((n: { id: string }) => n.id === "tabular==2.1.0").islands,
    [1],
  );

  for (const format of ["requirements", "pylock"]) {
    const out = `${p.project}/out.${format}`;
    const exported = await p.run(["export", "--format", format, "-o", out]);
    assertEquals(exported.code, 1, exported.stderr);
    assertEquals(errorLines(exported.stderr).length, 1, exported.stderr);
    assertStringIncludes(exported.stderr, "has 2 islands");
    assertStringIncludes(exported.stderr, "tabular");
    assert(!(await Deno.stat(out).then(() => true, () => false)), "nothing written");
  }
});

Deno.test("islands: allow_multiple in a lock for several targets is one clear error, nothing written (#16.1)", async () => {
  const wheels = await seedWheels();
  await using index = await startIndex({ projects: wheels });
  await using p = await lockProjectDir();
  await p.config(
    config(index.url, "[tabular]").replace("[]", "[dep_a, dep_b]") +
      'targets:\n  - {python: "3.11", platform: manylinux_2_36_x86_64}\n' +
      '  - {python: "3.12", platform: manylinux_2_36_x86_64}\n',
  );
  const refused = await p.run(["lock"]);
  assertEquals(refused.code, 1, refused.stderr);
  assertEquals(errorLines(refused.stderr).length, 1, refused.stderr);
  assertStringIncludes(refused.stderr, "allow_multiple (islands) cannot be combined with targets");
  assertEquals(await p.lockText(), null);
});

Deno.test("islands: allow_multiple: auto; the application's own requirement on the split package decides its island (#16.2, #16.3)", async () => {
  const wheels = await seedWheels();
  await using index = await startIndex({ projects: wheels });
  await using p = await lockProjectDir();
  await p.config(config(index.url, "auto").replace("[]", '[dep_a, dep_b, "tabular>=2"]'));
  const locked = await p.run(["lock"]);
  assertEquals(locked.code, 0, locked.stderr);
  const lock = await p.lock();
  // The application requires tabular>=2 itself: its island (0) holds tabular 2.1.0 and dep_b.
  assertEquals(lock.islands, { default: [{ roots: ["dep-b", "tabular"] }, { roots: ["dep-a"] }] });
  const tabular = lock.environments.default.filter((e) => e.name === "tabular");
  assertEquals(tabular.map((e) => [e.version, e.island]), [["1.4.0", [1]], ["2.1.0", [0]]]);
  assertEquals((await p.run(["install"])).code, 0);
  await Deno.writeTextFile(
    `${p.project}/app.py`,
    "import tabular, dep_a, dep_b\nprint(tabular.__version__, dep_a.version(), dep_b.version())\n",
  );
  const run = await p.run(["run", "--", "python", "app.py"]);
  assertEquals(run.code, 0, run.stderr);
  assertEquals(run.stdout.trim(), "2.1.0 1.4.0 2.1.0");
});

Deno.test("islands: a name in allow_multiple that is not a project name is an error at its line and column (#16.1)", async () => {
  await using p = await lockProjectDir();
  await p.config(config("https://127.0.0.1:9/simple", "[tabular, 'no good']"));
  const refused = await p.run(["lock"]);
  assertEquals(refused.code, 1, refused.stderr);
  const [error] = errorLines(refused.stderr);
  assertStringIncludes(error, `${p.configPath}:7:31:`);
  assertStringIncludes(error, "\"no good\" in 'allow_multiple' is not a valid package name");
  assertEquals(await p.lockText(), null);
});

Deno.test("islands: pin of a split package pins the version the application sees; diff reports island changes (#16.3)", async () => {
  const wheels = await seedWheels();
  await using index = await startIndex({ projects: wheels });
  await using p = await lockProjectDir();
  await p.config(config(index.url, "[tabular]").replace("[]", "[dep_a, dep_b]"));
  assertEquals((await p.run(["lock"])).code, 0);
  const before = (await p.lockText())!;
  await Deno.writeTextFile(`${p.project}/before.lock.yaml`, before);

  // tabular is locked at 1.4.0 (island 0, the application's) and 2.1.0 (island 1): pinning keeps
  // what the application imports, not whichever entry comes last.
  const pin = await p.run(["pin", "tabular"]);
  assertEquals(pin.code, 0, pin.stderr);
  assertStringIncludes(pin.stderr, "tabular==1.4.0");
  assertStringIncludes(await Deno.readTextFile(`${p.project}/envknit.yaml`), "tabular==1.4.0");
  const lock = await p.lock();
  assertEquals(lock.islands?.default[0].roots.includes("dep-a"), true, await p.lockText() ?? "");

  // A requirement that moves the application to the other version: diff says so.
  const yaml = (await Deno.readTextFile(`${p.project}/envknit.yaml`)).replace(
    "tabular==1.4.0",
    "tabular==2.1.0",
  );
  await Deno.writeTextFile(`${p.project}/envknit.yaml`, yaml);
  assertEquals((await p.run(["lock"])).code, 0);
  const diff = await p.run(["diff", "before.lock.yaml", "envknit.lock.yaml"]);
  assertEquals(diff.code, 1, diff.stdout + diff.stderr);
  assertStringIncludes(diff.stdout, "island");
  const json = JSON.parse(
    (await p.run(["--json", "diff", "before.lock.yaml", "envknit.lock.yaml"])).stdout,
  );
  assertEquals(json.equal, false);
});
