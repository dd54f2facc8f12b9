// The TypeScript view builder against the reference, runtime_py/tests/support/view_factory.py:
// from the same store, lock and entries both build the same folder (names, link targets, file
// contents and modes), with namespace packages merged, reserved and hidden names left out, scripts
// launched through the view; the view's python starts as the view; a crash leaves nothing visible.
import { assert, assertEquals, assertStringIncludes } from "../../tests/support/assert.ts";
import { PYTHON } from "../../tests/support/python.ts";
import { StoreLayout } from "../layout.ts";
import { buildView, viewKey, type ViewSpec } from "./build.ts";
import { probeForView } from "./probe.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const FACTORY_DIR = `${ROOT}runtime_py/tests/support`;

async function write(path: string, text: string): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  await Deno.writeTextFile(path, text);
}

/** A store with three entries whose names collide in every way the contract describes. */
async function fakeStore(home: string): Promise<{ name: string; version: string; path: string }[]> {
  const files: Record<string, Record<string, string>> = {
    "alpha/1.0/aaaaaaaaaaaaaaaa": {
      "alpha/__init__.py": "A = 1\n",
      "alpha/core.py": "",
      "alpha/__pycache__/core.cpython-311.pyc": "x",
      "alpha-1.0.dist-info/METADATA": "Name: alpha\nVersion: 1.0\n",
      "alpha.pth": "import os\n",
      "google/alpha/__init__.py": "",
      "thing": "a file first\n",
      "bin/alpha-cli": "#!/bin/sh\necho alpha\n",
      "bin/python": "#!/bin/sh\necho never\n",
      "include/alpha.h": "",
      "data/__init__.py": "# a real package called data\n",
      "envknit/__init__.py": "# reserved: the runtime wins\n",
      ".envknit-entry.json": "{}",
      ".hidden": "",
      "__pycache__/top.cpython-311.pyc": "x",
    },
    "beta/2.0/bbbbbbbbbbbbbbbb": {
      "beta.py": "B = 2\n",
      "beta-2.0.dist-info/METADATA": "Name: beta\nVersion: 2.0\n",
      "alpha/extra.py": "# merged into alpha/\n",
      "alpha/core.py": "# loses to alpha's\n",
      "google/beta/__init__.py": "",
      "google/__pycache__/x.pyc": "x",
      "thing/__init__.py": "# a folder second: the file wins\n",
      "bin/alpha-cli": "#!/bin/sh\necho beta loses\n",
      "bin/beta-tool": "#!/bin/sh\necho beta\n",
      "data/x.dat": "",
      "include/beta.h": "",
    },
    "gamma/3.0/cccccccccccccccc": {
      "google/gamma/__init__.py": "",
      "google/beta/more.py": "# a third level of merging\n",
      "gamma-3.0.dist-info/METADATA": "Name: gamma\nVersion: 3.0\n",
    },
  };
  const entries = [];
  for (const [rel, tree] of Object.entries(files)) {
    for (const [path, text] of Object.entries(tree)) {
      await write(`${home}/packages/${rel}/${path}`, text);
    }
    const [name, version] = rel.split("/");
    entries.push({ name, version, path: `${home}/packages/${rel}` });
  }
  await write(`${home}/runtime/0.1.0/envknit/__init__.py`, '__version__ = "0.1.0"\n');
  return entries;
}

/** Every name under `dir`: links with their targets, folders, files with mode and contents. */
/**
 * Builds the view with the reference builder (runtime_py/tests/support/view_factory.py) and
 * returns the folder it printed. With `islands`, the view gets them, unverified (as the TypeScript
 * test of islands builds its own).
 */
async function referenceView(args: {
  home: string;
  lock: string;
  entries: { name: string; version: string; path: string }[];
  runtime: string;
  islands?: unknown;
}): Promise<string> {
  const script = `
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import view_factory as vf
args = json.loads(sys.argv[2])
probe = vf.probe_interpreter(args["python"])
entries = [vf.Entry(e["name"], e["version"], e["path"]) for e in args["entries"]]
extra = {"verify": False, "islands": args["islands"]} if "islands" in args else {}
print(vf.build_view(Path(args["home"]), Path(args["lock"]), "default", entries, probe,
                    Path(args["runtime"]), **extra))
`;
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script, FACTORY_DIR, JSON.stringify({ python: PYTHON, ...args })],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(path: string, rel: string) {
    for await (const e of Deno.readDir(path)) {
      const p = `${path}/${e.name}`;
      const r = rel ? `${rel}/${e.name}` : e.name;
      const info = await Deno.lstat(p);
      if (info.isSymlink) out.push(`${r} -> ${await Deno.readLink(p)}`);
      else if (info.isDirectory) {
        out.push(`${r}/`);
        await walk(p, r);
      } else {
        out.push(
          `${r} ${(info.mode! & 0o777).toString(8)} ${JSON.stringify(await Deno.readTextFile(p))}`,
        );
      }
    }
  }
  await walk(dir, "");
  return out.sort();
}

Deno.test("view: the TypeScript builder makes the folder view_factory.py makes", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "envknit-view-" }));
  try {
    const home = `${dir}/home`;
    const entries = await fakeStore(home);
    const lock = `${dir}/project/envknit.lock.yaml`;
    await write(lock, "# the view only names it\n");
    const probe = await probeForView(PYTHON);
    const spec: ViewSpec = {
      envknitHome: home,
      lock,
      environment: "default",
      dev: true,
      probe,
      entries,
      runtime: `${home}/runtime/0.1.0/envknit`,
      runtimeVersion: "0.1.0",
    };
    const layout = new StoreLayout(home);
    const view = await buildView(layout, spec);
    const key = await viewKey(spec);
    assertEquals(view, `${home}/views/${key}`);
    const ours = await tree(view);
    // Same key, built again: found in place, unchanged.
    assertEquals(await buildView(layout, spec), view);
    await Deno.rename(view, `${dir}/ours`);

    assertEquals(
      await referenceView({ home, lock, entries, runtime: spec.runtime }),
      view,
      "same key",
    );
    const theirs = await tree(view);
    assertEquals(ours, theirs);

    // What the contract says, checked on the result (not only "same as the reference").
    const site = `${view}/${probe.site_packages}`;
    const names = ours.filter((l) => l.startsWith(probe.site_packages + "/"))
      .map((l) => l.slice(probe.site_packages.length + 1));
    assert(names.includes(`alpha/`), "alpha merged into a real folder");
    assert(names.includes(`alpha/core.py -> ${entries[0].path}/alpha/core.py`));
    assert(names.includes(`alpha/extra.py -> ${entries[1].path}/alpha/extra.py`));
    assert(names.includes(`google/beta/more.py -> ${entries[2].path}/google/beta/more.py`));
    assert(names.includes(`thing -> ${entries[0].path}/thing`));
    assert(names.includes(`data -> ${entries[0].path}/data`), "a real package named data");
    assert(names.includes(`envknit -> ${spec.runtime}`));
    assert(
      !names.some((n) =>
        n.startsWith("include") || n.startsWith(".") || n.startsWith("__pycache__") ||
        n.startsWith("bin")
      ),
      names.join("\n"),
    );
    assert(!names.some((n) => n.includes("google/__pycache__")));
    assertEquals(await Deno.readLink(`${view}/bin/python`), probe.target);
    const cli = await Deno.readTextFile(`${view}/bin/alpha-cli`);
    assertStringIncludes(cli, `ENVKNIT_PYTHON='${view}/bin/python'`);
    assertStringIncludes(cli, `exec '${entries[0].path}/bin/alpha-cli' "$@"`);
    assert(await Deno.lstat(`${site}/alpha.pth`).then((s) => s.isSymlink));
    const json = JSON.parse(await Deno.readTextFile(`${view}/view.json`));
    assertEquals(json.key, key);
    assertEquals(json.entries.map((e: { name: string }) => e.name), ["alpha", "beta", "gamma"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("view: the view's python is the environment, with nothing set", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "envknit-view-" }));
  try {
    const home = `${dir}/home`;
    const entries = await fakeStore(home);
    const lock = `${dir}/envknit.lock.yaml`;
    await write(lock, "");
    const probe = await probeForView(PYTHON);
    const view = await buildView(new StoreLayout(home), {
      envknitHome: home,
      lock,
      environment: "default",
      dev: true,
      probe,
      entries,
      runtime: `${home}/runtime/0.1.0/envknit`,
      runtimeVersion: "0.1.0",
    });
    const out = await new Deno.Command(`${view}/bin/python`, {
      args: ["-c", "import sys, alpha, beta; print(sys.prefix); print(alpha.A + beta.B)"],
      clearEnv: true,
      env: {},
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    assertEquals(new TextDecoder().decode(out.stdout), `${view}\n3\n`);
    // Nothing was left in the temp folder of the builds.
    assertEquals([...Deno.readDirSync(`${home}/views/.tmp`)].length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("view: a build that fails leaves no view in place", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "envknit-view-" }));
  try {
    const home = `${dir}/home`;
    const entries = await fakeStore(home);
    entries.push({ name: "gone", version: "1", path: `${home}/packages/gone/1/dddddddddddddddd` });
    const probe = await probeForView(PYTHON);
    const spec: ViewSpec = {
      envknitHome: home,
      lock: `${dir}/envknit.lock.yaml`,
      environment: "default",
      dev: true,
      probe,
      entries,
      runtime: `${home}/runtime/0.1.0/envknit`,
      runtimeVersion: "0.1.0",
    };
    let message = "";
    try {
      await buildView(new StoreLayout(home), spec);
    } catch (error) {
      message = (error as Error).message;
    }
    assertStringIncludes(message, "cannot build the environment view");
    assertEquals([...Deno.readDirSync(`${home}/views`)].map((e) => e.name), [".tmp"]);
    assertEquals([...Deno.readDirSync(`${home}/views/.tmp`)].length, 0);
    // A wrapper that does not start as the view: refused, removed.
    const wrapper = `${dir}/wrapper`;
    await Deno.writeTextFile(wrapper, `#!/bin/sh\nexec ${PYTHON} "$@"\n`);
    await Deno.chmod(wrapper, 0o755);
    spec.entries = entries.slice(0, 3);
    spec.probe = { ...probe, target: wrapper };
    let refused = "";
    try {
      await buildView(new StoreLayout(home), spec);
    } catch (error) {
      refused = (error as Error).message;
    }
    assertStringIncludes(refused, "does not start as the environment view");
    assertEquals([...Deno.readDirSync(`${home}/views`)].map((e) => e.name), [".tmp"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("view: an environment with islands gets view.json's islands and the boot files, as view_factory.py makes them (#16.4)", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "envknit-view-" }));
  try {
    const home = `${dir}/home`;
    const entries = await fakeStore(home);
    await write(`${home}/runtime/0.1.0/envknit/isolation/islands.py`, "# the routing\n");
    const lock = `${dir}/project/envknit.lock.yaml`;
    await write(lock, "# the view only names it\n");
    const probe = await probeForView(PYTHON);
    const islands = {
      count: 2,
      entries: entries.map((e, i) => ({
        ...e,
        islands: i === 1 ? [1] : null,
        per_island: false,
        import_names: [e.name],
        dist_info: null,
        compiled: false,
      })),
    };
    const spec: ViewSpec = {
      envknitHome: home,
      lock,
      environment: "default",
      dev: true,
      probe,
      entries,
      runtime: `${home}/runtime/0.1.0/envknit`,
      runtimeVersion: "0.1.0",
      extra: { islands },
    };
    const view = await buildView(new StoreLayout(home), spec, { verify: false });
    const ours = await tree(view);
    const site = `${view}/${probe.site_packages}`;
    assertEquals(
      await Deno.readLink(`${site}/_envknit_islands.py`),
      `${spec.runtime}/isolation/islands.py`,
    );
    assertEquals(
      await Deno.readTextFile(`${site}/_envknit_islands.pth`),
      "import _envknit_islands\n",
    );
    assertEquals(JSON.parse(await Deno.readTextFile(`${view}/view.json`)).islands, islands);
    await Deno.rename(view, `${dir}/ours`);
    assertEquals(
      await referenceView({ home, lock, entries, runtime: spec.runtime, islands }),
      view,
      "same key",
    );
    assertEquals(ours, await tree(view));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
