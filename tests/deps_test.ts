/**
 * Product code must import npm packages with the exact specifier pinned in deno.json, so that
 * `deno run https://…/cli/main.ts` (which does not read our deno.json) gets the same versions.
 */
import { assertEquals } from "./support/assert.ts";

const root = new URL("..", import.meta.url);
const PRODUCT_DIRS = ["core", "ops", "cli", "project", "resolver", "store"];

async function* sources(dir: URL): AsyncGenerator<URL> {
  const exists = await Deno.stat(dir).then(() => true, () => false);
  if (!exists) return;
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory && entry.name !== "wasm") yield* sources(url);
    else if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      yield url;
    }
  }
}

Deno.test("product code imports npm packages only at the versions deno.json pins", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const pinned = new Set(Object.values(config.imports as Record<string, string>));
  const offenders: string[] = [];
  for (const dir of [...PRODUCT_DIRS.map((d) => new URL(d + "/", root)), new URL("mod.ts", root)]) {
    const files = dir.pathname.endsWith(".ts") ? [dir] : await Array.fromAsync(sources(dir));
    for (const file of files) {
      const text = await Deno.readTextFile(file);
      for (const m of text.matchAll(/from\s+["']([^"'.][^"']*)["']/g)) {
        const spec = m[1];
        if (spec.startsWith("node:")) continue;
        if (!pinned.has(spec)) {
          offenders.push(`${file.pathname.slice(root.pathname.length)}: ${spec}`);
        }
      }
    }
  }
  assertEquals(offenders, []);
});
