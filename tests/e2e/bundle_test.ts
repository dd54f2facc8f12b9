// envknit as one file: `deno task bundle` writes dist/envknit.js with every module of ours, the
// resolver's WebAssembly and the embedded Python runtime inlined, and the npm packages bundled.
// The file alone, copied to a folder outside the checkout and run with an empty DENO_DIR (no
// cached modules, no npm cache, no network), drives the demo's whole main job.
import { assert, assertEquals, assertStringIncludes } from "../support/assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("the bundled single file runs the demo's main job with nothing else around it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-bundle-" });
  try {
    const bundled = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "bundle"],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(bundled.code, 0, new TextDecoder().decode(bundled.stderr));
    await Deno.copyFile(`${ROOT}dist/envknit.js`, `${dir}/envknit.js`);
    const text = await Deno.readTextFile(`${dir}/envknit.js`);
    // Only Deno's own node: built-ins are left to import.
    const imports = [...text.matchAll(/^import .* from "([^"]+)";$|import\("([^"]+)"\)/gm)]
      .map((m) => m[1] ?? m[2]);
    assert(imports.length > 0 && imports.every((s) => s.startsWith("node:")), imports.join(", "));

    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}examples/two_versions.ts`, "--cli", `${dir}/envknit.js`],
      env: { NO_COLOR: "1", DENO_DIR: `${dir}/deno` },
      cwd: dir,
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, stdout + new TextDecoder().decode(out.stderr));
    assertStringIncludes(stdout, "greeter 1.0 (wordlib 1.0): hello, world!\n");
    assertStringIncludes(stdout, "greeter 2.0 (wordlib 2.0): BONJOUR, world!\n");
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
