import { assert, assertEquals } from "../tests/support/assert.ts";
import { ENVKNIT_VERSION } from "../core/version.ts";
import {
  collectRuntimeFiles,
  renderDigestModule,
  renderRuntimeModule,
} from "./generate_runtime_files.ts";
import { StoreLayout } from "./layout.ts";
import { ensureRuntime, RUNTIME_STAMP, runtimeIsCurrent } from "./runtime.ts";
import { RUNTIME_FILES } from "./runtime_files.generated.ts";

Deno.test("the embedded runtime is runtime_py/envknit as it is now (regenerate when this fails)", async () => {
  const files = await collectRuntimeFiles();
  const stale = "is stale: run deno run -A store/generate_runtime_files.ts";
  const actual = await Deno.readTextFile(new URL("./runtime_files.generated.ts", import.meta.url));
  assert(actual === await renderRuntimeModule(files), `store/runtime_files.generated.ts ${stale}`);
  const digest = await Deno.readTextFile(new URL("./runtime_digest.generated.ts", import.meta.url));
  assert(digest === await renderDigestModule(files), `store/runtime_digest.generated.ts ${stale}`);
  assert("__init__.py" in RUNTIME_FILES);
});

Deno.test("ensureRuntime writes the runtime when missing or changed, and only then", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const layout = new StoreLayout(dir);
    const runtime = await ensureRuntime(layout);
    assertEquals(runtime, `${dir}/runtime/${ENVKNIT_VERSION}`);
    for (const [path, text] of Object.entries(RUNTIME_FILES)) {
      assertEquals(await Deno.readTextFile(`${runtime}/envknit/${path}`), text);
    }
    assert(runtimeIsCurrent(layout));
    const stamp = await Deno.stat(`${runtime}/${RUNTIME_STAMP}`);
    await ensureRuntime(layout); // current: untouched
    assertEquals((await Deno.stat(`${runtime}/${RUNTIME_STAMP}`)).mtime, stamp.mtime);

    // A changed runtime of the same version (a development build) is replaced as a whole.
    await Deno.writeTextFile(`${runtime}/${RUNTIME_STAMP}`, '{"digest":"other"}');
    await Deno.writeTextFile(`${runtime}/envknit/stray.py`, "");
    assert(!(runtimeIsCurrent(layout)));
    await ensureRuntime(layout);
    assert(runtimeIsCurrent(layout));
    assert(!(await Deno.stat(`${runtime}/envknit/stray.py`).then(() => true, () => false)));
    assertEquals(await Array.fromAsync(Deno.readDir(`${dir}/runtime`)).then((e) => e.length), 1);
    const py = await new Deno.Command("python3", {
      args: ["-c", "import envknit; print(envknit.__version__)"],
      env: { PYTHONPATH: runtime },
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(py.stdout).trim(), ENVKNIT_VERSION);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("concurrent writers of the runtime all succeed and leave one current copy", async () => {
  for (let round = 0; round < 5; round++) {
    const dir = await Deno.makeTempDir();
    try {
      const layout = new StoreLayout(dir);
      // A stale copy first, so the writers also race on the swap, not only on the first write.
      await ensureRuntime(layout);
      await Deno.writeTextFile(`${dir}/runtime/${ENVKNIT_VERSION}/${RUNTIME_STAMP}`, "{}");
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => ensureRuntime(layout)),
      );
      assertEquals(results.filter((r) => r.status === "rejected"), []);
      assert(runtimeIsCurrent(layout));
      const leftovers = await Array.fromAsync(Deno.readDir(`${dir}/runtime`));
      assertEquals(leftovers.map((e) => e.name), [ENVKNIT_VERSION]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
