import { assert, assertEquals, assertThrows } from "../tests/support/assert.ts";
import { runPython } from "../tests/support/python.ts";
import { interpreterFromTarget } from "../store/tags/mod.ts";
import type { MarkerEnvironment } from "./pep.ts";
import { parseRequirement } from "./pep.ts";
import {
  IndistinguishableTargets,
  markerFor,
  separatingVariables,
  targetMarkers,
} from "./target_markers.ts";

function env(python: string, platform: string): MarkerEnvironment {
  return interpreterFromTarget({ pythonVersion: python, platform }).markers;
}

const FOUR = [
  env("3.11", "manylinux_2_36_x86_64"),
  env("3.13", "manylinux_2_36_x86_64"),
  env("3.12", "win_amd64"),
  env("3.12", "macosx_14_0_arm64"),
];

Deno.test("target markers: the fewest variables that tell the targets apart", () => {
  assertEquals(targetMarkers(FOUR), [
    'python_version == "3.11" and sys_platform == "linux"',
    'python_version == "3.13" and sys_platform == "linux"',
    'python_version == "3.12" and sys_platform == "win32"',
    'python_version == "3.12" and sys_platform == "darwin"',
  ]);
  assertEquals(targetMarkers([FOUR[0], FOUR[1]]), [
    'python_version == "3.11"',
    'python_version == "3.13"',
  ]);
  // One target still names its Python.
  assertEquals(targetMarkers([FOUR[2]]), ['python_version == "3.12"']);
  // Same OS and Python, two CPUs.
  assertEquals(
    targetMarkers([env("3.12", "manylinux_2_28_x86_64"), env("3.12", "manylinux_2_28_aarch64")]),
    ['platform_machine == "x86_64"', 'platform_machine == "aarch64"'],
  );
});

Deno.test("target markers: an entry's marker, none when it applies everywhere", () => {
  assertEquals(markerFor(FOUR, [0, 1, 2, 3]), null);
  assertEquals(markerFor(FOUR, [2]), 'sys_platform == "win32"');
  assertEquals(markerFor(FOUR, [0, 1]), 'sys_platform == "linux"');
  assertEquals(markerFor(FOUR, [2, 3]), 'python_version == "3.12"');
  assertEquals(markerFor(FOUR, [0, 1, 2]), 'sys_platform == "linux" or sys_platform == "win32"');
  assertEquals(
    markerFor(FOUR, [0, 2]),
    '(python_version == "3.11" and sys_platform == "linux") or ' +
      '(python_version == "3.12" and sys_platform == "win32")',
  );
  // Against a smaller universe (a dependency among its entry's targets).
  assertEquals(markerFor(FOUR, [2], [2, 3]), 'sys_platform == "win32"');
  assertEquals(markerFor(FOUR, [2, 3], [2, 3]), null);
  assertThrows(() => markerFor(FOUR, []), RangeError);
});

Deno.test("target markers: common values are factored out", () => {
  const envs = [
    env("3.11", "manylinux_2_28_x86_64"),
    env("3.12", "manylinux_2_28_x86_64"),
    env("3.13", "manylinux_2_28_x86_64"),
    env("3.11", "manylinux_2_28_aarch64"),
    env("3.12", "manylinux_2_28_aarch64"),
  ];
  assertEquals(
    markerFor(envs, [0, 2]),
    'platform_machine == "x86_64" and (python_version == "3.11" or python_version == "3.13")',
  );
  assertEquals(separatingVariables(envs, [0, 2], [1, 3, 4]), [
    "python_version",
    "platform_machine",
  ]);
});

Deno.test("target markers: two targets with one environment cannot be told apart", () => {
  const same = [env("3.12", "manylinux_2_17_x86_64"), env("3.12", "manylinux_2_36_x86_64")];
  const error = assertThrows(() => targetMarkers(same), IndistinguishableTargets);
  assertEquals([error.first, error.second], [0, 1]);
  assertThrows(() => markerFor(same, [0]), IndistinguishableTargets);
});

Deno.test("target markers: packaging agrees, on generated target sets and subsets", async () => {
  const pythons = ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"];
  const platforms = [
    "manylinux_2_17_x86_64",
    "manylinux_2_28_aarch64",
    "musllinux_1_2_x86_64",
    "win_amd64",
    "win32",
    "win_arm64",
    "macosx_14_0_arm64",
    "macosx_11_0_x86_64",
  ];
  let seed = 17;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const cases: { marker: string; envs: MarkerEnvironment[]; expect: boolean[] }[] = [];
  for (let round = 0; round < 300; round++) {
    const pool = new Map<string, MarkerEnvironment>();
    const size = 2 + rand(6);
    while (pool.size < size) {
      const python = pythons[rand(pythons.length)];
      const platform = platforms[rand(platforms.length)];
      pool.set(`${python} ${platform}`, env(python, platform));
    }
    const envs = [...pool.values()];
    // A target set the lock accepts: markers can tell every target from every other.
    try {
      targetMarkers(envs);
    } catch {
      continue;
    }
    const all = envs.map((_, i) => i);
    const universe = all.filter(() => rand(4) > 0);
    if (universe.length === 0) continue;
    const subset = universe.filter(() => rand(2) === 0);
    if (subset.length === 0) continue;
    const marker = markerFor(envs, subset, universe);
    if (marker === null) {
      assertEquals(subset, universe);
      continue;
    }
    // Written in the normal form the resolver (and packaging) print.
    assertEquals(parseRequirement(`x ; ${marker}`).marker, marker);
    cases.push({
      marker,
      envs: universe.map((i) => envs[i]),
      expect: universe.map((i) => subset.includes(i)),
    });
  }
  for (const [i, marker] of targetMarkers(FOUR).entries()) {
    cases.push({ marker, envs: FOUR, expect: FOUR.map((_, j) => j === i) });
  }
  assert(cases.length > 150, `${cases.length}`);
  const out = await runPython(
    "import json, sys\n" +
      "from packaging.markers import Marker\n" +
      "cases = json.load(sys.stdin)\n" +
      "print(json.dumps([[Marker(c['marker']).evaluate(e) for e in c['envs']] for c in cases]))",
    [],
    { stdin: JSON.stringify(cases) },
  );
  const answers = JSON.parse(out.stdout) as boolean[][];
  const wrong = cases.filter((c, i) => JSON.stringify(answers[i]) !== JSON.stringify(c.expect));
  assertEquals(wrong, []);
});
