import { parse as parseToml } from "smol-toml";
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  assertThrows,
} from "../../tests/support/assert.ts";
import { buildWheel, type BuiltWheel } from "../../tests/support/wheel_factory.ts";
import { runPython } from "../../tests/support/python.ts";
import { EnvknitError } from "../../core/errors.ts";
import { LOCK_SCHEMA_VERSION, type Lockfile, type LockPackage } from "../lock.ts";
import { exportRequirements } from "./requirements.ts";
import { exportPylock, PYLOCK_NAME } from "./pylock.ts";
import { tomlInline, tomlString } from "./toml.ts";

const INDEX = "https://index.example/simple";

function entry(name: string, wheels: BuiltWheel[], extra: Partial<LockPackage> = {}): LockPackage {
  return {
    name,
    version: wheels[0].version,
    dependencies: [],
    index: INDEX,
    wheels: wheels.map((w) => ({
      file: w.filename,
      url: `https://files.example/${w.filename}`,
      sha256: w.sha256,
      size: w.size,
    })),
    ...extra,
  };
}

/** Real wheels (pip checks them) and a lock of them: demo needs idna; devtool is dev-only. */
async function fixture() {
  const demoAny = await buildWheel({ name: "demo", version: "1.0", requiresDist: ["idna>=3"] });
  // A second file of the same version, for another platform: pip must accept either hash.
  const demoWin = await buildWheel({
    name: "demo",
    version: "1.0",
    tags: ["cp311-cp311-win_amd64"],
    requiresDist: ["idna>=3"],
  });
  const idna = await buildWheel({ name: "idna", version: "3.6", requiresPython: ">=3.5" });
  const devtool = await buildWheel({ name: "devtool", version: "0.3" });
  const lock: Lockfile = {
    schemaVersion: LOCK_SCHEMA_VERSION,
    lockGeneratedAt: "2026-01-01T00:00:00Z",
    resolverVersion: "envknit/test",
    configHash: "0".repeat(64),
    target: { python: "3.11", platform: "manylinux_2_36_x86_64" },
    environments: {
      default: [
        entry("demo", [demoAny, demoWin], { dependencies: ["idna>=3"] }),
        entry("devtool", [devtool], { dev: true }),
        entry("idna", [idna], { requiresPython: ">=3.5" }),
      ],
      empty: [],
    },
  };
  return { lock, wheels: [demoAny, demoWin, idna, devtool] };
}

async function pipDryRun(dir: string, requirements: string) {
  return await runPython(null, [
    "-m",
    "pip",
    "install",
    "--isolated",
    "--disable-pip-version-check",
    "--dry-run",
    "--no-deps",
    "--no-index",
    "--require-hashes",
    "--find-links",
    `${dir}/wheels`,
    "-r",
    requirements,
  ], { allowFailure: true });
}

Deno.test("requirements export: == pins and every wheel's hash; pip's hash-checking mode accepts it", async () => {
  const { lock, wheels } = await fixture();
  const dir = await Deno.makeTempDir({ prefix: "envknit-export-" });
  try {
    await Deno.mkdir(`${dir}/wheels`);
    for (const w of wheels) await Deno.writeFile(`${dir}/wheels/${w.filename}`, w.bytes);

    const text = exportRequirements(lock, { env: "default", dev: false });
    const [demoAny, demoWin, idna] = wheels;
    const demoHashes = [demoAny.sha256, demoWin.sha256].sort();
    assertStringIncludes(
      text,
      `demo==1.0 \\\n    --hash=sha256:${demoHashes[0]} \\\n    --hash=sha256:${demoHashes[1]}\n`,
    );
    assertStringIncludes(text, `idna==3.6 \\\n    --hash=sha256:${idna.sha256}\n`);
    assert(!text.includes("devtool"), "--no-dev leaves dev-only packages out");
    assertMatch(text, /^# Exported by envknit/);

    await Deno.writeTextFile(`${dir}/requirements.txt`, text);
    const ok = await pipDryRun(dir, `${dir}/requirements.txt`);
    assertEquals(ok.code, 0, ok.stderr);
    assertStringIncludes(ok.stdout, "Would install demo-1.0 idna-3.6");

    // With dev packages, and a hash pip must refuse once it is wrong.
    const withDev = exportRequirements(lock, { env: "default", dev: true });
    assertStringIncludes(withDev, "devtool==0.3 \\\n");
    await Deno.writeTextFile(
      `${dir}/tampered.txt`,
      withDev.replace(idna.sha256, "0".repeat(64)),
    );
    const bad = await pipDryRun(dir, `${dir}/tampered.txt`);
    assert(bad.code !== 0, "pip refuses a wrong hash");
    assertStringIncludes(bad.stderr, "DO NOT MATCH THE HASHES");

    assertEquals(
      exportRequirements(lock, { env: "empty", dev: true }).split("\n").filter((l) =>
        !l.startsWith("#")
      ),
      [""],
    );
    assertThrows(() => exportRequirements(lock, { env: "nope", dev: true }), EnvknitError, "nope");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("requirements export refuses a package without wheels", async () => {
  const { lock } = await fixture();
  lock.environments.default[2].wheels = [];
  assertThrows(
    () => exportRequirements(lock, { env: "default", dev: true }),
    EnvknitError,
    "no wheel is locked for idna 3.6",
  );
});

const PYLOCK_CHECK = `
import json, sys, tomllib
data = tomllib.loads(sys.stdin.read())
problems = []
def need(table, key, kind, where):
    if key not in table:
        problems.append(f"{where}: missing {key}")
    elif not isinstance(table[key], kind):
        problems.append(f"{where}: {key} is {type(table[key]).__name__}")
need(data, "lock-version", str, "top")
need(data, "created-by", str, "top")
need(data, "packages", list, "top")
for i, p in enumerate(data.get("packages", [])):
    where = f"packages[{i}]"
    need(p, "name", str, where)
    for key, kind in [("version", str), ("requires-python", str), ("index", str),
                      ("dependencies", list), ("wheels", list)]:
        if key in p:
            need(p, key, kind, where)
    for j, w in enumerate(p.get("wheels", [])):
        need(w, "hashes", dict, f"{where}.wheels[{j}]")
        if "url" not in w and "path" not in w:
            problems.append(f"{where}.wheels[{j}]: neither url nor path")
validated = False
try:
    from packaging.pylock import Pylock
except ImportError:
    pass
else:
    Pylock.from_dict(data)  # raises PylockValidationError when the file breaks the spec
    validated = True
print(json.dumps({"problems": problems, "validated": validated,
                  "names": [p["name"] for p in data["packages"]]}))
`;

Deno.test("pylock export follows PEP 751 (smol-toml, tomllib and packaging.pylock read it back)", async () => {
  const { lock, wheels } = await fixture();
  const dependencies = new Map([["demo", ["idna"]], ["devtool", []], ["idna", []]]);
  const text = exportPylock(lock, { env: "default", dev: true, dependencies });
  const data = parseToml(text) as Record<string, unknown>;
  assertEquals(data["lock-version"], "1.0");
  assertEquals(data["created-by"], "envknit");
  assertEquals(data["requires-python"], "==3.11.*");
  const packages = data.packages as Record<string, unknown>[];
  assertEquals(packages.map((p) => p.name), ["demo", "devtool", "idna"]);
  const [demoAny, demoWin] = wheels;
  const [first, second] = [demoAny, demoWin].sort((a, b) => (a.filename < b.filename ? -1 : 1));
  assertEquals(packages[0], {
    name: "demo",
    version: "1.0",
    dependencies: [{ name: "idna" }],
    index: INDEX,
    wheels: [first, second].map((w) => ({
      name: w.filename,
      url: `https://files.example/${w.filename}`,
      size: w.size,
      hashes: { sha256: w.sha256 },
    })),
  });
  assertEquals(packages[2]["requires-python"], ">=3.5");
  assertEquals((data.tool as Record<string, unknown>).envknit, {
    environment: "default",
    dev: true,
    target: { python: "3.11", platform: "manylinux_2_36_x86_64" },
  });

  const python = await runPython(PYLOCK_CHECK, [], { stdin: text });
  const checked = JSON.parse(python.stdout);
  assertEquals(checked.problems, []);
  assertEquals(checked.names, ["demo", "devtool", "idna"]);
  if (!checked.validated) console.warn("packaging.pylock is not installed: tomllib checks only");

  // Without dev packages; an empty environment still has the required packages key.
  const noDev = parseToml(exportPylock(lock, { env: "default", dev: false, dependencies }));
  assertEquals((noDev.packages as { name: string }[]).map((p) => p.name), ["demo", "idna"]);
  const empty = exportPylock(lock, { env: "empty", dev: true, dependencies: new Map() });
  assertEquals(parseToml(empty).packages, []);
  assertEquals(
    JSON.parse((await runPython(PYLOCK_CHECK, [], { stdin: empty })).stdout).problems,
    [],
  );
});

Deno.test("pylock file names and TOML strings", () => {
  for (const ok of ["pylock.toml", "pylock.dev.toml"]) assert(PYLOCK_NAME.test(ok), ok);
  for (const bad of ["pylock.a.b.toml", "lock.toml", "pylock.TOML", "pylock..toml"]) {
    assert(!PYLOCK_NAME.test(bad), bad);
  }
  const tricky = 'a "quoted" \\ back\nslash\ttab \x7f del \u0001 é';
  assertEquals(parseToml(`x = ${tomlString(tricky)}`).x, tricky);
  assertEquals(
    parseToml(`t = ${tomlInline({ "a key": [1, true, "s"], b: {} })}`).t,
    { "a key": [1, true, "s"], b: {} },
  );
});

/** A multi-target lock (schema 1.2) of real wheels: entries with markers, per-target builds. */
async function targetsFixture() {
  const demo = await buildWheel({ name: "demo", version: "1.0" });
  const native311 = await buildWheel({
    name: "native",
    version: "2.0",
    tags: ["cp311-cp311-manylinux_2_17_x86_64"],
  });
  const nativeWin = await buildWheel({
    name: "native",
    version: "2.0",
    tags: ["cp312-cp312-win_amd64"],
  });
  const capped1 = await buildWheel({ name: "capped", version: "1.0", requiresPython: "<3.12" });
  const capped2 = await buildWheel({ name: "capped", version: "2.0", requiresPython: ">=3.12" });
  const winonly = await buildWheel({ name: "winonly", version: "0.4" });
  const lock: Lockfile = {
    schemaVersion: "1.2",
    lockGeneratedAt: "2026-01-01T00:00:00Z",
    resolverVersion: "envknit/test",
    configHash: "0".repeat(64),
    target: { python: "", platform: "" },
    targets: [
      { python: "3.11", platform: "manylinux_2_17_x86_64", marker: 'python_version == "3.11"' },
      { python: "3.12", platform: "win_amd64", marker: 'python_version == "3.12"' },
    ],
    environments: {
      default: [
        entry("capped", [capped1], { marker: 'python_version == "3.11"' }),
        entry("capped", [capped2], { marker: 'python_version == "3.12"' }),
        entry("demo", [demo], { dependencies: ['winonly ; sys_platform == "win32"'] }),
        entry("native", [native311, nativeWin]),
        entry("winonly", [winonly], { marker: 'sys_platform == "win32"' }),
      ],
    },
  };
  return { lock, wheels: [demo, native311, nativeWin, capped1, capped2, winonly] };
}

Deno.test("requirements export of a multi-target lock: each line keeps its marker, pip installs this machine's", async () => {
  const { lock, wheels } = await targetsFixture();
  const dir = await Deno.makeTempDir({ prefix: "envknit-export-" });
  try {
    await Deno.mkdir(`${dir}/wheels`);
    for (const w of wheels) await Deno.writeFile(`${dir}/wheels/${w.filename}`, w.bytes);
    const text = exportRequirements(lock, { env: "default", dev: true });
    const [, , , capped1, capped2, winonly] = wheels;
    assertStringIncludes(
      text,
      `capped==1.0 ; python_version == "3.11" \\\n    --hash=sha256:${capped1.sha256}\n`,
    );
    assertStringIncludes(
      text,
      `capped==2.0 ; python_version == "3.12" \\\n    --hash=sha256:${capped2.sha256}\n`,
    );
    assertStringIncludes(
      text,
      `winonly==0.4 ; sys_platform == "win32" \\\n    --hash=sha256:${winonly.sha256}\n`,
    );
    assertStringIncludes(
      text,
      "# Locked for Python 3.11 on manylinux_2_17_x86_64; Python 3.12 on win_amd64.",
    );
    await Deno.writeTextFile(`${dir}/requirements.txt`, text);
    // This interpreter is CPython 3.11 on x86_64 Linux: pip takes the entries of that target.
    const ok = await pipDryRun(dir, `${dir}/requirements.txt`);
    assertEquals(ok.code, 0, ok.stderr);
    assertStringIncludes(ok.stdout, "Would install capped-1.0 demo-1.0 native-2.0\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const PYLOCK_SELECT = `
import json, sys, tomllib
from packaging.pylock import Pylock
from packaging.tags import compatible_tags, cpython_tags
data = tomllib.loads(sys.stdin.read())
lock = Pylock.from_dict(data)  # validates against PEP 751
targets = {
    "3.11-linux": ({"python_version": "3.11", "python_full_version": "3.11.9", "sys_platform": "linux",
                    "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
                   ["manylinux_2_17_x86_64", "linux_x86_64"]),
    "3.12-win": ({"python_version": "3.12", "python_full_version": "3.12.4", "sys_platform": "win32",
                  "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
                 ["win_amd64"]),
}
out = {}
for name, (env, platforms) in targets.items():
    version = tuple(int(x) for x in env["python_version"].split("."))
    tags = list(cpython_tags(version, platforms=platforms)) + list(compatible_tags(version, "cp" + "".join(map(str, version)), platforms))
    out[name] = sorted(f"{p.name} {p.version} {w.name}" for p, w in lock.select(environment=env, tags=tags))
print(json.dumps(out))
`;

Deno.test("pylock export of a multi-target lock: environments and package markers, packaging.pylock selects each target's", async () => {
  const { lock, wheels } = await targetsFixture();
  const [demo, native311, nativeWin, capped1, capped2, winonly] = wheels;
  const dependencies = new Map([["demo", ["winonly"]]]);
  const text = exportPylock(lock, { env: "default", dev: true, dependencies });
  const data = parseToml(text) as Record<string, unknown>;
  assertEquals(data.environments, ['python_version == "3.11"', 'python_version == "3.12"']);
  assert(!("requires-python" in data), "the targets say which Pythons");
  const packages = data.packages as Record<string, unknown>[];
  assertEquals(
    packages.map((p) => [p.name, p.version, p.marker ?? null]),
    [
      ["capped", "1.0", 'python_version == "3.11"'],
      ["capped", "2.0", 'python_version == "3.12"'],
      ["demo", "1.0", null],
      ["native", "2.0", null],
      ["winonly", "0.4", 'sys_platform == "win32"'],
    ],
  );
  const selected = JSON.parse((await runPython(PYLOCK_SELECT, [], { stdin: text })).stdout);
  assertEquals(selected, {
    "3.11-linux": [
      `capped 1.0 ${capped1.filename}`,
      `demo 1.0 ${demo.filename}`,
      `native 2.0 ${native311.filename}`,
    ],
    "3.12-win": [
      `capped 2.0 ${capped2.filename}`,
      `demo 1.0 ${demo.filename}`,
      `native 2.0 ${nativeWin.filename}`,
      `winonly 0.4 ${winonly.filename}`,
    ],
  });
});
