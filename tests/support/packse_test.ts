// The packse loader is checked against an independent reading of the same files by Python's
// tomllib (with the README's defaults applied there), and its wheels against `packaging`.
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import {
  loadScenario,
  loadScenarios,
  packse,
  parseScenario,
  prefixRequirement,
  requiresDist,
  ScenarioError,
  scenarioFiles,
  SCENARIOS_DIR,
} from "./packse.ts";
import { runPython } from "./python.ts";

// Python applies the README's defaults on its own; the result must equal the loader's.
const PYTHON_VIEW = `
import json, pathlib, sys, tomllib
root = pathlib.Path(sys.argv[1])
out = []
def category(p):
    return "" if p.parent == root else str(p.parent.relative_to(root))
for path in sorted(root.rglob("*.toml"), key=lambda p: (category(p), str(p))):
    d = tomllib.loads(path.read_text())
    env = d.get("environment", {})
    opts = d.get("resolver_options", {})
    exp = d["expected"]
    pkgs = {}
    for name, pkg in d.get("packages", {}).items():
        pkgs[name] = {}
        for v, info in pkg.get("versions", {}).items():
            pkgs[name][v] = {"version": v, "requires": info.get("requires", []),
                "extras": info.get("extras", {}),
                "requiresPython": info.get("requires_python", ">=3.12"),
                "wheel": info.get("wheel", True), "sdist": info.get("sdist", True),
                "wheelTags": info.get("wheel_tags", ["py3-none-any"]),
                "yanked": info.get("yanked", False)}
    out.append({"name": d.get("name", path.stem),
        "category": "" if path.parent == root else str(path.parent.relative_to(root)),
        "path": str(path), "description": d.get("description", ""),
        "root": {"requires": d["root"].get("requires", []),
                 "requiresPython": d["root"].get("requires_python")},
        "packages": pkgs,
        "environment": {"python": env.get("python", "3.12"),
                        "additionalPython": env.get("additional_python", [])},
        "resolverOptions": {"prereleases": opts.get("prereleases"),
            "noBinary": opts.get("no_binary", []), "noBuild": opts.get("no_build", []),
            "python": opts.get("python"), "pythonPlatform": opts.get("python_platform"),
            "universal": opts.get("universal", False),
            "requiredEnvironments": opts.get("required_environments", [])},
        "expected": {"satisfiable": exp["satisfiable"], "packages": exp.get("packages"),
                     "explanation": exp.get("explanation")}})
print(json.dumps(out))
`;

packse.test("loadScenarios reads every scenario as Python's tomllib does, defaults applied", async () => {
  const ours = await loadScenarios();
  const python = JSON.parse((await runPython(PYTHON_VIEW, [SCENARIOS_DIR])).stdout);
  assertEquals(ours.length, python.length);
  assert(ours.length > 100, `only ${ours.length} scenarios found in ${SCENARIOS_DIR}`);
  // Both lists are in the same order: compare one by one for readable failures.
  for (let i = 0; i < ours.length; i++) assertEquals(ours[i], python[i], ours[i].path);
  const categories = new Set(ours.map((s) => s.category));
  for (const c of ["fork", "extras", "yanked", "wheels", "prereleases"]) {
    assert(categories.has(c), c);
  }
});

Deno.test("README defaults apply, explicit values win", () => {
  const s = parseScenario(
    `
name = "defaults"
[root]
requires = ["a"]
[expected]
satisfiable = true
[packages.a.versions."1.0"]
[packages.b.versions."2.0"]
requires_python = ">=3.8"
wheel = false
sdist = true
wheel_tags = ["cp312-abi3-win_amd64"]
yanked = true
requires = ["c>1"]
[packages.b.versions."2.0".extras]
fast = ["d ; sys_platform == 'linux'"]
`,
    "/x/cat/defaults.toml",
    "cat",
  );
  assertEquals(s.packages.a["1.0"], {
    version: "1.0",
    requires: [],
    extras: {},
    requiresPython: ">=3.12",
    wheel: true,
    sdist: true,
    wheelTags: ["py3-none-any"],
    yanked: false,
  });
  assertEquals(s.packages.b["2.0"].requiresPython, ">=3.8");
  assertEquals(s.packages.b["2.0"].wheel, false);
  assertEquals(s.packages.b["2.0"].yanked, true);
  assertEquals(s.environment, { python: "3.12", additionalPython: [] });
  assertEquals(s.expected, { satisfiable: true, packages: null, explanation: null });
  assertEquals(s.resolverOptions.universal, false);
  assertEquals(s.category, "cat");
  assertEquals(requiresDist(s.packages.b["2.0"], "p-"), [
    "p-c>1",
    `p-d ; (sys_platform == 'linux') and extra == "fast"`,
  ]);
});

Deno.test("malformed scenarios are refused with the file and the place", async () => {
  const base = `[root]\nrequires = []\n[expected]\nsatisfiable = true\n`;
  assertThrows(
    () => parseScenario(base + `[packages.a.versions."1"]\nwheels = false\n`, "/s.toml"),
    ScenarioError,
    `/s.toml: [packages.a.versions."1"]: unknown key "wheels"`,
  );
  assertThrows(
    () => parseScenario(base + `[packages.a.versions."1"]\nrequires = "b"\n`, "/s.toml"),
    ScenarioError,
    "must be a list of strings",
  );
  assertThrows(() => parseScenario(`[root]\nrequires = []\n`, "/s.toml"), ScenarioError);
  assertThrows(() => parseScenario(`this is = not toml =`, "/s.toml"), ScenarioError);
  await assertRejects(() => loadScenario("/nonexistent/x.toml"));
  const json = parseScenario(
    JSON.stringify({ name: "j", root: { requires: ["a"] }, expected: { satisfiable: false } }),
    "/d/j.json",
  );
  assertEquals(json.root.requires, ["a"]);
});

Deno.test("prefixRequirement renames only the project", () => {
  assertEquals(prefixRequirement("a", "p-"), "p-a");
  assertEquals(prefixRequirement("a[x,y]>=1 ; extra == 'a'", "p-"), "p-a[x,y]>=1 ; extra == 'a'");
  assertEquals(prefixRequirement("  b-c.d==2", "s1_"), "  s1_b-c.d==2");
  assertEquals(
    prefixRequirement("win-only; sys_platform == 'win32'", ""),
    "win-only; sys_platform == 'win32'",
  );
});

packse.test("scenario files: wheels per tag, sdists, yanked, metadata valid for packaging", async () => {
  const all = await loadScenarios();
  const byName = new Map(all.map((s) => [s.name, s]));
  const extras = await scenarioFiles(byName.get("all-extras-required")!, { prefix: "x-" });
  assertEquals(extras.requires, ["x-a[all]"]);
  assertEquals(extras.expected, { "x-a": "1.0.0", "x-b": "1.0.0", "x-c": "1.0.0" });
  assertEquals(extras.name("b"), "x-b");
  assertEquals(
    extras.projects["x-a"].map((f) => f.filename),
    ["x_a-1.0.0-py3-none-any.whl", "x_a-1.0.0.tar.gz"],
  );

  // Every scenario's files: Requires-Dist must parse, filenames must parse, yanked as declared.
  const metadata: string[] = [];
  const filenames: string[] = [];
  let yanked = 0;
  let sdistOnly = 0;
  const started = performance.now();
  for (const scenario of all) {
    const files = await scenarioFiles(scenario, { prefix: "t-" });
    for (const [project, list] of Object.entries(files.projects)) {
      for (const file of list) {
        assert(file.name === project);
        if (file.filename.endsWith(".whl")) {
          filenames.push(file.filename);
          metadata.push(file.metadata!);
        }
        if (file.yanked) yanked++;
      }
      const versions = scenario.packages[project.slice(2)];
      for (const v of Object.values(versions)) {
        if (!v.wheel && v.sdist) sdistOnly++;
      }
    }
  }
  assert(performance.now() - started < 3000, "building every scenario's files must be fast");
  assert(yanked > 0 && sdistOnly > 0);
  const py = await runPython(
    `
import json, sys
from packaging.metadata import Metadata
from packaging.utils import parse_wheel_filename
d = json.loads(sys.stdin.read())
for f in d["filenames"]:
    parse_wheel_filename(f)
for text in d["metadata"]:
    Metadata.from_email(text, validate=True)
print(len(d["filenames"]))
`,
    [],
    { stdin: JSON.stringify({ filenames, metadata }) },
  );
  assertEquals(Number(py.stdout), filenames.length);

  // A version with several wheel tags and no sdist.
  const scenario = all.find((s) =>
    Object.values(s.packages).some((vs) =>
      Object.values(vs).some((v) => v.wheelTags.length > 3 && !v.sdist)
    )
  )!;
  const files = await scenarioFiles(scenario);
  const [name, versions] = Object.entries(scenario.packages).find(([, vs]) =>
    Object.values(vs).some((v) => v.wheelTags.length > 3 && !v.sdist)
  )!;
  const version = Object.values(versions).find((v) => v.wheelTags.length > 3)!;
  const listed = files.projects[name].filter((f) => f.version === version.version);
  assertEquals(listed.length, version.wheelTags.length);
  assert(listed.every((f) => f.filename.endsWith(".whl")));
});
