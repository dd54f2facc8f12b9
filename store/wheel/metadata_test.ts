import { EnvknitError } from "../../core/errors.ts";
import { assert, assertEquals, assertThrows } from "../../tests/support/assert.ts";
import { keepFields, parseCoreMetadata, parseEmailFields } from "./metadata.ts";

interface Case {
  label: string;
  input: string; // base64
  raw: Record<string, unknown>;
  unparsed: Record<string, string[]>;
}

// packaging.metadata.parse_email's answers for real METADATA files and generated documents:
// see testdata/gen_metadata.py.
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/metadata_cases.json", import.meta.url)),
) as { packaging: string; cases: Case[] };

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

// packaging's field sorting, restated so envknit's output can be compared with parse_email's:
// a field it knows goes to `raw` under its snake_case name (single-use fields as a string when
// they appear once, multiple-use fields as a list, Keywords split at commas, Project-URL as a
// label → URL map); a field it does not know, or a single-use field given twice, goes to
// `unparsed`; a non-empty body is the description, and a Description field next to a body
// sends both to `unparsed`.
const SINGLE = new Set([
  "author",
  "author-email",
  "description",
  "description-content-type",
  "download-url",
  "home-page",
  "license",
  "license-expression",
  "maintainer",
  "maintainer-email",
  "metadata-version",
  "name",
  "requires-python",
  "summary",
  "version",
]);
const MULTIPLE: Record<string, string> = {
  classifier: "classifiers",
  dynamic: "dynamic",
  "license-file": "license_files",
  obsoletes: "obsoletes",
  "obsoletes-dist": "obsoletes_dist",
  platform: "platforms",
  provides: "provides",
  "provides-dist": "provides_dist",
  "provides-extra": "provides_extra",
  requires: "requires",
  "requires-dist": "requires_dist",
  "requires-external": "requires_external",
  "supported-platform": "supported_platforms",
  "import-name": "import_names",
  "import-namespace": "import_namespaces",
};

function packagingShape(fields: Map<string, string[]>, body: string) {
  const raw: Record<string, unknown> = {};
  const unparsed: Record<string, string[]> = {};
  for (const [name, values] of fields) {
    if (SINGLE.has(name) && values.length === 1) raw[name.replaceAll("-", "_")] = values[0];
    else if (name === "import-name" && values.length === 1 && values[0] === "") {
      raw.import_names = [];
    } else if (name in MULTIPLE) raw[MULTIPLE[name]] = values;
    else if (name === "keywords" && values.length === 1) {
      raw.keywords = values[0].split(",").map((k) => k.trim());
    } else if (name === "project-url") {
      const urls: Record<string, string> = {};
      let duplicate = false;
      for (const pair of values) {
        const comma = pair.indexOf(",");
        const label = (comma < 0 ? pair : pair.slice(0, comma)).trim();
        const url = comma < 0 ? "" : pair.slice(comma + 1).trim();
        if (label in urls) duplicate = true;
        urls[label] = url;
      }
      if (duplicate) unparsed[name] = values;
      else raw.project_urls = urls;
    } else unparsed[name] = values;
  }
  if (body !== "") {
    if ("description" in raw) {
      unparsed.description = [raw.description as string, body];
      delete raw.description;
    } else if ("description" in unparsed) unparsed.description.push(body);
    else raw.description = body;
  }
  return { raw, unparsed };
}

// JSON with object keys sorted at every depth (Python dicts and JS objects order keys differently).
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
  );
}

Deno.test("the email fields agree with packaging.metadata.parse_email on every case", () => {
  assert(fixture.cases.length >= 150);
  const disagreements: string[] = [];
  for (const c of fixture.cases) {
    const text = new TextDecoder().decode(fromBase64(c.input));
    const { fields: list, body } = parseEmailFields(text);
    const fields = new Map<string, string[]>();
    for (const [name, value] of list) {
      const key = name.toLowerCase();
      fields.set(key, [...(fields.get(key) ?? []), value]);
    }
    const actual = packagingShape(fields, body);
    const a = canonical([actual.raw, actual.unparsed]);
    const e = canonical([c.raw, c.unparsed]);
    if (a !== e) disagreements.push(`${c.label}:\n  envknit   ${a}\n  packaging ${e}`);
  }
  assertEquals(disagreements, []);
});

// The one value packaging found for a single-use field: in `raw`, or repeated identically in
// `unparsed` (which envknit accepts); null when absent or given different values.
function only(c: Case, raw: string, field: string): string | null {
  const value = (c.raw as Record<string, string>)[raw];
  if (typeof value === "string") return value;
  const values = c.unparsed[field];
  return values && new Set(values).size === 1 ? values[0] : null;
}

Deno.test("parseCoreMetadata agrees with packaging on the fields envknit uses", () => {
  let parsed = 0;
  let refused = 0;
  for (const c of fixture.cases) {
    const raw = c.raw as Record<string, string[]>;
    const metadataVersion = only(c, "metadata_version", "metadata-version")?.trim();
    const name = only(c, "name", "name")?.trim();
    const version = only(c, "version", "version")?.trim();
    const requiresPython = only(c, "requires_python", "requires-python");
    const pythonConflict = requiresPython === null && c.unparsed["requires-python"] !== undefined;
    // Whole by the core metadata spec: the three required fields, each a single sane value.
    const whole = metadataVersion !== undefined && /^[12]\.\d+$/.test(metadataVersion) &&
      name !== undefined && /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/.test(name) &&
      version !== undefined && version !== "" && !/\s/.test(version) && !pythonConflict;
    if (!whole) {
      let threw = false;
      try {
        parseCoreMetadata(fromBase64(c.input), { source: c.label });
      } catch (error) {
        threw = error instanceof EnvknitError;
      }
      assert(threw, `${c.label}: accepted, but it lacks a sane Metadata-Version, Name or Version`);
      refused++;
      continue;
    }
    const meta = parseCoreMetadata(fromBase64(c.input), { source: c.label });
    parsed++;
    assertEquals(
      [meta.metadataVersion, meta.name, meta.version],
      [metadataVersion, name, version],
      c.label,
    );
    assertEquals(meta.requiresDist, raw.requires_dist ?? [], c.label);
    assertEquals(meta.providesExtra, raw.provides_extra ?? [], c.label);
    assertEquals(meta.dynamic, raw.dynamic ?? [], c.label);
    assertEquals(meta.requiresPython, requiresPython?.trim() ?? null, c.label);
    assertEquals(meta.summary, only(c, "summary", "summary") ?? c.unparsed.summary?.[0] ?? null);
  }
  assert(parsed > 100 && refused > 20, `${parsed} parsed, ${refused} refused`);
});

Deno.test("parseCoreMetadata reads a typical METADATA", () => {
  const text = [
    "Metadata-Version: 2.1",
    "Name: Foo.Bar",
    "Version: 1.0.post1",
    "Summary: A thing",
    "requires-dist: idna<4,>=2.5",
    "Requires-Dist: pytest; extra == 'test'",
    "Provides-Extra: test",
    "Requires-Python: >=3.8",
    "Classifier: A",
    "Classifier: B",
    "Description-Content-Type: text/markdown",
    "",
    "# Foo",
    "",
    "Long text.",
    "",
  ].join("\r\n");
  const meta = parseCoreMetadata(new TextEncoder().encode(text));
  assertEquals(
    {
      metadataVersion: meta.metadataVersion,
      name: meta.name,
      normalizedName: meta.normalizedName,
      version: meta.version,
      summary: meta.summary,
      requiresDist: meta.requiresDist,
      requiresPython: meta.requiresPython,
      providesExtra: meta.providesExtra,
      dynamic: meta.dynamic,
      description: meta.description,
    },
    {
      metadataVersion: "2.1",
      name: "Foo.Bar",
      normalizedName: "foo-bar",
      version: "1.0.post1",
      summary: "A thing",
      requiresDist: ["idna<4,>=2.5", "pytest; extra == 'test'"],
      requiresPython: ">=3.8",
      providesExtra: ["test"],
      dynamic: [],
      description: "# Foo\r\n\r\nLong text.\r\n",
    },
  );
  assertEquals(meta.fields.get("classifier"), ["A", "B"]);
});

Deno.test("continuation lines stay part of their field; the Description field is the fallback", () => {
  const meta = parseCoreMetadata(
    "Metadata-Version: 1.2\nName: x\nVersion: 1\nDescription: first\n        |second\n\tthird\n" +
      "Requires-Dist: a (>=1)\n",
  );
  assertEquals(meta.description, "first\n        |second\n\tthird");
  assertEquals(meta.requiresDist, ["a (>=1)"]);
});

Deno.test("garbage is refused with an EnvknitError naming the source", () => {
  const cases: [string | Uint8Array, string][] = [
    ["", "no header fields"],
    ["\x00\x01\x02 binary junk", "no header fields"],
    ["<html><body>404</body></html>", "no header fields"],
    ["Name: x\nVersion: 1\n", "no Metadata-Version field"],
    ["Metadata-Version: 2.1\nVersion: 1\n", "no Name field"],
    ["Metadata-Version: 2.1\nName: x\n", "no Version field"],
    ["Metadata-Version: 2.1\nName: x\nName: y\nVersion: 1\n", "Name appears 2 times"],
    ["Metadata-Version: 2.1\nName: x\nVersion: 1\nVersion: 2\n", "Version appears 2 times"],
    [
      "Metadata-Version: 2.1\nName: x\nVersion: 1\nRequires-Python: >=3\nRequires-Python: <4\n",
      "Requires-Python",
    ],
    ["Metadata-Version: two\nName: x\nVersion: 1\n", "not a version"],
    ["Metadata-Version: 2.1\nName: \nVersion: 1\n", "Name field is empty"],
  ];
  for (const [input, message] of cases) {
    const error = assertThrows(
      () => parseCoreMetadata(input, { source: "x-1.whl" }),
      EnvknitError,
      message,
    );
    assert(error.message.startsWith("x-1.whl"), error.message);
  }
  assertThrows(
    () => parseCoreMetadata("Metadata-Version: 3.0\nName: x\nVersion: 1\n", { source: "m" }),
    EnvknitError,
    "newer than envknit understands",
  );
  assertThrows(
    () => parseCoreMetadata(new Uint8Array(2048), { source: "big", maxBytes: 1024 }),
    EnvknitError,
    "more than the 1024",
  );
  // A repeated field with the same value is harmless.
  assertEquals(
    parseCoreMetadata("Metadata-Version: 2.1\nName: x\nName: x\nVersion: 1\n").name,
    "x",
  );
});

Deno.test("a large document parses in linear time", () => {
  const many = Array.from({ length: 50_000 }, (_, i) => `Requires-Dist: dep${i}>=1`).join("\n");
  const start = performance.now();
  const meta = parseCoreMetadata(
    `Metadata-Version: 2.1\nName: x\nVersion: 1\n${many}\n\n` + "body\n".repeat(100_000),
  );
  assertEquals(meta.requiresDist.length, 50_000);
  assert(performance.now() - start < 2000);
});

Deno.test("keepFields keeps exactly what parseCoreMetadata reads, on every case", () => {
  let compared = 0;
  for (const c of fixture.cases) {
    const text = new TextDecoder().decode(fromBase64(c.input));
    let whole: ReturnType<typeof parseCoreMetadata> | null = null;
    try {
      whole = parseCoreMetadata(text, { source: c.label });
    } catch {
      // refused whole: the kept fields must be refused too (checked below)
    }
    const kept = keepFields(text);
    if (whole === null) {
      let threw = false;
      try {
        parseCoreMetadata(kept, { source: c.label });
      } catch {
        threw = true;
      }
      // Every refusal is about a field envknit reads, so the trimmed text is refused too.
      assert(threw, `${c.label}: refused whole, accepted once trimmed`);
      compared++;
      continue;
    }
    const meta = parseCoreMetadata(kept, { source: c.label });
    for (
      const key of [
        "metadataVersion",
        "name",
        "version",
        "requiresDist",
        "requiresPython",
        "providesExtra",
        "dynamic",
      ] as const
    ) {
      assertEquals(meta[key], whole[key], `${c.label}: ${key}`);
    }
    assert(kept.length <= text.length);
    compared++;
  }
  assert(compared > 150, `${compared} compared`);
});

Deno.test("keepFields drops long fields and continuation lines of dropped fields", () => {
  const text = "Metadata-Version: 2.1\nName: demo\nLicense: MIT\n  " + "line\n  ".repeat(5000) +
    "end\nVersion: 1.0\nRequires-Dist: a>=1\nFrom someone\n continuation of nothing\n" +
    "Requires-Dist: b\n\nbody\nRequires-Dist: not-a-field\n";
  assertEquals(
    keepFields(text),
    "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: a>=1\nRequires-Dist: b\n",
  );
});
