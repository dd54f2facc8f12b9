/**
 * The layers of the product's top-level folders (DEVELOPERS.md, "Layers"), checked on the real
 * import graph: every non-test `.ts` file of the product folders, its static imports, type
 * imports and string-literal dynamic imports (`import("…")`), as Deno's own parser reads them
 * (`deno info --json` of a root that imports every such file, so nothing is missed or misread in
 * comments and strings). An import from one folder into another must be an allowed edge, and the
 * folders must not import each other in a cycle.
 *
 * Bottom to top: core ← resolver ← store ← project ← ops ← cli ← mod.ts (project sits beside
 * store: it uses core and resolver only). tests/, bench/ and examples/ are not product: product
 * code never imports them.
 */
import { assert, assertEquals } from "./support/assert.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** The product's folders, bottom to top. */
const FOLDERS = ["core", "resolver", "store", "project", "ops", "cli"] as const;

/** The folders each folder may import (besides itself); `mod.ts` may import any of them. */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  resolver: ["core"],
  store: ["core", "resolver"],
  project: ["core", "resolver"],
  ops: ["core", "resolver", "store", "project"],
  cli: ["core", "resolver", "store", "project", "ops"],
  "mod.ts": FOLDERS,
};

/** Edges allowed only into some files: store/ uses the resolver's PEP 508 marker type alone. */
const ONLY_INTO: Record<string, readonly string[]> = {
  "store->resolver": ["resolver/pep.ts"],
};

/** Folders inside the product folders that are not product: test data, the Rust crate. */
const NOT_PRODUCT = new Set(["testdata", "wasm"]);

/** One import between two files of the repository, by paths relative to its root. */
interface Edge {
  from: string;
  to: string;
  dynamic: boolean;
}

/** The top-level folder of a path (`mod.ts` for the root module, `other` for the rest). */
function folderOf(path: string): string {
  if (path === "mod.ts") return "mod.ts";
  const top = path.split("/")[0];
  return (FOLDERS as readonly string[]).includes(top) ? top : "other";
}

async function productFiles(): Promise<string[]> {
  const files = ["mod.ts"];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(`${ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && !NOT_PRODUCT.has(entry.name)) await walk(path);
      else if (entry.isFile && path.endsWith(".ts") && !path.endsWith("_test.ts")) {
        files.push(path);
      }
    }
  }
  for (const folder of FOLDERS) await walk(folder);
  return files.sort();
}

interface InfoDependency {
  code?: { specifier?: string };
  type?: { specifier?: string };
  isDynamic?: boolean;
}

interface InfoModule {
  specifier: string;
  dependencies?: InfoDependency[];
}

/** The imports of `files` between files of the repository, read by `deno info`. */
async function importEdges(files: string[]): Promise<{ edges: Edge[]; seen: Set<string> }> {
  const dir = await Deno.makeTempDir({ prefix: "envknit-layers-" });
  try {
    const root = `${dir}/root.ts`;
    const lines = files.map((f) => `import ${JSON.stringify(new URL(f, `file://${ROOT}`).href)};`);
    await Deno.writeTextFile(root, lines.join("\n") + "\n");
    const out = await new Deno.Command(Deno.execPath(), {
      // No config, lock, npm or remote: only our own files matter, and nothing is fetched.
      args: ["info", "--json", "--no-config", "--no-lock", "--no-npm", "--no-remote", root],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as { modules: InfoModule[] };
    const local = (specifier: string | undefined) =>
      specifier?.startsWith(`file://${ROOT}`) ? specifier.slice(`file://${ROOT}`.length) : null;
    const edges: Edge[] = [];
    const seen = new Set<string>();
    const wanted = new Set(files);
    for (const module of info.modules) {
      const from = local(module.specifier);
      if (from === null || !wanted.has(from)) continue;
      seen.add(from);
      for (const dep of module.dependencies ?? []) {
        for (const target of new Set([dep.code?.specifier, dep.type?.specifier])) {
          const to = local(target);
          if (to !== null) edges.push({ from, to, dynamic: dep.isDynamic === true });
        }
      }
    }
    return { edges, seen };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Why an edge breaks the layers, or null when it is allowed. */
function violation(edge: Edge): string | null {
  const a = folderOf(edge.from);
  const b = folderOf(edge.to);
  if (a === b) return null;
  const how = `${edge.from} -> ${edge.to}${edge.dynamic ? " (dynamic)" : ""}`;
  if (b === "other") return `${how}: product code imports a file outside the product`;
  if (!(ALLOWED[a] ?? []).includes(b)) return `${how}: ${a}/ may not import ${b}/`;
  const only = ONLY_INTO[`${a}->${b}`];
  if (only && !only.includes(edge.to)) {
    return `${how}: ${a}/ may import only ${only.join(", ")} of ${b}/`;
  }
  return null;
}

/** Every cycle of a directed graph (each as the list of its nodes), found by depth-first search. */
function cyclesOf(graph: Map<string, Set<string>>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    path.push(node);
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (state.get(next) === "open") cycles.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** The folder-level graph of some file edges. */
function folderGraph(edges: Edge[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  return graph;
}

Deno.test("the product's folders import each other only along the allowed edges, without cycles", async () => {
  const files = await productFiles();
  const { edges, seen } = await importEdges(files);
  // Every product file was parsed (a file deno info could not read would hide its imports).
  assertEquals(files.filter((f) => !seen.has(f)), []);
  assert(edges.length > 100, `only ${edges.length} imports found`);
  assertEquals(edges.map(violation).filter((v) => v !== null), []);
  const cycles = cyclesOf(folderGraph(edges)).map((c) => c.join(" -> "));
  assertEquals(cycles, []);
});

Deno.test("the allowed edges themselves form no cycle", () => {
  const graph = new Map(
    Object.entries(ALLOWED).map(([from, to]) => [from, new Set(to)] as const),
  );
  assertEquals(cyclesOf(graph), []);
});

Deno.test("the checker finds a disallowed edge, a file outside the product and a folder cycle", () => {
  const edges: Edge[] = [
    { from: "store/a.ts", to: "project/lock.ts", dynamic: false },
    { from: "project/b.ts", to: "store/layout.ts", dynamic: true },
    { from: "cli/c.ts", to: "tests/support/cli.ts", dynamic: false },
    { from: "store/tags/d.ts", to: "resolver/solve.ts", dynamic: false },
    { from: "store/tags/e.ts", to: "resolver/pep.ts", dynamic: false },
    { from: "ops/f.ts", to: "ops/g.ts", dynamic: false },
  ];
  assertEquals(edges.map(violation), [
    "store/a.ts -> project/lock.ts: store/ may not import project/",
    "project/b.ts -> store/layout.ts (dynamic): project/ may not import store/",
    "cli/c.ts -> tests/support/cli.ts: product code imports a file outside the product",
    "store/tags/d.ts -> resolver/solve.ts: store/ may import only resolver/pep.ts of resolver/",
    null,
    null,
  ]);
  assertEquals(cyclesOf(folderGraph(edges)).map((c) => c.join(" -> ")), [
    "project -> store -> project",
  ]);
});
