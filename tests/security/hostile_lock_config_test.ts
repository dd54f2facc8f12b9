// Regression (issue #14.9, and #14.5 for the runtime): a lock or an envknit.yaml is input from
// anyone's pull request. Hostile values are one `error:` line naming the field, the store
// unchanged, nothing read or written outside it; YAML alias bombs fail fast in the tool and in
// the Python runtime's lock reader.
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { startIndex } from "../support/index_server.ts";
import { buildWheel } from "../support/wheel_factory.ts";
import { PYTHON } from "../support/python.ts";
import { makeProject, writeTestLock } from "../e2e/install_support.ts";
import { configText } from "../e2e/lock_support.ts";
import { assertRefused, envknit } from "./support.ts";

const root = new URL("../../", import.meta.url).pathname;

/** A lock in the tool's layout with one package whose fields `patch` changes. */
function lockText(pkg: Record<string, string>): string {
  const p = {
    name: '"good"',
    version: '"1.0"',
    file: '"good-1.0-py3-none-any.whl"',
    url: '"https://example.invalid/good-1.0-py3-none-any.whl"',
    sha256: `"${"a".repeat(64)}"`,
    size: "100",
    ...pkg,
  };
  return [
    'schema_version: "1.1"',
    'lock_generated_at: "2026-01-01T00:00:00Z"',
    'resolver_version: "envknit/test"',
    'config_hash: ""',
    'target: {python: "3.11", platform: "manylinux_2_36_x86_64"}',
    "environments:",
    "  default:",
    `    - name: ${p.name}`,
    `      version: ${p.version}`,
    "      dependencies: []",
    "      wheels:",
    `        - {file: ${p.file}, url: ${p.url}, sha256: ${p.sha256}, size: ${p.size}}`,
    "",
  ].join("\n");
}

const HOSTILE_LOCKS: { name: string; pkg: Record<string, string>; error: RegExp }[] = [
  { name: "a package name that is a path", pkg: { name: '"/tmp/x"' }, error: /name/ },
  { name: "a package name climbing up", pkg: { name: '"../../etc"' }, error: /name/ },
  { name: "a version that is a path", pkg: { version: '"1.0/../../x"' }, error: /version/ },
  { name: "a sha256 that is not hex", pkg: { sha256: `"${"z".repeat(64)}"` }, error: /sha256/ },
  { name: "a short sha256", pkg: { sha256: '"abcd"' }, error: /sha256/ },
  { name: "a wheel file name climbing up", pkg: { file: '"../../x.whl"' }, error: /file|wheel/ },
  { name: "a negative size", pkg: { size: "-5" }, error: /size/ },
  { name: "a size that is not a number", pkg: { size: '"big"' }, error: /size/ },
  { name: "a 300-character name", pkg: { name: `"${"a".repeat(300)}"` }, error: /name/ },
];

for (const c of HOSTILE_LOCKS) {
  Deno.test(`hostile lock: ${c.name} is one clean error`, async () => {
    await using p = await makeProject();
    await Deno.mkdir(p.home, { recursive: true });
    await Deno.writeTextFile(p.lockPath, lockText(c.pkg));
    for (const command of [["install"], ["verify"], ["fetch", "--dest", `${p.dir}/wheels`]]) {
      const line = await assertRefused(
        command,
        { cwd: p.project, env: p.env, home: p.home },
        /^error: /,
      );
      assertMatch(line, c.error);
    }
  });
}

Deno.test("hostile lock: a wheel URL with a scheme other than https/http/file is refused", async () => {
  await using p = await makeProject();
  await Deno.mkdir(p.home, { recursive: true });
  for (const url of ["javascript:alert(1)", "ftp://example.invalid/good-1.0-py3-none-any.whl"]) {
    await Deno.writeTextFile(p.lockPath, lockText({ url: JSON.stringify(url) }));
    await assertRefused(["install"], { cwd: p.project, env: p.env, home: p.home }, /^error: /);
  }
});

Deno.test("hostile lock: a YAML alias bomb fails fast in the tool", async () => {
  await using p = await makeProject();
  await Deno.mkdir(p.home, { recursive: true });
  const lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 10; i++) {
    lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(",")}]`);
  }
  lines.push("environments: {default: *a9}");
  await Deno.writeTextFile(p.lockPath, lines.join("\n") + "\n");
  const started = Date.now();
  await assertRefused(["install"], { cwd: p.project, env: p.env, home: p.home }, /^error: /);
  assert(Date.now() - started < 30_000);
});

/**
 * Regression of #14.5 (commit d231235): the Python runtime reads a lock with its exact reader, or
 * through PyYAML with caps: an alias bomb is one LockFileError in well under a second of work,
 * never minutes and gigabytes.
 */
Deno.test("hostile lock: a YAML alias bomb fails fast in the runtime's reader", async () => {
  const lines = ['schema_version: "1.1"', 'a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 12; i++) {
    lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(",")}]`);
  }
  lines.push("environments: {default: *a11}");
  const script = [
    "import sys, time",
    `sys.path.insert(0, ${JSON.stringify(`${root}runtime_py`)})`,
    "from envknit.lock import parse_lock",
    "from envknit.errors import LockFileError",
    "text = sys.stdin.read()",
    "t = time.monotonic()",
    "try:",
    "    parse_lock(text)",
    "    print('ACCEPTED')",
    "except LockFileError as e:",
    "    print('REFUSED', round(time.monotonic() - t, 3), str(e).splitlines()[0])",
  ].join("\n");
  const child = new Deno.Command(PYTHON, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  await writer.close();
  const timer = setTimeout(() => child.kill(), 120_000);
  const out = await child.output();
  clearTimeout(timer);
  const text = new TextDecoder().decode(out.stdout);
  assert(out.success, new TextDecoder().decode(out.stderr));
  assert(text.startsWith("REFUSED "), text);
  const seconds = Number(text.split(" ")[1]);
  assert(seconds < 20, `took ${seconds} s`);
});

const HOSTILE_CONFIGS: { name: string; text: (index: string) => string; error: RegExp }[] = [
  {
    name: "an index URL with another scheme",
    text: () => configText("ftp://example.invalid/simple/", { default: { packages: ["good"] } }),
    error: /url|scheme|ftp/i,
  },
  {
    name: "a requirement with shell characters",
    text: (index) => configText(index, { default: { packages: ["good; rm -rf ~ $(id)"] } }),
    error: /requirement|invalid|good/i,
  },
  {
    name: "an environment name that is a path",
    text: (index) => configText(index, { "../escape": { packages: ["good"] } }),
    error: /environment name/,
  },
  {
    name: "a python_version that is not one",
    text: (index) => configText(index, { default: { packages: ["good"], python: "3.11; ls" } }),
    error: /python_version|version/,
  },
  {
    name: "an unknown key",
    text: (index) => configText(index, { default: { packages: ["good"] } }) + "evil: true\n",
    error: /evil/,
  },
];

for (const c of HOSTILE_CONFIGS) {
  Deno.test(`hostile envknit.yaml: ${c.name} is one clean error`, async () => {
    const good = await buildWheel({ name: "good", version: "1.0" });
    await using index = await startIndex({ projects: { good: [good] } });
    await using p = await makeProject();
    await Deno.mkdir(p.home, { recursive: true });
    await writeTestLock(p.lockPath, { default: [{ wheels: [good] }] }, index);
    await Deno.writeTextFile(`${p.project}/envknit.yaml`, c.text(index.url));
    const r = await envknit(["lock"], { cwd: p.project, env: p.env });
    assertEquals(r.code === 1 || r.code === 2, true, r.stderr);
    const line = r.stderr.split("\n").filter((l) => l.startsWith("error:"));
    assertEquals(line.length, 1, r.stderr);
    assertMatch(line[0], c.error);
    assert(!r.stderr.includes("internal error"), r.stderr);
  });
}
