import { freshnessOf, IndexClient } from "./client.ts";
import { IndexCache } from "./cache.ts";
import { fetchCoreMetadata, metadataHeaders } from "./core_metadata.ts";
import { HttpClient } from "../http/client.ts";
import { EnvknitError } from "../../core/errors.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../tests/support/assert.ts";
import { startIndex } from "../../tests/support/index_server.ts";
import { buildSdist, buildWheel, type BuiltWheel } from "../../tests/support/wheel_factory.ts";

const http = () => new HttpClient({ backoffMs: 1, retries: 1, netrc: null });

async function demo(version = "1.0", extra: Partial<Parameters<typeof buildWheel>[0]> = {}) {
  return await buildWheel({
    name: "demo",
    version,
    summary: "a demo",
    metadataFields: [["Description-Content-Type", "text/markdown"]],
    requiresDist: ["idna>=3"],
    requiresPython: ">=3.8",
    // Large enough that the range reader cannot get the whole file in its first request.
    files: {
      "demo/__init__.py": "x = 1\n",
      "demo/big.bin": crypto.getRandomValues(new Uint8Array(60_000)),
      "demo/big2.bin": crypto.getRandomValues(new Uint8Array(60_000)),
    },
    compression: "store",
    ...extra,
  });
}

async function tempDir(): Promise<string & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "envknit-index-" });
  return Object.assign(path, {
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  }) as string & AsyncDisposable;
}

Deno.test("pages: JSON preferred by Accept, HTML otherwise; the same files either way", async () => {
  const w = await demo();
  const sdist = await buildSdist({ name: "demo", version: "1.0" });
  await using index = await startIndex({ projects: { demo: [w, { ...sdist, yanked: "bad" }] } });
  const json = await new IndexClient({ http: http(), indexUrls: [index.url] }).project("Demo");
  assertEquals(index.requests.at(-1)!.format, "json");
  index.options.formats = ["html"];
  const html = await new IndexClient({ http: http(), indexUrls: [index.url] }).project("demo");
  assertEquals(index.requests.at(-1)!.format, "html");
  for (const page of [json!, html!]) {
    assertEquals(page.name, "demo");
    assertEquals(page.index, index.url);
    const files = page.files.map((f) => [f.filename, f.hashes.sha256, f.requiresPython, f.yanked]);
    assertEquals(files, [
      [w.filename, w.sha256, ">=3.8", false],
      [sdist.filename, sdist.sha256, null, true],
    ]);
    assertEquals(page.files[0].url, index.fileUrl("demo", w.filename));
    assert(page.files[0].coreMetadata !== false);
  }
});

Deno.test("metadata: PEP 658 file first, checked against the page's hash", async () => {
  const w = await demo();
  await using index = await startIndex({ projects: { demo: [w] } });
  const client = new IndexClient({ http: http(), indexUrls: [index.url] });
  const page = await client.project("demo");
  assertEquals(await client.metadata("demo", page!.files[0]), metadataHeaders(w.metadata!));
  assertEquals([index.counts.metadata, index.counts.range, index.counts.wheel], [1, 0, 0]);
  assertEquals(client.stats.metadata.pep658, 1);

  index.addFault({ type: "corrupt", kind: "metadata" });
  const other = new IndexClient({ http: http(), indexUrls: [index.url] });
  const file = (await other.project("demo"))!.files[0];
  const error = await assertRejects(() => other.metadata("demo", file), EnvknitError);
  assertStringIncludes(error.message, "does not match the sha256 its index page gives");
});

Deno.test("metadata: HTTP range requests when there is no .metadata file", async () => {
  const w = await demo();
  await using index = await startIndex({ projects: { demo: [w] }, metadataFiles: false });
  const client = new IndexClient({ http: http(), indexUrls: [index.url] });
  const file = (await client.project("demo"))!.files[0];
  assertEquals(file.coreMetadata, false);
  assertEquals(await client.metadata("demo", file), metadataHeaders(w.metadata!));
  assertEquals(index.counts.wheel, 0);
  assert(index.counts.range >= 1 && index.counts.range <= 3, `${index.counts.range} ranges`);
  assertEquals(client.stats.metadata.range, 1);
});

Deno.test("metadata: the whole wheel as a last resort, checked against its sha256", async () => {
  const w = await demo();
  await using index = await startIndex({
    projects: { demo: [w] },
    metadataFiles: false,
    ranges: false,
  });
  const saved: string[] = [];
  const client = new IndexClient({
    http: http(),
    indexUrls: [index.url],
    saveWheel: (sha) => Promise.resolve(void saved.push(sha)),
  });
  const file = (await client.project("demo"))!.files[0];
  assertEquals(await client.metadata("demo", file), metadataHeaders(w.metadata!));
  // One request for the file, answered in full (the server ignores its Range header).
  const fileRequests = index.requests.filter((r) => r.kind === "wheel");
  assertEquals(fileRequests.map((r) => r.status), [200]);
  assertEquals([client.stats.metadata.wheel, saved], [1, [w.sha256]]);

  index.addFault({ type: "corrupt", kind: "wheel" });
  const other = new IndexClient({ http: http(), indexUrls: [index.url] });
  const again = (await other.project("demo"))!.files[0];
  await assertRejects(
    () => other.metadata("demo", again),
    EnvknitError,
    "does not match the sha256 its index page gives",
  );
});

Deno.test("several indexes: the first that has a project wins, never a merge", async () => {
  const privateWheel = await demo("1.0");
  const publicWheel = await demo("99.0"); // a public "demo" squatting the private name
  const other = await buildWheel({ name: "other", version: "2.0" });
  await using first = await startIndex({ projects: { demo: [privateWheel] } });
  await using second = await startIndex({ projects: { demo: [publicWheel], other: [other] } });
  const client = new IndexClient({ http: http(), indexUrls: [first.url, second.url] });
  const page = await client.project("demo");
  assertEquals(page!.files.map((f) => f.filename), [privateWheel.filename]);
  assertEquals(page!.index, first.url);
  assertEquals(second.counts.page, 0);
  const fromSecond = await client.project("other");
  assertEquals([fromSecond!.index, fromSecond!.files.length], [second.url, 1]);
  assertEquals(await client.project("missing"), null);
  assertEquals([first.counts.notFound, second.counts.notFound], [2, 1]);
});

Deno.test("find-links folders add their wheels; metadata is read in place", async () => {
  await using dir = await tempDir();
  const local = await demo("2.0");
  await Deno.writeFile(`${dir}/${local.filename}`, local.bytes);
  await Deno.writeTextFile(`${dir}/README.txt`, "not a distribution");
  const remote = await demo("1.0");
  await using index = await startIndex({ projects: { demo: [remote] } });
  const client = new IndexClient({
    http: http(),
    indexUrls: [index.url],
    findLinks: [dir],
    cacheRoot: `${dir}/cache`,
  });
  const page = await client.project("demo");
  assertEquals(page!.files.map((f) => f.filename), [local.filename, remote.filename]);
  const file = page!.files[0];
  assertEquals([file.hashes.sha256, file.size, file.index], [local.sha256, local.size, null]);
  assertEquals(file.url, `file://${dir}/${local.filename}`);
  assertEquals(await client.metadata("demo", file), metadataHeaders(local.metadata!));
  assertEquals(client.stats.metadata.local, 1);
  // Only find-links: the project exists without any index having it.
  const onlyLocal = new IndexClient({ http: http(), indexUrls: [], findLinks: [dir] });
  assertEquals((await onlyLocal.project("demo"))!.index, null);
});

/** Writes a PEP 503 mirror like /opt/pypi: `simple/<name>/index.html` and `files/`. */
async function writeMirror(dir: string, wheels: BuiltWheel[]) {
  await Deno.mkdir(`${dir}/simple/demo`, { recursive: true });
  await Deno.mkdir(`${dir}/files`, { recursive: true });
  const links = [];
  for (const w of wheels) {
    await Deno.writeFile(`${dir}/files/${w.filename}`, w.bytes);
    links.push(`<a href="../../files/${w.filename}#sha256=${w.sha256}">${w.filename}</a>`);
  }
  await Deno.writeTextFile(
    `${dir}/simple/demo/index.html`,
    `<!DOCTYPE html><html><body>\n${links.join("\n")}\n</body></html>`,
  );
}

Deno.test("file:// index: a mirror on a mounted disk, credentials never kept", async () => {
  await using dir = await tempDir();
  const w = await demo();
  await writeMirror(dir, [w]);
  const h = http();
  const client = new IndexClient({ http: h, indexUrls: [`file://reader:pw@${dir}/simple`] });
  const page = await client.project("demo");
  assertEquals(page!.index, `file://${dir}/simple/`);
  assertEquals(page!.files[0].url, `file://${dir}/files/${w.filename}`);
  assertEquals(await client.metadata("demo", page!.files[0]), metadataHeaders(w.metadata!));
  assertEquals(await client.project("absent"), null);
  assertEquals(h.stats.requests, 0);
});

Deno.test("cache: pages revalidated (304), metadata never fetched again; offline uses it", async () => {
  await using dir = await tempDir();
  const w = await demo();
  await using index = await startIndex({ projects: { demo: [w] } });
  const make = (offline = false) =>
    new IndexClient({
      http: http(),
      indexUrls: [index.url],
      cache: new IndexCache(`${dir}/cache`),
      offline,
    });
  const cold = make();
  await cold.metadata("demo", (await cold.project("demo"))!.files[0]);
  assertEquals(await cold.project("nothing-here"), null);
  index.reset();
  const warm = make();
  assertEquals(
    await warm.metadata("demo", (await warm.project("demo"))!.files[0]),
    metadataHeaders(w.metadata!),
  );
  assertEquals(index.requests.map((r) => [r.kind, r.status, r.ifNoneMatch !== null]), [
    ["page", 304, true],
  ]);
  assertEquals([warm.stats.pagesNotModified, warm.stats.metadata.cache], [1, 1]);

  // A change on the index is seen at once (the page is revalidated, not trusted for a time).
  const w2 = await demo("2.0");
  index.addFile("demo", w2);
  const fresh = await make().project("demo");
  assertEquals(fresh!.files.length, 2);

  index.reset();
  const offline = make(true);
  assertEquals((await offline.project("demo"))!.files.length, 2);
  assertEquals(await offline.project("nothing-here"), null); // its 404 was remembered
  assertEquals(index.counts.total, 0);
  const error = await assertRejects(() => offline.project("never-seen"), EnvknitError);
  assertStringIncludes(
    error.message,
    "offline: the index page of 'never-seen' is not in the cache",
  );
  const file2 = (await offline.project("demo"))!.files.find((f) => f.filename === w2.filename)!;
  await assertRejects(
    () => offline.metadata("demo", file2),
    EnvknitError,
    `offline: the metadata of ${w2.filename} is not in the cache`,
  );
});

Deno.test("bad pages: garbage, 404, 500 and 401 each give one clear error", async () => {
  await using index = await startIndex({ projects: { demo: [await demo()] } });
  const client = () => new IndexClient({ http: http(), indexUrls: [index.url] });
  index.setFaults([{ type: "status", status: 500, kind: "page" }]);
  let error = await assertRejects(() => client().project("demo"), EnvknitError);
  assertEquals(error.message, `index page ${index.url}demo/ answered HTTP 500`);
  index.setFaults([{ type: "status", status: 401, kind: "page" }]);
  error = await assertRejects(() => client().project("demo"), EnvknitError);
  assertStringIncludes(error.hints.join(" "), "netrc");
  index.setFaults([]);
  index.setProject("garbage", null);
  assertEquals(await client().project("garbage"), null); // 404: not on this index
  await assertRejects(() => client().project("../etc"), EnvknitError, "invalid project name");
});

Deno.test("only the header fields a resolver reads are kept (body, license texts dropped)", () => {
  const headers = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: idna\n";
  assertEquals(metadataHeaders(`${headers}\n# Demo\n\nA long description.\n`), headers);
  assertEquals(
    metadataHeaders(headers.replaceAll("\n", "\r\n") + "\r\nbody"),
    headers.replaceAll("\n", "\r\n"),
  );
  assertEquals(metadataHeaders(headers), headers);
  // A folded Requires-Dist keeps its continuation; a folded Description or License goes whole.
  const folded = "Name: demo\nDescription: first\n        |second\nVersion: 1\n" +
    "License: MIT\n  all of it\nRequires-Dist: a;\n  python_version > '3'\n";
  assertEquals(
    metadataHeaders(folded + "\nbody"),
    "Name: demo\nVersion: 1\nRequires-Dist: a;\n  python_version > '3'\n",
  );
});

Deno.test("cache: a page the server calls fresh (max-age) is used without a request", async () => {
  await using dir = await tempDir();
  await using index = await startIndex({
    projects: { demo: [await demo()] },
    pageCacheControl: "max-age=600, public",
  });
  const make = (refresh = false) =>
    new IndexClient({
      http: http(),
      indexUrls: [index.url],
      cache: new IndexCache(`${dir}/cache`),
      refresh,
    });
  const cold = make();
  assertEquals((await cold.project("demo"))!.fromCache, false);
  index.reset();
  const warm = make();
  // Nothing to read ahead of: the page will come from the cache without a request.
  assertEquals(await warm.peek("demo"), null);
  const page = await warm.project("demo");
  assertEquals([page!.files.length, page!.fromCache], [1, true]);
  assertEquals([index.counts.total, warm.stats.pagesFresh], [0, 1]);
  // --refresh revalidates anyway: one conditional request, which the cached files read ahead of.
  const refreshed = make(true);
  assertEquals((await refreshed.peek("demo"))!.length, 1);
  assertEquals((await refreshed.project("demo"))!.fromCache, false);
  assertEquals([index.counts.total, index.counts.notModified], [1, 1]);
  // A server that says no-cache is asked every time.
  index.options.pageCacheControl = "no-cache";
  await make(true).project("demo");
  index.reset();
  await make().project("demo");
  assertEquals(index.counts.notModified, 1);
});

Deno.test("freshUntil: the earliest freshness of the answers used; 0 when one promises none", async () => {
  await using dir = await tempDir();
  await using index = await startIndex({
    projects: { demo: [await demo()], other: [await demo("2.0", { name: "other" })] },
    pageCacheControl: "max-age=600, public",
  });
  const make = (options: { findLinks?: string[]; offline?: boolean } = {}) =>
    new IndexClient({
      http: http(),
      indexUrls: [index.url],
      cache: new IndexCache(`${dir}/cache`),
      ...options,
    });
  const before = Date.now();
  const fetched = make();
  assertEquals(fetched.freshUntil, 0); // nothing answered yet: no promise
  await fetched.project("demo");
  const until = fetched.freshUntil;
  assert(until >= before + 600_000 && until <= Date.now() + 600_000, String(until));
  // From the cache, fresh: the page's own promise.
  const cached = make();
  await cached.project("demo");
  assertEquals(cached.freshUntil, until);
  // A shorter promise for another page lowers it.
  index.options.pageCacheControl = "max-age=5";
  await cached.project("other");
  assert(cached.freshUntil < until && cached.freshUntil > Date.now(), String(cached.freshUntil));
  // Offline, a fresh page is the answer an online client would give too.
  const offline = make({ offline: true });
  await offline.project("demo");
  assertEquals(offline.freshUntil, until);
  // Not found, find-links: answers that may differ next time.
  const missing = make();
  assertEquals(await missing.project("absent"), null);
  assertEquals(missing.freshUntil, 0);
  await Deno.mkdir(`${dir}/links`);
  const links = make({ findLinks: [`${dir}/links`] });
  await links.project("demo");
  assertEquals(links.freshUntil, 0);
});

Deno.test("freshness from Cache-Control, Age and Expires", () => {
  const now = 1_000_000;
  const h = (init: Record<string, string>) => new Headers(init);
  assertEquals(freshnessOf(h({ "cache-control": "max-age=600, public" }), now), now + 600_000);
  assertEquals(freshnessOf(h({ "cache-control": "max-age=600", age: "100" }), now), now + 500_000);
  assertEquals(freshnessOf(h({ "cache-control": "public, no-cache, max-age=60" }), now), 0);
  assertEquals(freshnessOf(h({ "cache-control": "no-store" }), now), 0);
  assertEquals(
    freshnessOf(
      h({ expires: "Thu, 01 Jan 2026 00:01:00 GMT", date: "Thu, 01 Jan 2026 00:00:00 GMT" }),
      now,
    ),
    now + 60_000,
  );
  assertEquals(freshnessOf(h({ expires: "0" }), now), 0);
  assertEquals(freshnessOf(h({}), now), null);
});

Deno.test("metadata by ranges: central directory and member fetched when the tail lacks them", async () => {
  const members: Record<string, string> = {};
  for (let i = 0; i < 200; i++) members[`demo/m${i}.py`] = `x = ${i}\n`;
  const w = await buildWheel({
    name: "demo",
    version: "1.0",
    files: members,
    compression: "store",
  });
  await using index = await startIndex({ projects: { demo: [w] }, metadataFiles: false });
  const client = new IndexClient({ http: http(), indexUrls: [index.url] });
  const file = (await client.project("demo"))!.files[0];
  const { text, source } = await fetchCoreMetadata(file, "demo", {
    http: http(),
    cache: null,
    offline: false,
    tailBytes: 256, // far less than the central directory of 200 members
  });
  assertEquals([text, source], [metadataHeaders(w.metadata!), "range"]);
  assert(index.counts.range >= 2, `${index.counts.range} ranges`);
  assertEquals(index.counts.wheel, 0);
});

Deno.test("a small wheel read whole by its tail request is checked against its sha256", async () => {
  const w = await buildWheel({ name: "demo", version: "1.0" });
  await using index = await startIndex({
    projects: { demo: [w] },
    metadataFiles: false,
    faults: [{ type: "corrupt", kind: "wheel" }],
  });
  const client = new IndexClient({ http: http(), indexUrls: [index.url] });
  const file = (await client.project("demo"))!.files[0];
  await assertRejects(
    () => client.metadata("demo", file),
    EnvknitError,
    "does not match the sha256 its index page gives",
  );
});

Deno.test("metadata claims: one index's .metadata never answers for another index's same wheel", async () => {
  const w = await demo();
  const lie = w.metadata!.replace("Requires-Dist: idna>=3", "Requires-Dist: evil");
  await using liar = await startIndex({ projects: { demo: [{ ...w, metadata: lie }] } });
  await using honest = await startIndex({ projects: { demo: [w] } });
  await using dir = await tempDir();
  const client = (url: string) =>
    new IndexClient({ http: http(), indexUrls: [url], cache: new IndexCache(dir) });
  const read = async (url: string) => {
    const c = client(url);
    const file = (await c.project("demo"))!.files[0];
    return { text: await c.metadata("demo", file), stats: c.stats.metadata };
  };
  const lied = await read(liar.url);
  assertStringIncludes(lied.text, "Requires-Dist: evil");
  // The liar's claim is cached under its own identity: the honest index is asked, not the cache.
  const told = await read(honest.url);
  assertStringIncludes(told.text, "Requires-Dist: idna>=3");
  assertEquals(told.stats.pep658, 1);
  // Each index's claim is found again under its own identity.
  assertStringIncludes((await read(liar.url)).text, "Requires-Dist: evil");
  assertEquals((await read(honest.url)).stats.cache, 1);
  // The wheel's own metadata (cached once a wheel was read whole) wins over any claim.
  await new IndexCache(dir).putWheelMetadata(w.sha256, metadataHeaders(w.metadata!));
  assertStringIncludes((await read(liar.url)).text, "Requires-Dist: idna>=3");
});
