// prepareTargets and targetPreferences (#17.2): targets described without running Python, their
// markers, errors at the line and column of the field, and the old lock's versions per target.
import { assertEquals, assertStringIncludes, assertThrows } from "../../tests/support/assert.ts";
import { EnvknitError } from "../../core/errors.ts";
import type { Lockfile } from "../../project/lock.ts";
import { prepareTargets, targetPreferences } from "./lock_targets.ts";

Deno.test("prepareTargets: interpreters and the markers that tell the targets apart", () => {
  const targets = prepareTargets([
    { python: "3.11", platform: "manylinux_2_28_x86_64" },
    { python: "3.12", platform: "win_amd64" },
    { python: "3.12", platform: "linux" },
  ]);
  assertEquals(targets.map((t) => t.interpreter.markers.sys_platform), ["linux", "win32", "linux"]);
  assertEquals(targets.map((t) => t.marker), [
    'python_version == "3.11" and sys_platform == "linux"',
    'python_version == "3.12" and sys_platform == "win32"',
    'python_version == "3.12" and sys_platform == "linux"',
  ]);
});

Deno.test("prepareTargets: a bad target is an error at its field, with the accepted forms", () => {
  const where = { where: "e.yaml:3:5", pythonWhere: "e.yaml:3:14", platformWhere: "e.yaml:3:30" };
  const platform = assertThrows(
    () => prepareTargets([{ python: "3.12", platform: "beos_x86", ...where }]),
    EnvknitError,
  );
  assertStringIncludes(platform.message, "e.yaml:3:30: targets[0].platform: unsupported target");
  assertStringIncludes(platform.hints.join("\n"), "win_amd64");
  const python = assertThrows(
    () => prepareTargets([{ python: "3.12.1", platform: "win_amd64", ...where }]),
    EnvknitError,
  );
  assertStringIncludes(python.message, 'e.yaml:3:14: targets[0].python: "3.12.1" is not');
  const same = assertThrows(
    () =>
      prepareTargets([
        { python: "3.12", platform: "manylinux_2_28_x86_64" },
        { python: "3.12", platform: "musllinux_1_2_x86_64" },
      ]),
    EnvknitError,
  );
  assertStringIncludes(same.message, "cannot be told apart");
});

Deno.test("targetPreferences: each target keeps the old entries whose marker holds there", () => {
  const targets = prepareTargets([
    { python: "3.11", platform: "win_amd64" },
    { python: "3.13", platform: "win_amd64" },
  ]);
  const entry = (name: string, version: string, marker?: string) => ({
    name,
    version,
    dependencies: [],
    wheels: [],
    ...(marker ? { marker } : {}),
  });
  const old: Lockfile = {
    schemaVersion: "1.2",
    lockGeneratedAt: "",
    resolverVersion: "",
    configHash: "",
    target: { python: "", platform: "" },
    environments: {
      default: [
        entry("a", "1.0"),
        entry("b", "1.0", 'python_version == "3.11"'),
        entry("b", "2.0", 'python_version == "3.13"'),
        entry("c", "1.0", "not a marker ("),
      ],
    },
  };
  assertEquals(targetPreferences(old, "default", targets, new Set(), false), [
    { a: "1.0", b: "1.0" },
    { a: "1.0", b: "2.0" },
  ]);
  assertEquals(targetPreferences(old, "default", targets, new Set(["b"]), false), [
    { a: "1.0" },
    { a: "1.0" },
  ]);
  assertEquals(targetPreferences(old, "default", targets, new Set(), true), [{}, {}]);
  assertEquals(targetPreferences(null, "default", targets, new Set(), false), [{}, {}]);
});
