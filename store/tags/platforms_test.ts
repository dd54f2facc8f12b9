// Hand-derived expectations from the specs (PEP 600 for manylinux and its legacy aliases, PEP 656
// for musllinux, the macOS rules of packaging's documentation); the full, long lists are compared
// against packaging itself in target_test.ts and interpreter_test.ts.
import { assertEquals } from "../../tests/support/assert.ts";
import {
  linuxPlatforms,
  macBinaryFormats,
  macPlatforms,
  manylinuxPlatforms,
  musllinuxPlatforms,
} from "./platforms.ts";

Deno.test("manylinux counts glibc down to 2.17 (2.5 on x86) with each legacy alias after its version", () => {
  assertEquals(manylinuxPlatforms(["aarch64"], [2, 19], null), [
    "manylinux_2_19_aarch64",
    "manylinux_2_18_aarch64",
    "manylinux_2_17_aarch64",
    "manylinux2014_aarch64",
  ]);
  const x86 = manylinuxPlatforms(["x86_64"], [2, 17], null);
  assertEquals(x86.length, 13 + 3);
  assertEquals(x86.slice(0, 3), [
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux_2_16_x86_64",
  ]);
  assertEquals(
    x86.slice(x86.indexOf("manylinux_2_12_x86_64"), x86.indexOf("manylinux_2_12_x86_64") + 2),
    [
      "manylinux_2_12_x86_64",
      "manylinux2010_x86_64",
    ],
  );
  assertEquals(x86.slice(-2), ["manylinux_2_5_x86_64", "manylinux1_x86_64"]);
  // Not a glibc system, or an architecture manylinux does not cover.
  assertEquals(manylinuxPlatforms(["x86_64"], null, null), []);
  assertEquals(manylinuxPlatforms(["sparc"], [2, 36], null), []);
  // A 32-bit ARM interpreter needs the hard-float EABI5 ABI.
  const softFloat = { bits: 32 as const, littleEndian: true, machine: 40, flags: 0x05000000 };
  assertEquals(manylinuxPlatforms(["armv7l"], [2, 17], softFloat), []);
  assertEquals(
    manylinuxPlatforms(["armv7l"], [2, 17], { ...softFloat, flags: 0x05000400 }).length,
    2,
  );
  // A glibc 3.x would keep every 2.x tag (assumed to end at 2.50).
  const three = manylinuxPlatforms(["aarch64"], [3, 1], null);
  assertEquals(three.slice(0, 3), [
    "manylinux_3_1_aarch64",
    "manylinux_3_0_aarch64",
    "manylinux_2_50_aarch64",
  ]);
});

Deno.test("musllinux counts the minor version down to 0; linux_<arch> comes last", () => {
  assertEquals(musllinuxPlatforms(["x86_64"], [1, 2]), [
    "musllinux_1_2_x86_64",
    "musllinux_1_1_x86_64",
    "musllinux_1_0_x86_64",
  ]);
  assertEquals(linuxPlatforms("x86_64", { glibc: null, musl: [1, 1], elf: null }), [
    "musllinux_1_1_x86_64",
    "musllinux_1_0_x86_64",
    "linux_x86_64",
  ]);
  // 32-bit ARMv8 also runs ARMv7 code.
  assertEquals(linuxPlatforms("armv8l", { glibc: null, musl: null, elf: null }), [
    "linux_armv8l",
    "linux_armv7l",
  ]);
});

Deno.test("macOS 11+ counts major versions down, then 10.16 to 10.4", () => {
  assertEquals(macBinaryFormats([10, 9], "x86_64"), [
    "x86_64",
    "intel",
    "fat64",
    "fat32",
    "universal2",
    "universal",
  ]);
  assertEquals(macBinaryFormats([10, 3], "x86_64"), []);
  assertEquals(macBinaryFormats([11, 0], "arm64"), ["arm64", "universal2"]);
  const arm = macPlatforms([12, 3], "arm64");
  assertEquals(arm.slice(0, 4), [
    "macosx_12_0_arm64",
    "macosx_12_0_universal2",
    "macosx_11_0_arm64",
    "macosx_11_0_universal2",
  ]);
  // No arm64-only binary predates macOS 11: only universal2 for 10.x.
  assertEquals(
    arm.slice(4),
    Array.from({ length: 13 }, (_, i) => `macosx_10_${16 - i}_universal2`),
  );
  assertEquals(macPlatforms([10, 0], "x86_64"), []);
  assertEquals(macPlatforms([10, 4], "x86_64").slice(0, 2), [
    "macosx_10_4_x86_64",
    "macosx_10_4_intel",
  ]);
});
