/**
 * The packages of seed 004 (`../shared/seeds/004_*`: `dep_a` needs `tabular` 1.x, `dep_b` needs
 * `tabular` 2.x) as real wheels for the CLI tests, with the sources the runtime's tests use
 * (`runtime_py/tests/support/islands_factory.py`: submodules, relative imports, module state, a
 * lazily imported subpackage, metadata), read from that file so both suites test one shape.
 *
 * @module
 */
import { buildWheel, type BuiltWheel } from "./wheel_factory.ts";
import { PYTHON } from "./python.ts";

const SUPPORT = new URL("../../runtime_py/tests/", import.meta.url).pathname;

/** Project name → its files per version, from islands_factory.py. */
async function sources(): Promise<Record<string, Record<string, Record<string, string>>>> {
  const code = `
import json, sys
sys.path.insert(0, ${JSON.stringify(SUPPORT)})
from support import islands_factory as f
tab = lambda v: {"tabular/__init__.py": f.TABULAR_INIT.format(v=v), "tabular/core.py": f.TABULAR_CORE.format(v=v),
    "tabular/util.py": f.TABULAR_UTIL, "tabular/formats/__init__.py": f.TABULAR_FORMATS_INIT,
    "tabular/formats/csv.py": f.TABULAR_CSV, "tabular/formats/json.py": f.TABULAR_JSON}
print(json.dumps({
    "tabular": {"1.4.0": tab("1.4.0"), "2.1.0": tab("2.1.0")},
    "dep_a": {"1.0": {"dep_a/__init__.py": f.DEP.format(name="dep_a")}},
    "dep_b": {"1.0": {"dep_b/__init__.py": f.DEP.format(name="dep_b")}},
    "formats": {"3.0": {"formats/__init__.py": f.FORMATS}},
    "common": {"1.0": {"common/__init__.py": f.COMMON}},
}))`;
  const out = await new Deno.Command(PYTHON, { args: ["-c", code], stdout: "piped" }).output();
  if (!out.success) throw new Error("cannot read islands_factory.py");
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** What {@link seedWheels} may change. */
export interface SeedOptions {
  /** Build `formats` (which depends on `tabular`) as a wheel with compiled code. */
  compiledFormats?: boolean;
  /** Build `tabular` as a wheel with compiled code. */
  compiledTabular?: boolean;
}

/** A platform tag of this machine (`linux_x86_64`), for wheels that are not pure. */
async function platformTag(): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: [
      "-c",
      "import sysconfig; print(sysconfig.get_platform().replace('-', '_').replace('.', '_'))",
    ],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim();
}

/** The seed's wheels by project name (`tabular` has two versions), ready for `startIndex`. */
export async function seedWheels(options: SeedOptions = {}): Promise<Record<string, BuiltWheel[]>> {
  const files = await sources();
  const requires: Record<string, string[]> = {
    dep_a: ["tabular<2", "formats", "common"],
    dep_b: ["tabular>=2", "formats", "common"],
    formats: ["tabular"],
  };
  const compiled = new Set([
    ...(options.compiledFormats ? ["formats"] : []),
    ...(options.compiledTabular ? ["tabular"] : []),
  ]);
  const platform = compiled.size ? await platformTag() : "";
  const out: Record<string, BuiltWheel[]> = {};
  for (const [name, versions] of Object.entries(files)) {
    out[name] = [];
    for (const [version, tree] of Object.entries(versions)) {
      const pkgFiles: Record<string, string | Uint8Array> = { ...tree };
      if (compiled.has(name)) pkgFiles[`${name}/_speed.so`] = new TextEncoder().encode("not ELF");
      out[name].push(
        await buildWheel({
          name,
          version,
          files: pkgFiles,
          requiresDist: requires[name],
          tags: compiled.has(name) ? [`py3-none-${platform}`] : undefined,
        }),
      );
    }
  }
  return out;
}
