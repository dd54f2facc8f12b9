import { EnvknitError } from "../../core/errors.ts";
import { assert, assertEquals, assertThrows } from "../../tests/support/assert.ts";
import { interpreterFromTarget, parseTargetPlatform } from "./target.ts";
import { supportedTags } from "./tags.ts";
import { sha256Hex as sha256 } from "../../core/sha256.ts";

interface ExpectedTarget {
  python: string;
  platform: string;
  abis: string[];
  platforms: string[];
  tags_count: number;
  tags_head: string[];
  tags_sha256: string;
}

// packaging's own tag generators fed each target's facts (glibc/musl/macOS version, CPU, ABI
// config): see testdata/gen_target_tags.py for exactly what is patched and why.
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/target_tags.json", import.meta.url)),
) as { packaging: string; targets: ExpectedTarget[] };

Deno.test("target tags equal packaging's cpython_tags + compatible_tags for each platform", async () => {
  assert(fixture.targets.length >= 30);
  for (const expected of fixture.targets) {
    const label = `${expected.python} ${expected.platform}`;
    const interp = interpreterFromTarget({
      pythonVersion: expected.python,
      platform: expected.platform,
    });
    assertEquals(interp.abis, expected.abis, label);
    assertEquals(interp.platforms, expected.platforms, label);
    const tags = supportedTags(interp);
    assertEquals(tags.slice(0, expected.tags_head.length), expected.tags_head, label);
    assertEquals(tags.length, expected.tags_count, label);
    assertEquals(await sha256(tags.join("\n")), expected.tags_sha256, label);
  }
});

Deno.test("target marker environments match the platform", () => {
  const linux = interpreterFromTarget({ pythonVersion: "3.12", platform: "manylinux_2_28_x86_64" });
  assertEquals(linux.markers, {
    implementation_name: "cpython",
    implementation_version: "3.12.0",
    os_name: "posix",
    platform_machine: "x86_64",
    platform_python_implementation: "CPython",
    platform_release: "",
    platform_system: "Linux",
    platform_version: "",
    python_full_version: "3.12.0",
    python_version: "3.12",
    sys_platform: "linux",
  });
  assertEquals(linux.libc, { kind: "glibc", version: "2.28" });
  assertEquals(linux.platform, "manylinux_2_28_x86_64");

  const mac = interpreterFromTarget({ pythonVersion: "3.12.4", platform: "macosx_11_0_arm64" });
  assertEquals(
    [mac.markers.sys_platform, mac.markers.platform_system, mac.markers.os_name],
    ["darwin", "Darwin", "posix"],
  );
  assertEquals(mac.markers.platform_machine, "arm64");
  assertEquals(mac.markers.python_full_version, "3.12.4");
  assertEquals(mac.libc, null);

  const win = interpreterFromTarget({ pythonVersion: "3.11", platform: "win_amd64" });
  assertEquals(
    [win.markers.sys_platform, win.markers.platform_system, win.markers.os_name],
    ["win32", "Windows", "nt"],
  );
  assertEquals(win.markers.platform_machine, "AMD64");
  assertEquals(interpreterFromTarget({ pythonVersion: "3.11", platform: "win32" }).pointerBits, 32);

  const musl = interpreterFromTarget({ pythonVersion: "3.12", platform: "musllinux_1_2_aarch64" });
  assertEquals(musl.markers.platform_machine, "aarch64");
  assertEquals(musl.libc, { kind: "musl", version: "1.2" });

  const ft = interpreterFromTarget({ pythonVersion: "3.13t", platform: "linux_x86_64" });
  assertEquals([ft.freeThreaded, ft.abiflags, ft.abis], [true, "t", ["cp313t"]]);
  assertEquals(interpreterFromTarget({ pythonVersion: "3.7", platform: "win32" }).abiflags, "m");
});

Deno.test("uv/packse target names map to the documented platforms", () => {
  const cases: [string, string, string][] = [
    ["x86_64-manylinux2014", "manylinux_2_17_x86_64", "x86_64"],
    ["x86_64-manylinux_2_28", "manylinux_2_28_x86_64", "x86_64"],
    ["aarch64-manylinux_2_31", "manylinux_2_31_aarch64", "aarch64"],
    ["x86_64-unknown-linux-gnu", "manylinux_2_17_x86_64", "x86_64"],
    ["linux", "manylinux_2_17_x86_64", "x86_64"],
    ["armv7-unknown-linux-gnueabihf", "manylinux_2_17_armv7l", "armv7l"],
    ["powerpc64le-unknown-linux-gnu", "manylinux_2_17_ppc64le", "ppc64le"],
    ["x86_64-unknown-linux-musl", "musllinux_1_2_x86_64", "x86_64"],
    ["aarch64-apple-darwin", "macosx_13_0_arm64", "arm64"],
    ["macos", "macosx_13_0_arm64", "arm64"],
    ["x86_64-apple-darwin", "macosx_13_0_x86_64", "x86_64"],
    ["x86_64-pc-windows-msvc", "win_amd64", "AMD64"],
    ["windows", "win_amd64", "AMD64"],
    ["i686-pc-windows-msvc", "win32", "x86"],
    ["aarch64-pc-windows-msvc", "win_arm64", "ARM64"],
  ];
  for (const [name, first, machine] of cases) {
    const p = parseTargetPlatform(name);
    assertEquals([p.platforms[0], p.machine], [first, machine], name);
  }
  // A bare Linux target assumes glibc 2.17 whichever way it is spelled.
  assertEquals(
    parseTargetPlatform("linux_x86_64").platforms,
    parseTargetPlatform("manylinux2014_x86_64").platforms,
  );
});

Deno.test("bad targets are refused with an EnvknitError", () => {
  for (const platform of ["freebsd_13_x86_64", "sparc-sun-solaris", "macosx_10_3_x86_64", ""]) {
    assertThrows(
      () => interpreterFromTarget({ pythonVersion: "3.12", platform }),
      EnvknitError,
      "unsupported target platform",
    );
  }
  for (const pythonVersion of ["3", "three", "3.12.1.1", "3.12-dev"]) {
    assertThrows(
      () => interpreterFromTarget({ pythonVersion, platform: "win_amd64" }),
      EnvknitError,
      "invalid target Python version",
    );
  }
  assertThrows(
    () => interpreterFromTarget({ pythonVersion: "3.12t", platform: "win_amd64" }),
    EnvknitError,
    "free-threaded",
  );
  assertThrows(
    () =>
      interpreterFromTarget({ pythonVersion: "3.10", platform: "win_amd64", implementation: "pp" }),
    EnvknitError,
    "only CPython",
  );
});
