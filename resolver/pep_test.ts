import { EnvknitError } from "../core/errors.ts";
import { assert, assertEquals, assertThrows } from "../tests/support/assert.ts";
import {
  compareVersions,
  evaluateMarker,
  type MarkerEnvironment,
  normalizeName,
  normalizeVersion,
  parseRequirement,
  sortVersions,
  specifierContains,
} from "./pep.ts";
import { LINUX_311_DEBIAN as linux311 } from "./testdata/environments.ts";

Deno.test("normalizeVersion gives the PEP 440 normal form of every spelling", () => {
  const cases: [string, string][] = [
    ["V1.0-RC1", "1.0rc1"],
    [" 1.0-1 ", "1.0.post1"],
    ["1!2.0.ALPHA_3.REV4.dev5+Ubuntu-01", "1!2.0a3.post4.dev5+ubuntu.1"],
    ["01.02", "1.2"],
    ["123456789012345678901234567890", "123456789012345678901234567890"],
  ];
  for (const [input, normal] of cases) assertEquals(normalizeVersion(input), normal, input);
});

Deno.test("invalid versions throw an EnvknitError quoting the input and saying why", () => {
  const error = assertThrows(() => normalizeVersion("x.y"), EnvknitError);
  assertEquals(
    error.message,
    "invalid version 'x.y': a version starts with a number (after an optional 'v' and 'N!' epoch), e.g. '1.0'",
  );
  assertThrows(() => normalizeVersion("1.0foo"), EnvknitError, "unexpected 'foo' after '1.0'");
  assertThrows(() => compareVersions("1.0", ""), EnvknitError, "invalid version ''");
  assertThrows(() => sortVersions(["1.0", "nope"]), EnvknitError, "invalid version 'nope'");
});

Deno.test("compareVersions and sortVersions follow PEP 440 order", () => {
  assertEquals(compareVersions("1.0", "1.0.0"), 0);
  assert(compareVersions("1.0rc1", "1.0") < 0);
  assert(compareVersions("1.0.post1", "1.0+local") > 0);
  assert(compareVersions("1!0.1", "99") > 0);
  assert(compareVersions("1.10", "1.9") > 0);
  assertEquals(
    sortVersions(["2.0", "1.0.post1", "1.0", "1.0a1", "1.0.dev0", "1.0+b", "1.0+a", "1.0.0"]),
    ["1.0.dev0", "1.0a1", "1.0", "1.0.0", "1.0+a", "1.0+b", "1.0.post1", "2.0"],
  );
});

Deno.test("specifierContains applies PEP 440's rules, including exclusive comparisons", () => {
  const yes: [string, string][] = [
    [">=1.0, <2.0", "1.5"],
    ["==1.2.*", "1.2.9"],
    ["~=1.4.2", "1.4.9"],
    ["==1.0", "1.0+local"],
    ["<=1.0", "1.0+local"],
    ["", "3.0"],
    ["===foo", "FOO"],
  ];
  for (const [spec, v] of yes) assert(specifierContains(spec, v), `${spec} contains ${v}`);
  const no: [string, string][] = [
    ["<2.0", "2.0rc1"],
    [">1.0", "1.0.post1"],
    [">1.0", "1.0+local"],
    ["~=1.4.2", "1.5"],
    ["!=1.2.*", "1.2.0"],
    ["==1.0+abc", "1.0"],
    [">=1.0", "not a version"],
  ];
  for (const [spec, v] of no) assert(!specifierContains(spec, v), `${spec} excludes ${v}`);
});

Deno.test("specifierContains: pre-releases by default, never with prereleases: false", () => {
  assert(specifierContains(">=1.0", "2.0b1"));
  assert(specifierContains(">=1.0", "2.0b1", { prereleases: true }));
  assert(!specifierContains(">=1.0", "2.0b1", { prereleases: false }));
  assert(!specifierContains("", "2.0b1", { prereleases: false }));
  assert(specifierContains(">=1.0", "2.0", { prereleases: false }));
});

Deno.test("invalid specifiers throw an EnvknitError that says what is wrong", () => {
  assertThrows(
    () => specifierContains(">=1.0.*", "1.0"),
    EnvknitError,
    "invalid specifier '>=1.0.*': '.*' is only allowed after == and !=",
  );
  assertThrows(() => specifierContains("~=1", "1.0"), EnvknitError, "at least two release numbers");
  assertThrows(() => specifierContains("1.0", "1.0"), EnvknitError, "expected an operator");
});

Deno.test("normalizeName gives the PEP 503 form and refuses invalid names", () => {
  assertEquals(normalizeName("Foo.Bar__baz"), "foo-bar-baz");
  assertEquals(normalizeName("zope.interface"), "zope-interface");
  assertThrows(() => normalizeName("foo bar"), EnvknitError, "invalid project name 'foo bar'");
  assertThrows(() => normalizeName(""), EnvknitError, "invalid project name ''");
});

Deno.test("parseRequirement normalizes name, extras, specifier and marker", () => {
  assertEquals(
    parseRequirement("Foo_Bar[Security , socks] (>=1.0, <2) ; python_version>='3.8'"),
    {
      name: "foo-bar",
      extras: ["security", "socks"],
      specifier: "<2,>=1.0",
      marker: 'python_version >= "3.8"',
    },
  );
  assertEquals(parseRequirement("requests"), {
    name: "requests",
    extras: [],
    specifier: "",
    marker: null,
  });
  assertEquals(parseRequirement("a.b==1.*;extra=='Test_X'").marker, 'extra == "test-x"');
});

Deno.test("parseRequirement refuses direct URLs and syntax errors with clear messages", () => {
  assertThrows(
    () => parseRequirement("foo @ https://example.com/foo-1.0-py3-none-any.whl"),
    EnvknitError,
    "direct URL references are not supported",
  );
  const error = assertThrows(() => parseRequirement("foo bar"), EnvknitError);
  assertEquals(
    error.message,
    "invalid requirement 'foo bar': expected a version specifier, ';' (before a marker) or the end, found 'bar' (column 5)",
  );
  assertThrows(() => parseRequirement("foo>=1.0.*"), EnvknitError, "'.*' suffix");
  assertThrows(() => parseRequirement("foo[bar"), EnvknitError, "expected ']'");
});

Deno.test("evaluateMarker evaluates every kind of comparison", () => {
  const cases: [string, boolean][] = [
    ['python_version >= "3.8" and sys_platform == "linux"', true],
    ["python_version < '3.8' or os_name == 'nt'", false],
    ['"3.8" < python_version', true],
    ["python_full_version == '3.11.*'", true],
    ["platform_machine in 'x86_64 aarch64'", true],
    ["sys_platform not in 'win32 cygwin'", true],
    ["(os_name == 'nt' or os.name == 'posix') and implementation_name == 'cpython'", true],
    ["platform_system < 'Z'", false],
  ];
  for (const [marker, value] of cases) {
    assertEquals(evaluateMarker(marker, linux311), value, marker);
  }
});

Deno.test("evaluateMarker: extras match in normal form, any of several", () => {
  assert(!evaluateMarker("extra == 'test'", linux311));
  assert(evaluateMarker("extra == 'Test_Suite'", linux311, ["test.suite"]));
  assert(evaluateMarker("extra == 'a' and extra == 'b'", linux311, ["a", "b"]));
  assert(!evaluateMarker("extra != 'a'", linux311, ["a", "b"]));
});

Deno.test("evaluateMarker throws an EnvknitError for invalid or undefined markers", () => {
  assertThrows(() => evaluateMarker("os_name = 'posix'", linux311), EnvknitError, "invalid marker");
  assertThrows(() => evaluateMarker("os_name ~= 'posix'", linux311), EnvknitError, "not defined");
  const partial = { ...linux311 } as Partial<MarkerEnvironment>;
  delete partial.sys_platform;
  assertThrows(
    () => evaluateMarker("os_name == 'posix'", partial as MarkerEnvironment),
    EnvknitError,
    "'sys_platform' is missing",
  );
});
