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
    assertEquals(await cache.getWheelMetadata(SHA), null);
    // Written after being read as missing: later reads see the new entries.
    await cache.putPage(INDEX, "demo", page(`${INDEX}demo/`));
    await cache.putWheelMetadata(SHA, "Name: demo\n");
    assertEquals((await cache.getPage(INDEX, "demo"))?.url, `${INDEX}demo/`);
    assertEquals(await cache.getWheelMetadata(SHA), "Name: demo\n");

    // Another process (a new cache object) reads them from disk.
    const other = new IndexCache(dir);
    assertEquals((await other.getPage(INDEX, "demo"))?.etag, '"1"');
    assertEquals(await other.getWheelMetadata(SHA), "Name: demo\n");
    // Within one run a file is read once: removing it now changes nothing for this run.
    await Deno.remove(`${dir}/${CACHE_DIRS.pages}`, { recursive: true });
    await Deno.remove(`${dir}/${CACHE_DIRS.metadata}`, { recursive: true });
    assertEquals((await other.getPage(INDEX, "demo"))?.etag, '"1"');
    assertEquals(await other.getWheelMetadata(SHA), "Name: demo\n");
    assertEquals(await new IndexCache(dir).getPage(INDEX, "demo"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: an index's claim is found only under its own identity, and can be evicted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "envknit-cache-" });
  try {
    const claimA = "c".repeat(64);
    const claimB = "d".repeat(64);
    const cache = new IndexCache(dir);
    await cache.putClaimedMetadata(SHA, claimA, "Name: demo\nRequires-Dist: evil\n");
    // The wheel's hash alone finds nothing: a claim is not the wheel's own metadata.
    assertEquals(await new IndexCache(dir).getWheelMetadata(SHA), null);
    assertEquals(await new IndexCache(dir).getClaimedMetadata(SHA, claimB), null);
    assertEquals(
      await new IndexCache(dir).getClaimedMetadata(SHA, claimA),
      "Name: demo\nRequires-Dist: evil\n",
    );
    await cache.putClaimedMetadata(SHA, claimB, "Name: demo\n");
    await cache.evictClaims(SHA);
    assertEquals(await cache.getClaimedMetadata(SHA, claimA), null);
    assertEquals(await new IndexCache(dir).getClaimedMetadata(SHA, claimA), null);
    assertEquals(await new IndexCache(dir).getClaimedMetadata(SHA, claimB), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
