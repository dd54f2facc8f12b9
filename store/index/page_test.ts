import { decodeEntities, parseHtmlPage, parseJsonPage, parseProjectPage } from "./page.ts";
import { EnvknitError } from "../../core/errors.ts";
import { assertEquals, assertThrows } from "../../tests/support/assert.ts";

const PAGE = "https://example.org/simple/demo/";
const SHA = "a".repeat(64);
const META_SHA = "b".repeat(64);

Deno.test("HTML: hashes, requires-python, yanks, core metadata (PEP 503/592/658/714)", () => {
  const html = `<!DOCTYPE html>
<html><head><meta name="pypi:repository-version" content="1.1"><title>Links for demo</title></head>
<body><h1>Links for demo</h1>
<!-- <a href="commented-1.0.tar.gz">not a link</a> -->
<a href="../../files/demo-1.0-py3-none-any.whl#sha256=${SHA}" data-requires-python="&gt;=3.8,&lt;4"
   data-dist-info-metadata="sha256=${META_SHA}">demo-1.0-py3-none-any.whl</a><br/>
<a href='https://files.example.org/demo-0.9.tar.gz#md5=00ff' data-yanked="broken build">x</a>
<A HREF=/files/demo-1.1-py3-none-any.whl data-core-metadata=true data-yanked>y</A>
<a href="demo-1.2-py3-none-any.whl" data-core-metadata="sha256=${META_SHA}" data-dist-info-metadata="false">z</a>
<a>no href</a><a href="javascript:alert(1)">js</a>
</body></html>`;
  const { files, apiVersion, format } = parseHtmlPage(html, PAGE, "https://example.org/simple/");
  assertEquals(format, "html");
  assertEquals(apiVersion, "1.1");
  assertEquals(files.map((f) => f.url), [
    "https://example.org/files/demo-1.0-py3-none-any.whl",
    "https://files.example.org/demo-0.9.tar.gz",
    "https://example.org/files/demo-1.1-py3-none-any.whl",
    "https://example.org/simple/demo/demo-1.2-py3-none-any.whl",
  ]);
  assertEquals(files[0], {
    filename: "demo-1.0-py3-none-any.whl",
    url: "https://example.org/files/demo-1.0-py3-none-any.whl",
    hashes: { sha256: SHA },
    requiresPython: ">=3.8,<4",
    yanked: false,
    coreMetadata: { sha256: META_SHA },
    index: "https://example.org/simple/",
  });
  assertEquals([files[1].yanked, files[1].yankedReason, files[1].hashes], [
    true,
    "broken build",
    { md5: "00ff" },
  ]);
  assertEquals([files[2].yanked, files[2].yankedReason, files[2].coreMetadata], [
    true,
    undefined,
    true,
  ]);
  // data-core-metadata (PEP 714) wins over the older attribute.
  assertEquals(files[3].coreMetadata, { sha256: META_SHA });
});

Deno.test("HTML: <base href> and credentials in links are handled", () => {
  const html = `<html><head><base href="https://mirror.example.org/pkgs/"></head><body>
<a href="demo-1.0-py3-none-any.whl#sha256=${SHA}">a</a>
<a href="https://user:pw@files.example.org/demo-2.0-py3-none-any.whl">b</a></body></html>`;
  const { files } = parseHtmlPage(html, PAGE, null);
  assertEquals(files.map((f) => f.url), [
    "https://mirror.example.org/pkgs/demo-1.0-py3-none-any.whl",
    "https://files.example.org/demo-2.0-py3-none-any.whl",
  ]);
});

Deno.test("JSON (PEP 691): every field, the PEP 714 key, yanked reasons, sizes", () => {
  const json = JSON.stringify({
    meta: { "api-version": "1.1" },
    name: "demo",
    files: [
      {
        filename: "demo-1.0-py3-none-any.whl",
        url: "../../files/demo-1.0-py3-none-any.whl",
        hashes: { sha256: SHA.toUpperCase() },
        "requires-python": ">=3.8",
        "core-metadata": { sha256: META_SHA },
        "dist-info-metadata": false,
        yanked: "bad",
        size: 1234,
      },
      {
        filename: "demo-0.1.tar.gz",
        url: "https://files.example.org/demo-0.1.tar.gz#sha256=" + SHA,
        hashes: {},
        "dist-info-metadata": true,
        yanked: false,
      },
    ],
    versions: ["0.1", "1.0"],
  });
  const { files, format } = parseJsonPage(json, PAGE, null);
  assertEquals(format, "json");
  assertEquals(files[0], {
    filename: "demo-1.0-py3-none-any.whl",
    url: "https://example.org/files/demo-1.0-py3-none-any.whl",
    hashes: { sha256: SHA },
    requiresPython: ">=3.8",
    yanked: true,
    yankedReason: "bad",
    coreMetadata: { sha256: META_SHA },
    size: 1234,
    index: null,
  });
  assertEquals([files[1].hashes, files[1].coreMetadata, files[1].yanked], [
    { sha256: SHA },
    true,
    false,
  ]);
});

Deno.test("content type chooses the parser; garbage is one clear error", () => {
  const json = JSON.stringify({ meta: { "api-version": "1.0" }, files: [] });
  assertEquals(
    parseProjectPage(
      new TextEncoder().encode(json),
      "application/vnd.pypi.simple.v1+json",
      PAGE,
      null,
    )
      .format,
    "json",
  );
  assertEquals(
    parseProjectPage(new TextEncoder().encode("<html></html>"), "text/html", PAGE, null).format,
    "html",
  );
  const bad = (body: string | Uint8Array, type: string | null) => () =>
    parseProjectPage(
      typeof body === "string" ? new TextEncoder().encode(body) : body,
      type,
      "https://u:secret@example.org/simple/demo/",
      null,
    );
  for (
    const [body, type, message] of [
      ["{not json", "application/vnd.pypi.simple.v1+json", "invalid JSON"],
      ['{"files": 3}', "application/vnd.pypi.simple.v1+json", '"files" is not a list'],
      ['{"files": [1]}', "application/vnd.pypi.simple.v1+json", "files[0] is not an object"],
      ['{"meta": {"api-version": "2.0"}, "files": []}', "application/json", "unsupported"],
      ["just some text, no markup", "text/html", "neither HTML nor JSON"],
      [new Uint8Array([0xff, 0xfe, 0x00]), "text/html", "not valid UTF-8"],
    ] as const
  ) {
    const error = assertThrows(bad(body, type), EnvknitError, message);
    assertEquals(error.message.includes("secret"), false);
    assertEquals(error.message.includes("\n"), false);
  }
});

Deno.test("HTML scanning stays linear on hostile input", () => {
  const hostile = "<a " + "x=".repeat(200_000) + "<".repeat(200_000) + "<a href='";
  const started = performance.now();
  parseHtmlPage(`<html>${hostile}`, PAGE, null);
  assertEquals(performance.now() - started < 2000, true);
});

Deno.test("entities", () => {
  assertEquals(
    decodeEntities("&gt;=3.8&#44;&#x3c;4 &amp;&unknown; &#0;"),
    ">=3.8,<4 &&unknown; \ufffd",
  );
});
