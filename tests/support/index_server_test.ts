// The loopback index, exercised with plain `fetch` the way an index client would use it; HTML
// pages are parsed by Python's html.parser (as pip does) to check the escaping.
import { openZip, type RandomAccessSource } from "../../store/zip/mod.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "./assert.ts";
import { HTML_TYPE, type IndexFile, JSON_TYPE, negotiate, startIndex } from "./index_server.ts";
import { runPython } from "./python.ts";
import { buildSdist, buildWheel, sha256Hex } from "./wheel_factory.ts";

async function fixtures() {
  const old = await buildWheel({ name: "Demo_Pkg", version: "1.0", requiresPython: ">=3.8,<3.13" });
  const recent = await buildWheel({
    name: "Demo_Pkg",
    version: "2.0",
    requiresPython: ">=3.10",
    requiresDist: ["idna>=3"],
    files: { "demo_pkg/__init__.py": "x = 1\n".repeat(3000) },
  });
  const sdist = await buildSdist({ name: "Demo_Pkg", version: "2.0" });
  return { old, recent, sdist };
}

async function text(response: Response): Promise<string> {
  return await response.text();
}

async function json(url: string, headers: HeadersInit = { accept: JSON_TYPE }) {
  const response = await fetch(url, { headers });
  assertEquals(response.status, 200);
  return await response.json();
}

// What pip's HTML parser sees: every anchor's attributes, unescaped.
async function anchors(html: string): Promise<Record<string, string>[]> {
  const py = await runPython(
    `
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.meta = [], {}
    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.out.append({k: ("" if v is None else v) for k, v in attrs})
        if tag == "meta":
            d = dict(attrs)
            self.meta[d.get("name")] = d.get("content")
p = P()
p.feed(sys.stdin.read())
assert p.meta["pypi:repository-version"] == "1.1"
print(json.dumps(p.out))
`,
    [],
    { stdin: html },
  );
  return JSON.parse(py.stdout);
}

Deno.test("project pages in PEP 691 JSON and PEP 503 HTML describe the same files", async () => {
  const { old, recent, sdist } = await fixtures();
  await using index = await startIndex({
    projects: {
      "Demo_Pkg": [old, { ...recent, yanked: 'broken <release> & "bad"' }, sdist],
    },
  });
  const page = index.projectUrl("demo-pkg");
  assertEquals(page, `${index.url}demo-pkg/`);

  const data = await json(page);
  assertEquals(data.meta, { "api-version": "1.1" });
  assertEquals(data.name, "demo-pkg");
  assertEquals(data.versions, ["1.0", "2.0"]);
  assertEquals(data.files.map((f: { filename: string }) => f.filename), [
    old.filename,
    recent.filename,
    sdist.filename,
  ]);
  const [f1, f2, f3] = data.files;
  const metaHash = await sha256Hex(new TextEncoder().encode(old.metadata!));
  assertEquals(f1, {
    filename: old.filename,
    url: `../../files/demo-pkg/${old.filename}`,
    hashes: { sha256: old.sha256 },
    "requires-python": ">=3.8,<3.13",
    yanked: false,
    "core-metadata": { sha256: metaHash },
    "dist-info-metadata": { sha256: metaHash },
    size: old.size,
    "upload-time": "2025-01-01T00:00:00.000000Z",
  });
  assertEquals(f2.yanked, 'broken <release> & "bad"');
  assertEquals([f3["core-metadata"], f3["dist-info-metadata"]], [false, false]);
  assertEquals(f3.size, sdist.size);

  const htmlResponse = await fetch(page, { headers: { accept: "text/html" } });
  assertEquals(htmlResponse.headers.get("content-type"), "text/html; charset=utf-8");
  assertEquals(htmlResponse.headers.get("vary"), "Accept");
  const html = await text(htmlResponse);
  assertStringIncludes(html, 'data-requires-python="&gt;=3.8,&lt;3.13"');
  const links = await anchors(html);
  assertEquals(links, [
    {
      href: `../../files/demo-pkg/${old.filename}#sha256=${old.sha256}`,
      "data-requires-python": ">=3.8,<3.13",
      "data-dist-info-metadata": `sha256=${metaHash}`,
      "data-core-metadata": `sha256=${metaHash}`,
    },
    {
      href: `../../files/demo-pkg/${recent.filename}#sha256=${recent.sha256}`,
      "data-requires-python": ">=3.10",
      "data-yanked": 'broken <release> & "bad"',
      "data-dist-info-metadata": `sha256=${await sha256Hex(
        new TextEncoder().encode(recent.metadata!),
      )}`,
      "data-core-metadata": `sha256=${await sha256Hex(new TextEncoder().encode(recent.metadata!))}`,
    },
    { href: `../../files/demo-pkg/${sdist.filename}#sha256=${sdist.sha256}` },
  ]);

  // Relative URLs resolve against the page to the files; the hash in the URL is the file's.
  for (const link of links) {
    const url = new URL(link.href, page);
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    assertEquals(`sha256=${await sha256Hex(bytes)}`, url.hash.slice(1));
  }
  const metadata = await text(await fetch(new URL(f1.url + ".metadata", page)));
  assertEquals(metadata, old.metadata);
  assertEquals(index.counts.metadata, 1);
  assertEquals(index.counts.wheel, 2);
  assertEquals(index.counts.sdist, 1);
  assertEquals(index.counts.page, 2);
});

Deno.test("content negotiation follows PEP 691", async () => {
  const cases: [string | null, string | null][] = [
    [null, "text/html; charset=utf-8"],
    ["*/*", "text/html; charset=utf-8"],
    ["text/html", "text/html; charset=utf-8"],
    [JSON_TYPE, JSON_TYPE],
    [HTML_TYPE, HTML_TYPE],
    ["application/vnd.pypi.simple.latest+json", JSON_TYPE],
    ["application/vnd.pypi.simple.latest+html", HTML_TYPE],
    [`${JSON_TYPE}, ${HTML_TYPE};q=0.2, text/html;q=0.01`, JSON_TYPE],
    [`${JSON_TYPE};q=0.1, ${HTML_TYPE}`, HTML_TYPE],
    [`${JSON_TYPE};q=0.5, */*;q=0.9`, "text/html; charset=utf-8"],
    ["application/json", null],
    [`${JSON_TYPE};q=0`, null],
  ];
  for (const [accept, expected] of cases) {
    assertEquals(negotiate(accept)?.contentType ?? null, expected, `Accept: ${accept}`);
  }
  assertEquals(negotiate(JSON_TYPE, ["html"]), null);
  assertEquals(negotiate(`${JSON_TYPE}, text/html;q=0.5`, ["html"])?.format, "html");

  await using index = await startIndex({ projects: { demo: [] }, formats: ["html"] });
  const refused = await fetch(`${index.url}demo/`, { headers: { accept: JSON_TYPE } });
  assertEquals(refused.status, 406);
  await refused.body?.cancel();
  const root = await fetch(index.url, { headers: { accept: `${JSON_TYPE}, text/html;q=0.1` } });
  assertEquals(root.headers.get("content-type"), "text/html; charset=utf-8");
  assertEquals((await anchors(await root.text())).map((a) => a.href), ["demo/"]);
});

Deno.test("the root page lists projects; names redirect to their normalized page", async () => {
  const { old } = await fixtures();
  await using index = await startIndex({ projects: { "Demo_Pkg": [old], zeta: [], Alpha: [] } });
  const root = await json(index.url);
  assertEquals(root, {
    meta: { "api-version": "1.1" },
    projects: [{ name: "Alpha" }, { name: "Demo_Pkg" }, { name: "zeta" }],
  });
  const moved = await fetch(`${index.url}Demo.PKG/`, { redirect: "manual" });
  assertEquals(moved.status, 301);
  assertEquals(moved.headers.get("location"), `${index.url}demo-pkg/`);
  await moved.body?.cancel();
  const followed = await fetch(`${index.url}Demo.PKG`, { headers: { accept: JSON_TYPE } });
  assertEquals(followed.url, `${index.url}demo-pkg/`);
  assertEquals((await followed.json()).name, "demo-pkg");
  const missing = await fetch(`${index.url}nope/`);
  assertEquals(missing.status, 404);
  await missing.body?.cancel();
  const badFile = await fetch(`${index.origin}/files/demo-pkg/nope.whl`);
  assertEquals(badFile.status, 404);
  await badFile.body?.cancel();
  assertEquals(index.counts.notFound, 2);
  assertEquals(index.counts.root, 1);
  assertEquals(index.counts.page, 4); // Demo.PKG/ (301), Demo.PKG (301), demo-pkg/, nope/
});

Deno.test("PEP 658 metadata can be switched off, or advertised under one PEP 714 name only", async () => {
  const { old } = await fixtures();
  await using index = await startIndex({ projects: { demo: [old] }, metadataFiles: false });
  const page = index.projectUrl("demo");
  const [file] = (await json(page)).files;
  assertEquals([file["core-metadata"], file["dist-info-metadata"]], [false, false]);
  const [anchor] = await anchors(await text(await fetch(page)));
  assert(!("data-core-metadata" in anchor) && !("data-dist-info-metadata" in anchor));
  const gone = await fetch(index.fileUrl("demo", old.filename) + ".metadata");
  assertEquals(gone.status, 404);
  await gone.body?.cancel();

  index.options.metadataFiles = true;
  index.options.metadataKeys = "dist-info-metadata";
  const legacy = (await json(page)).files[0];
  assert(!("core-metadata" in legacy));
  assert(legacy["dist-info-metadata"].sha256);
  index.options.metadataKeys = "core-metadata";
  const [modern] = await anchors(await text(await fetch(page)));
  assert("data-core-metadata" in modern && !("data-dist-info-metadata" in modern));
  assertEquals(
    await text(await fetch(index.fileUrl("demo", old.filename) + ".metadata")),
    old.metadata,
  );

  index.options.hashes = false;
  const bare = (await json(page)).files[0];
  assertEquals(bare.hashes, {});
  const [plain] = await anchors(await text(await fetch(page)));
  assert(!plain.href.includes("#"));
  index.options.absoluteUrls = true;
  assertEquals((await json(page)).files[0].url, index.fileUrl("demo", old.filename));
});

Deno.test("range requests: 206 with Content-Range, suffixes, 416, HEAD; or ignored", async () => {
  const { recent } = await fixtures();
  await using index = await startIndex({ projects: { "demo-pkg": [recent] } });
  const url = index.fileUrl("demo-pkg", recent.filename);
  const size = recent.size;
  const get = async (range: string) => {
    const r = await fetch(url, { headers: { range } });
    return { r, body: new Uint8Array(await r.arrayBuffer()) };
  };
  let { r, body } = await get("bytes=0-9");
  assertEquals([r.status, r.headers.get("content-range")], [206, `bytes 0-9/${size}`]);
  assertEquals(body, recent.bytes.subarray(0, 10));
  ({ r, body } = await get("bytes=-100"));
  assertEquals(r.headers.get("content-range"), `bytes ${size - 100}-${size - 1}/${size}`);
  assertEquals(body, recent.bytes.subarray(size - 100));
  ({ r, body } = await get(`bytes=${size - 5}-`));
  assertEquals(body, recent.bytes.subarray(size - 5));
  ({ r, body } = await get(`bytes=10-${size + 1000}`));
  assertEquals([r.status, body.length], [206, size - 10]);
  ({ r } = await get(`bytes=${size}-`));
  assertEquals([r.status, r.headers.get("content-range")], [416, `bytes */${size}`]);
  ({ r, body } = await get("bytes=0-1,5-6"));
  assertEquals([r.status, body.length], [200, size]);
  const head = await fetch(url, { method: "HEAD" });
  assertEquals(head.status, 200);
  assertEquals(head.headers.get("content-length"), String(size));
  assertEquals(head.headers.get("accept-ranges"), "bytes");
  await head.body?.cancel();
  assertEquals(index.counts.range, 6);
  assertEquals(index.counts.head, 1);
  assertEquals(index.counts.wheel, 0);

  index.options.ranges = false;
  ({ r, body } = await get("bytes=0-9"));
  assertEquals([r.status, body.length, r.headers.get("accept-ranges")], [200, size, null]);
});

Deno.test("a remote wheel's METADATA read through store/zip with range requests", async () => {
  const { recent } = await fixtures();
  await using index = await startIndex({ projects: { "demo-pkg": [recent] } });
  const url = index.fileUrl("demo-pkg", recent.filename);
  // Learn the size and get the tail in one suffix request, as an index client would.
  const first = await fetch(url, { headers: { range: "bytes=-8192" } });
  const total = Number(first.headers.get("content-range")!.split("/")[1]);
  const tail = new Uint8Array(await first.arrayBuffer());
  const source: RandomAccessSource = {
    size: total,
    async read(offset, length) {
      const r = await fetch(url, { headers: { range: `bytes=${offset}-${offset + length - 1}` } });
      assertEquals(r.status, 206);
      return new Uint8Array(await r.arrayBuffer());
    },
  };
  const zip = await openZip(source, { tail });
  const metadata = await zip.readText(`${recent.distInfo}/METADATA`);
  assertEquals(metadata, recent.metadata);
  assertEquals(index.counts.wheel, 0);
  assert(index.counts.range <= 2, `${index.counts.range} range requests`);
  assertEquals(index.connections, 1); // keep-alive: one connection for every request
});

Deno.test("ETag revalidation: 304 until the page changes", async () => {
  const { old, recent } = await fixtures();
  await using index = await startIndex({ projects: { demo: [old] } });
  const page = index.projectUrl("demo");
  const first = await fetch(page, { headers: { accept: JSON_TYPE } });
  const etag = first.headers.get("etag")!;
  assertMatch(etag, /^"[0-9a-f]+"$/);
  await first.body?.cancel();
  const again = await fetch(page, { headers: { accept: JSON_TYPE, "if-none-match": etag } });
  assertEquals(again.status, 304);
  await again.body?.cancel();
  const weak = await fetch(page, { headers: { accept: JSON_TYPE, "if-none-match": `W/${etag}` } });
  assertEquals(weak.status, 304);
  await weak.body?.cancel();
  // The HTML page is another representation with its own ETag.
  const html = await fetch(page, { headers: { "if-none-match": etag } });
  assertEquals(html.status, 200);
  await html.body?.cancel();

  index.addFile("demo", recent);
  const changed = await fetch(page, { headers: { accept: JSON_TYPE, "if-none-match": etag } });
  assertEquals(changed.status, 200);
  assertEquals((await changed.json()).versions, ["1.0", "2.0"]);
  const file = await fetch(index.fileUrl("demo", old.filename), {
    headers: { "if-none-match": `"${old.sha256}"` },
  });
  assertEquals(file.status, 304);
  await file.body?.cancel();
  assertEquals(index.counts.notModified, 3);

  assert(index.removeFile("demo", recent.filename));
  assert(!index.removeFile("demo", recent.filename));
  assertEquals((await json(page)).versions, ["1.0"]);
  index.setProject("demo", null);
  const gone = await fetch(page);
  assertEquals(gone.status, 404);
  await gone.body?.cancel();
});

Deno.test("faults: statuses for N requests, by kind or path", async () => {
  const { old } = await fixtures();
  await using index = await startIndex({
    projects: { demo: [old] },
    faults: [{
      kind: "page",
      type: "status",
      status: 503,
      times: 2,
      headers: { "retry-after": "0" },
    }],
  });
  const page = index.projectUrl("demo");
  const statuses = [];
  for (let i = 0; i < 3; i++) {
    const r = await fetch(page);
    statuses.push(r.status);
    if (i === 0) assertEquals(r.headers.get("retry-after"), "0");
    await r.body?.cancel();
  }
  assertEquals(statuses, [503, 503, 200]);
  assertEquals([index.counts.page, index.counts.faults], [3, 2]);
  assertEquals(index.requests.map((r) => r.fault), ["status", "status", null]);
  assertEquals(index.faults.length, 0);

  index.reset();
  index.setFaults([{ path: /\.metadata$/, type: "status", status: 500 }]);
  const meta = await fetch(index.fileUrl("demo", old.filename) + ".metadata");
  assertEquals(meta.status, 500);
  await meta.body?.cancel();
  const wheel = await fetch(index.fileUrl("demo", old.filename));
  assertEquals(wheel.status, 200);
  await wheel.body?.cancel();
  assertEquals(index.counts, {
    ...index.counts,
    total: 2,
    metadata: 1,
    wheel: 1,
    faults: 1,
  });
  assertEquals(index.faults[0].remaining, Infinity);
});

Deno.test("faults: reset, truncated body, corrupt bytes", async () => {
  const { recent } = await fixtures();
  const listed: IndexFile = recent;
  await using index = await startIndex({ projects: { demo: [listed] } });
  const url = index.fileUrl("demo", recent.filename);

  index.setFaults([{ kind: "wheel", type: "reset", times: 1 }]);
  const reset = await fetch(url);
  await assertRejects(() => reset.arrayBuffer());

  index.setFaults([{ kind: "wheel", type: "truncate", bytes: 100, times: 1 }]);
  const cut = await fetch(url);
  assertEquals(cut.headers.get("content-length"), String(recent.size));
  await assertRejects(() => cut.arrayBuffer());

  index.setFaults([{ kind: "wheel", type: "corrupt", times: 1 }]);
  const bad = new Uint8Array(await (await fetch(url)).arrayBuffer());
  assertEquals(bad.length, recent.size);
  assert((await sha256Hex(bad)) !== recent.sha256);

  // A wheel listed with a hash its bytes do not have.
  index.addFile("demo", { ...recent, sha256: "0".repeat(64) });
  const data = await json(index.projectUrl("demo"));
  assertEquals(data.files[0].hashes.sha256, "0".repeat(64));

  // After the faults, a good download; the client needed a new connection after each drop.
  const good = new Uint8Array(await (await fetch(url)).arrayBuffer());
  assertEquals(await sha256Hex(good), recent.sha256);
  assertEquals(index.counts.faults, 3);
  assertEquals(index.counts.wheel, 4);
  assert(index.connections >= 3, `${index.connections} connections`);
});

Deno.test("faults: slow answers, a client timeout, and close() during a slow answer", async () => {
  const { old } = await fixtures();
  const index = await startIndex({
    projects: { demo: [old] },
    faults: [{ kind: "page", type: "slow", delayMs: 150, times: 1 }],
  });
  let started = performance.now();
  await (await fetch(index.projectUrl("demo"))).text();
  assert(performance.now() - started >= 140, "the slow answer came early");

  index.setFaults([{ kind: "wheel", type: "slow", delayMs: 0, trickleMs: 20, chunkSize: 200 }]);
  started = performance.now();
  const body = new Uint8Array(
    await (await fetch(index.fileUrl("demo", old.filename))).arrayBuffer(),
  );
  assertEquals(body, old.bytes);
  const chunks = Math.ceil(old.size / 200);
  assert(performance.now() - started >= (chunks - 1) * 18, "the trickle was not slow");

  index.setFaults([{ kind: "page", type: "slow", delayMs: 10_000 }]);
  await assertRejects(() => fetch(index.projectUrl("demo"), { signal: AbortSignal.timeout(100) }));
  const pending = fetch(index.projectUrl("demo")).then((r) => r.text(), (e) => e);
  await new Promise((resolve) => setTimeout(resolve, 50));
  started = performance.now();
  await index.close();
  await pending;
  assert(performance.now() - started < 2000, "close() waited for the slow answer");
});
