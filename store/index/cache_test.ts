import { CACHE_DIRS, type CachedPage, IndexCache } from "./cache.ts";
import { assertEquals } from "../../tests/support/assert.ts";

const INDEX = "https://example.org/simple/";
const SHA = "a".repeat(64);

function page(url: string): CachedPage {
  return { url, etag: '"1"', lastModified: null, files: [], freshUntil: 1 };
}

Deno.test("cache: what a run writes is what it reads next, and each file is read once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-cache-" });
  try {
    const cache = new IndexCache(dir);
    assertEquals(await cache.getPage(INDEX, "demo"), null);
    assertEquals(await cache.getMetadata(SHA), null);
    // Written after being read as missing: later reads see the new entries.
    await cache.putPage(INDEX, "demo", page(`${INDEX}demo/`));
    await cache.putMetadata(SHA, "Name: demo\n");
    assertEquals((await cache.getPage(INDEX, "demo"))?.url, `${INDEX}demo/`);
    assertEquals(await cache.getMetadata(SHA), "Name: demo\n");

    // Another process (a new cache object) reads them from disk.
    const other = new IndexCache(dir);
    assertEquals((await other.getPage(INDEX, "demo"))?.etag, '"1"');
    assertEquals(await other.getMetadata(SHA), "Name: demo\n");
    // Within one run a file is read once: removing it now changes nothing for this run.
    await Deno.remove(`${dir}/${CACHE_DIRS.pages}`, { recursive: true });
    await Deno.remove(`${dir}/${CACHE_DIRS.metadata}`, { recursive: true });
    assertEquals((await other.getPage(INDEX, "demo"))?.etag, '"1"');
    assertEquals(await other.getMetadata(SHA), "Name: demo\n");
    assertEquals(await new IndexCache(dir).getPage(INDEX, "demo"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
