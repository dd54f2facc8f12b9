import {
  assert,
  assertEquals,
  assertNotEquals,
  assertRejects,
  assertStringIncludes,
} from "../tests/support/assert.ts";
import { EnvknitError } from "../core/errors.ts";
import {
  configHash,
  findConfig,
  initialConfigText,
  loadProject,
  parseConfig,
  saveConfig,
} from "./config.ts";

const EXAMPLE = `envknit_version: "0.1.0"
index:                      # optional
  url: https://pypi.org/simple
  extra_urls: []
  find_links: [wheels, /abs/wheels]
environments:
  default:
    python_version: "3.11"  # optional target
    packages: [requests>=2.28, "click>=8,<9"]
    dev_packages: [pytest]
  legacy:
    packages:
      - "requests==2.28.1"
      - {name: PyYAML, version: "6.0", extras: [libyaml]}
      - {name: rich, version: ">=13"}
      - {name: attrs}
`;

Deno.test("the DESIGN.md example parses into environments and index settings", async () => {
  const c = await parseConfig(EXAMPLE, "/proj/envknit.yaml");
  assertEquals(c.dir, "/proj");
  assertEquals(c.index.url, "https://pypi.org/simple");
  assertEquals(c.index.findLinks, ["/proj/wheels", "/abs/wheels"]);
  const { requirementsWhere, ...env } = c.environments.default;
  assertEquals(env, {
    name: "default",
    pythonVersion: "3.11",
    packages: ["requests>=2.28", "click>=8,<9"],
    devPackages: ["pytest"],
  });
  // Each requirement's place, for the lock's "invalid requirement" error.
  assertEquals(requirementsWhere?.["click>=8,<9"], "/proj/envknit.yaml:9:32");
  assertEquals(Object.keys(requirementsWhere ?? {}).sort(), [
    "click>=8,<9",
    "pytest",
    "requests>=2.28",
  ]);
  assertEquals(c.environments.legacy.packages, [
    "requests==2.28.1",
    "PyYAML[libyaml]==6.0",
    "rich>=13",
    "attrs",
  ]);
});

Deno.test("malformed envknit.yaml errors carry the file, line and column", async () => {
  const cases: [string, string, string][] = [
    ["environments:\n  default:\n    packages: [a, b\n", "envknit.yaml:", "invalid YAML"],
    [
      "environments:\n  default:\n    packages: requests\n",
      "envknit.yaml:3:15",
      "'packages' must be a list",
    ],
    [
      "environments:\n  default:\n    pakages: [a]\n",
      "envknit.yaml:3:5",
      "unknown key 'pakages' in environment 'default'; did you mean 'packages'?",
    ],
    [
      "envknit_version: '0.1.0'\nenvironment:\n  default: {}\n",
      "envknit.yaml:2:1",
      "unknown key 'environment'; did you mean 'environments'?",
    ],
    ["environments: {}\nsettings: {}\n", "envknit.yaml:2:1", "unknown key 'settings'"],
    ["index:\n  extra_url: []\n", "envknit.yaml:2:3", "did you mean 'index.extra_urls'?"],
    [
      "environments:\n  default:\n    python_version: three\n",
      "envknit.yaml:3:21",
      "python_version",
    ],
    ["environments:\n  ../x: {}\n", "envknit.yaml:2:3", "invalid environment name"],
    ["index:\n  url: ftp://x\n", "envknit.yaml:2:8", "not an http(s) or file URL"],
    [
      "environments:\n  default:\n    packages: [{version: '1'}]\n",
      "envknit.yaml:3:16",
      "needs a 'name'",
    ],
    ["a: 1\na: 2\n", "envknit.yaml:2:1", "invalid YAML"],
  ];
  for (const [text, where, what] of cases) {
    const err = await assertRejects(() => parseConfig(text, "envknit.yaml"), EnvknitError);
    assert(err.message.startsWith(where), `${err.message} should start with ${where}`);
    assertStringIncludes(err.message, what);
  }
  // No guess when nothing is close; the hint lists what the place takes.
  const far = await assertRejects(
    () => parseConfig("environments: {}\nsettings: {}\n", "envknit.yaml"),
    EnvknitError,
  );
  assertEquals(far.message, "envknit.yaml:2:1: unknown key 'settings'");
  assertEquals(far.hints, [
    "the top level takes 'envknit_version', 'index', 'environments', 'targets', 'prerelease', " +
    "'no_binary', 'any_wheel'",
  ]);
});

Deno.test("the config hash ignores comments and layout but not requirements", async () => {
  const a = await configHash(await parseConfig(EXAMPLE, "/p/envknit.yaml"));
  const reformatted = EXAMPLE.replace("# optional target", "").replace(
    '[requests>=2.28, "click>=8,<9"]',
    "\n      - requests>=2.28\n      - click>=8,<9",
  );
  assertEquals(await configHash(await parseConfig(reformatted, "/elsewhere/envknit.yaml")), a);
  const changed = EXAMPLE.replace("requests>=2.28", "requests>=2.29");
  assertNotEquals(await configHash(await parseConfig(changed, "/p/envknit.yaml")), a);
});

Deno.test("findConfig searches upward; loadProject explains how to start", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/a/b`, { recursive: true });
    await Deno.writeTextFile(`${dir}/envknit.yaml`, initialConfigText({ pythonVersion: "3.11" }));
    assertEquals(await findConfig(`${dir}/a/b`), `${dir}/envknit.yaml`);
    const project = await loadProject(`${dir}/a`);
    assertEquals(project.environments.default.pythonVersion, "3.11");
    const err = await assertRejects(() => loadProject("/"), EnvknitError, "no envknit.yaml");
    assertStringIncludes(err.hints[0], "envknit init");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("saving an edited document keeps its comments", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/envknit.yaml`;
    await Deno.writeTextFile(path, EXAMPLE);
    const c = await parseConfig(EXAMPLE, path);
    c.document.addIn(["environments", "default", "packages"], "numpy>=1.26");
    await saveConfig(c);
    const text = await Deno.readTextFile(path);
    assertStringIncludes(text, "# optional target");
    assertEquals(
      (await parseConfig(text, path)).environments.default.packages.at(-1),
      "numpy>=1.26",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("targets and the resolver settings are read with their positions; bad ones are errors", async () => {
  const config = await parseConfig(
    [
      "environments: {default: {packages: [a]}}",
      "prerelease: allow",
      "no_binary: [Some.Pkg, ':all:']",
      "any_wheel: true",
      "targets:",
      "  - {python: 3.10, platform: manylinux_2_28_x86_64}",
      '  - python: "3.13t"',
      "    platform: win_amd64",
      "",
    ].join("\n"),
    "/p/envknit.yaml",
  );
  assertEquals(config.resolver, {
    prerelease: "allow",
    noBinary: ["Some.Pkg", ":all:"],
    anyWheel: true,
  });
  assertEquals(config.targets, [
    {
      python: "3.10",
      platform: "manylinux_2_28_x86_64",
      where: "/p/envknit.yaml:6:5",
      pythonWhere: "/p/envknit.yaml:6:14",
      platformWhere: "/p/envknit.yaml:6:30",
    },
    {
      python: "3.13t",
      platform: "win_amd64",
      where: "/p/envknit.yaml:7:5",
      pythonWhere: "/p/envknit.yaml:7:13",
      platformWhere: "/p/envknit.yaml:8:15",
    },
  ]);
  // Without them: nothing set, and the config hash of a project is what it was.
  const plain = await parseConfig("environments: {default: {packages: [a]}}\n", "/p/envknit.yaml");
  assertEquals([plain.targets, plain.resolver], [undefined, undefined]);
  const withTargets = await parseConfig(
    "environments: {default: {packages: [a]}}\ntargets: [{python: '3.12', platform: win_amd64}]\n",
    "/p/envknit.yaml",
  );
  assert((await configHash(plain)) !== (await configHash(withTargets)));
  for (
    const [text, message] of [
      ["prerelease: sometimes\n", "1:13: 'prerelease' must be one of"],
      ["prerelease: alow\n", "did you mean 'allow'"],
      ["any_wheel: yes please\n", "1:12: 'any_wheel' must be true or false"],
      ["no_binary: ['a b']\n", "1:13: 'no_binary' takes project names"],
      ["targets: {python: '3.12'}\n", "1:10: 'targets' must be a list"],
      ["targets: [win_amd64]\n", "1:11: targets[0] must be a mapping"],
      ["targets: [{python: '3.12', platform: 'a b'}]\n", "1:38: targets[0].platform"],
      ["targets: [{python: 'three', platform: win32}]\n", "1:20: targets[0].python"],
      ["target: []\n", "did you mean 'targets'"],
    ]
  ) {
    const error = await assertRejects(
      () => parseConfig(text + "environments: {}\n", "e.yaml"),
      EnvknitError,
    );
    assertStringIncludes(error.message, message);
  }
});

Deno.test("allow_multiple: a list of names (normalized) or auto, per environment (#16.1)", async () => {
  const c = await parseConfig(
    `environments:
  default:
    packages: [dep_a, dep_b]
    allow_multiple: [Tabular, tabular, Foo.Bar]
  ml:
    packages: [x]
    allow_multiple: auto
  plain:
    packages: [x]
`,
    "/p/envknit.yaml",
  );
  assertEquals(c.environments.default.allowMultiple, ["tabular", "foo-bar"]);
  assertEquals(c.environments.ml.allowMultiple, "auto");
  assertEquals(c.environments.plain.allowMultiple, undefined);
  // The hash of a project without it is what it was; setting it changes the hash.
  const without = await parseConfig("environments:\n  default:\n    packages: [x]\n", "/p/e.yaml");
  const withIt = await parseConfig(
    "environments:\n  default:\n    packages: [x]\n    allow_multiple: [x]\n",
    "/p/e.yaml",
  );
  assertNotEquals(await configHash(without), await configHash(withIt));
  assertEquals(
    await configHash(without),
    await configHash(
      await parseConfig("environments:\n  default: {packages: [x]}\n", "/p/e.yaml"),
    ),
  );
});

Deno.test("allow_multiple: an invalid name is an error at its line and column (#16.1)", async () => {
  for (
    const [value, where] of [
      ["[tabular, 'not a name']", "3:31"],
      ["[tabular, -bad]", "3:31"],
      ["[tabular, 3]", "3:31"],
      ["everything", "3:21"],
      ["{tabular: 1}", "3:21"],
    ]
  ) {
    const text = `environments:\n  default:\n    allow_multiple: ${value}\n`;
    const error = await assertRejects(() => parseConfig(text, "/p/envknit.yaml"), EnvknitError);
    assertStringIncludes(error.message, `/p/envknit.yaml:${where}:`);
    assertStringIncludes(error.message, "allow_multiple");
  }
});
