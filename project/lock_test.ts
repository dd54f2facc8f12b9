import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../tests/support/assert.ts";
import { EnvknitError } from "../core/errors.ts";
import { type Lockfile, parseLock, readLock, serializeLock, writeLock } from "./lock.ts";

const SHA = "a".repeat(64);

function sample(): Lockfile {
  return {
    schemaVersion: "1.1",
    lockGeneratedAt: "2026-11-21T10:30:00Z",
    resolverVersion: "envknit/0.1.0",
    configHash: "c".repeat(64),
    target: { python: "3.11", platform: "manylinux_2_36_x86_64" },
    environments: {
      legacy: [],
      default: [
        {
          name: "requests",
          version: "2.31.0",
          dependencies: ["charset-normalizer<4,>=2", "idna<4,>=2.5"],
          requiresPython: ">=3.7",
          index: "https://pypi.org/simple",
          wheels: [{
            file: "requests-2.31.0-py3-none-any.whl",
            url: "https://files/requests.whl",
            sha256: SHA,
            size: 62574,
          }],
        },
        {
          name: "idna",
          version: "3.6",
          dependencies: [],
          dev: true,
          wheels: [{
            file: "idna-3.6-py3-none-any.whl",
            url: "https://files/idna.whl",
            sha256: SHA,
          }],
        },
      ],
    },
  };
}

Deno.test("a lock survives a write/read round trip, sorted by environment and name", async () => {
  const text = serializeLock(sample());
  const back = await parseLock(text, "envknit.lock.yaml");
  assertEquals(Object.keys(back.environments), ["default", "legacy"]);
  assertEquals(back.environments.default.map((p) => p.name), ["idna", "requests"]);
  assertEquals(back.environments.default[1], sample().environments.default[0]);
  assertEquals(back.environments.default[0].dev, true);
  assertEquals(serializeLock(back), text);
});

Deno.test("serialization matches the DESIGN.md layout: flow lists of deps, one line per wheel", () => {
  const text = serializeLock(sample());
  assertStringIncludes(text, `schema_version: "1.1"\n`);
  assertStringIncludes(text, `target: {python: "3.11", platform: "manylinux_2_36_x86_64"}\n`);
  assertStringIncludes(text, `      dependencies: ["charset-normalizer<4,>=2", "idna<4,>=2.5"]\n`);
  assertStringIncludes(
    text,
    `        - {file: "requests-2.31.0-py3-none-any.whl", url: "https://files/requests.whl", sha256: "${SHA}", size: 62574}\n`,
  );
  assertStringIncludes(text, "  legacy: []\n");
});

Deno.test("a newer major schema is refused with a hint to upgrade; unknown fields are ignored", async () => {
  const newer = serializeLock(sample()).replace(`"1.1"`, `"2.0"`);
  const err = await assertRejects(
    () => parseLock(newer, "x.lock"),
    EnvknitError,
    "newer than this envknit",
  );
  assertStringIncludes(err.hints.join(" "), "upgrade envknit");
  const future = serializeLock(sample()).replace(`"1.1"`, `"1.9"`) + "future_field: {a: 1}\n";
  assertEquals((await parseLock(future, "x")).environments.default.length, 2);
});

Deno.test("hostile values that would become paths or URLs are refused with the field named", async () => {
  const base = serializeLock(sample());
  const cases: [string, string][] = [
    [base.replace(`name: "idna"`, `name: "../../etc"`), "name"],
    [base.replace(`version: "3.6"`, `version: "3.6/../../x"`), "version"],
    [base.replace(`sha256: "${SHA}"`, `sha256: "zz"`), "sha256"],
    [base.replace(`file: "idna-3.6-py3-none-any.whl"`, `file: "../idna.whl"`), "file"],
    [base.replace(`url: "https://files/idna.whl"`, `url: "javascript:alert(1)"`), "url"],
    [base.replace(`  default:\n`, `  "../x":\n`), "environment name"],
  ];
  for (const [text, field] of cases) {
    const err = await assertRejects(() => parseLock(text, "evil.lock"), EnvknitError);
    assertStringIncludes(err.message, "evil.lock: ");
    assertStringIncludes(err.message, field);
  }
});

Deno.test("corrupt YAML names the file, line and column", async () => {
  const err = await assertRejects(
    () => parseLock('schema_version: "1.1"\nenvironments: [\n', "bad.lock"),
    EnvknitError,
  );
  assertStringIncludes(err.message, "bad.lock:");
  assert(/bad\.lock:\d+:\d+: invalid YAML/.test(err.message), err.message);
});

Deno.test("writeLock is atomic and keeps the file byte-identical when only the timestamp differs", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/envknit.lock.yaml`;
    assert(await writeLock(path, sample()));
    const first = await Deno.readTextFile(path);
    const again = { ...sample(), lockGeneratedAt: "2030-01-01T00:00:00Z" };
    assertEquals(await writeLock(path, again), false);
    assertEquals(await Deno.readTextFile(path), first);
    const changed = sample();
    changed.environments.default[0].version = "3.7";
    assert(await writeLock(path, changed));
    assertEquals(
      (await readLock(path)).environments.default.find((p) => p.name === "requests")?.version,
      "3.7",
    );
    // No temp files are left behind.
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["envknit.lock.yaml"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reading a missing lock says to run envknit lock", async () => {
  const err = await assertRejects(
    () => readLock("/nonexistent/envknit.lock.yaml"),
    EnvknitError,
    "no lock file",
  );
  assertStringIncludes(err.hints[0], "envknit lock");
});

Deno.test("a multi-target lock (schema 1.2): targets and markers are written, read back exactly, and through YAML", async () => {
  const lock = sample();
  lock.schemaVersion = "1.2";
  lock.target = { python: "", platform: "" };
  lock.targets = [
    { python: "3.11", platform: "manylinux_2_36_x86_64", marker: 'python_version == "3.11"' },
    { python: "3.12", platform: "win_amd64", marker: 'python_version == "3.12"' },
  ];
  lock.environments.default[0].marker = 'python_version == "3.12"';
  lock.environments.default[0].dependencies = ['colorama ; sys_platform == "win32"'];
  const text = serializeLock(lock);
  assertStringIncludes(
    text,
    '\ntargets:\n  - {python: "3.11", platform: "manylinux_2_36_x86_64", ',
  );
  assert(!text.includes("\ntarget:"), "a multi-target lock has no target line");
  assertStringIncludes(text, '      marker: "python_version == \\"3.12\\""\n');
  const back = await parseLock(text, "envknit.lock.yaml");
  assertEquals(back.targets, lock.targets);
  assertEquals(
    back.environments.default.find((p) => p.name === "requests")?.marker,
    'python_version == "3.12"',
  );
  assertEquals(serializeLock(back), text);
  // The same lock in another layout goes through the YAML parser, with the same result.
  const other = text.replace("targets:\n", "targets:  # edited\n");
  assertEquals(await parseLock(other, "envknit.lock.yaml"), back);
  await assertRejects(
    () => parseLock(text.replace(', marker: "python_version == \\"3.11\\""', ""), "l.yaml"),
    EnvknitError,
    "targets[0].marker: expected a string",
  );
});

Deno.test("islands: entries' island and per_island and the islands of each environment round-trip, exact reader and YAML alike (#16.3)", async () => {
  const lock = sample();
  lock.schemaVersion = "1.2";
  const wheel = (
    n: string,
  ) => [{ file: `${n}-py3-none-any.whl`, url: `https://f/${n}`, sha256: SHA }];
  lock.environments.default.push(
    { name: "tabular", version: "1.4.0", island: [0], dependencies: [], wheels: wheel("t1") },
    { name: "tabular", version: "2.1.0", island: [1], dependencies: [], wheels: wheel("t2") },
    {
      name: "formats",
      version: "3.0",
      perIsland: true,
      dependencies: ["tabular"],
      wheels: wheel("f"),
    },
  );
  lock.islands = { default: [{ roots: ["requests", "formats"] }, { roots: ["dep-b"] }] };
  const text = serializeLock(lock);
  assertStringIncludes(text, "      island: [1]\n");
  assertStringIncludes(text, "      per_island: true\n");
  assertStringIncludes(
    text,
    'islands:\n  default:\n    - {roots: ["requests", "formats"]}\n    - {roots: ["dep-b"]}\n',
  );
  const { readCanonicalLock } = await import("./lock_text.ts");
  assert(readCanonicalLock(text) !== null, "the exact reader reads the islands");
  const back = await parseLock(text, "l.yaml");
  assertEquals(back.islands, lock.islands);
  const tabular = back.environments.default.filter((p) => p.name === "tabular");
  assertEquals(tabular.map((p) => [p.version, p.island]), [["1.4.0", [0]], ["2.1.0", [1]]]);
  assertEquals(back.environments.default.find((p) => p.name === "formats")!.perIsland, true);
  assertEquals(serializeLock(back), text);
  // The YAML parser (a lock edited by hand) reads the same.
  const yaml = await parseLock(text.replace("# envknit", "#  envknit") + "# edited\n", "l.yaml");
  assertEquals(yaml.islands, lock.islands);
  assertEquals(yaml.environments, back.environments);
  // A lock without islands has no islands member and is written as before.
  assertEquals((await parseLock(serializeLock(sample()), "l.yaml")).islands, undefined);
  assert(!serializeLock(sample()).includes("island"));
  // An entry naming an island its environment does not have is refused, naming the field.
  const bad = text.replace("      island: [1]\n", "      island: [2]\n");
  const error = await assertRejects(() => parseLock(bad, "l.yaml"), EnvknitError);
  assertStringIncludes(error.message, "(tabular).island");
  await assertRejects(
    () => parseLock(text.replace("      island: [1]\n", "      island: [1, 0]\n"), "l.yaml"),
    EnvknitError,
  );
});
