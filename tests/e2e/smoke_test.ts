// First end-to-end smoke test: a generated package in two versions on the loopback index; its
// project page fetched in both formats, and a wheel's METADATA read by range requests.
import { openZip, type RandomAccessSource } from "../../store/zip/mod.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { JSON_TYPE, startIndex } from "../support/index_server.ts";
import { runPython } from "../support/python.ts";
import { buildWheel, sha256Hex } from "../support/wheel_factory.ts";

Deno.test("smoke: two versions served as JSON and HTML; a wheel read by range requests", async () => {
  const v1 = await buildWheel({ name: "smoke-pkg", version: "1.0", requiresPython: ">=3.8" });
  const v2 = await buildWheel({
    name: "smoke-pkg",
    version: "2.0",
    requiresPython: ">=3.10",
    requiresDist: ["idna>=3"],
    files: { "smoke_pkg/__init__.py": "# padding\n".repeat(5000) },
  });
  await using index = await startIndex({ projects: { "smoke-pkg": [v1, v2] } });
  const page = index.projectUrl("smoke-pkg");

  // PEP 691 JSON.
  const data = await (await fetch(page, { headers: { accept: JSON_TYPE } })).json();
  assertEquals(data.versions, ["1.0", "2.0"]);
  assertEquals(
    data.files.map((f: { filename: string; hashes: { sha256: string } }) => [
      f.filename,
      f.hashes.sha256,
    ]),
    [[v1.filename, v1.sha256], [v2.filename, v2.sha256]],
  );

  // PEP 503 HTML, read by Python's parser as pip would, must list the same files and hashes.
  const html = await (await fetch(page, { headers: { accept: "text/html" } })).text();
  const py = await runPython(
    `
import json, sys
from html.parser import HTMLParser
class P(HTMLParser):
    links = []
    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))
p = P(); p.feed(sys.stdin.read())
print(json.dumps([[a["href"].split("/")[-1].split("#")[0], a["href"].split("#sha256=")[1],
                   a["data-requires-python"]] for a in p.links]))
`,
    [],
    { stdin: html },
  );
  assertEquals(JSON.parse(py.stdout), [
    [v1.filename, v1.sha256, ">=3.8"],
    [v2.filename, v2.sha256, ">=3.10"],
  ]);

  // The newer wheel's METADATA, by HTTP range requests only.
  const url = new URL(data.files[1].url, page).href;
  const ranged = async (range: string) => {
    const response = await fetch(url, { headers: { range } });
    assertEquals(response.status, 206);
    return response;
  };
  const first = await ranged("bytes=-4096");
  const size = Number(first.headers.get("content-range")!.split("/")[1]);
  assertEquals(size, v2.size);
  const source: RandomAccessSource = {
    size,
    async read(offset, length) {
      const response = await ranged(`bytes=${offset}-${offset + length - 1}`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
  const zip = await openZip(source, { tail: new Uint8Array(await first.arrayBuffer()) });
  zip.assertSafe();
  assertEquals(await zip.readText("smoke_pkg-2.0.dist-info/METADATA"), v2.metadata);
  assertEquals(index.counts.wheel, 0);
  assert(index.counts.range >= 1 && index.counts.range <= 3, `${index.counts.range} ranges`);
  assertEquals(index.counts.page, 2);

  // And the whole wheel, checked against its listed hash.
  const whole = new Uint8Array(await (await fetch(url)).arrayBuffer());
  assertEquals(await sha256Hex(whole), data.files[1].hashes.sha256);
});
