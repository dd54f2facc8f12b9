// Cases the machine running the tests cannot show (debug, free-threaded and non-CPython builds),
// with expectations derived by hand from PEP 425, PEP 703/803 and packaging's documentation; the
// common case is compared with packaging itself in interpreter_test.ts and target_test.ts.
import { assertEquals } from "../../tests/support/assert.ts";
import { interpreterFromFacts, type ProbeFacts } from "./interpreter.ts";
import { cpythonAbis, cpythonTags, genericAbis, supportedTags, tagPriority } from "./tags.ts";

const release = {
  pyDebug: 0,
  hasTotalRefcount: false,
  hasDebugPyd: false,
  gilDisabled: false,
  withPymalloc: 1,
  unicodeSize: 4,
  maxUnicode: 0x10ffff,
};

Deno.test("cpythonAbis: debug, pymalloc, UCS-4 and free-threaded flags", () => {
  assertEquals(cpythonAbis([3, 12], release), ["cp312"]);
  assertEquals(cpythonAbis([3, 7], release), ["cp37m"]);
  assertEquals(cpythonAbis([3, 2], release), ["cp32mu"]);
  assertEquals(cpythonAbis([3, 2], { ...release, unicodeSize: null, maxUnicode: 0xffff }), [
    "cp32m",
  ]);
  // A debug build of 3.8+ also loads release extension modules.
  assertEquals(cpythonAbis([3, 12], { ...release, pyDebug: 1 }), ["cp312d", "cp312"]);
  assertEquals(cpythonAbis([3, 12], { ...release, pyDebug: null, hasDebugPyd: true }), [
    "cp312d",
    "cp312",
  ]);
  assertEquals(cpythonAbis([3, 7], { ...release, pyDebug: 1 }), ["cp37dm"]);
  assertEquals(cpythonAbis([3, 13], { ...release, gilDisabled: true }), ["cp313t"]);
  assertEquals(cpythonAbis([3, 13], { ...release, gilDisabled: true, pyDebug: 1 }), [
    "cp313td",
    "cp313t",
  ]);
  // Py_GIL_DISABLED means nothing before 3.13.
  assertEquals(cpythonAbis([3, 12], { ...release, gilDisabled: true }), ["cp312"]);
});

Deno.test("cpythonTags: a free-threaded build uses abi3t, never abi3", () => {
  assertEquals(cpythonTags([3, 13], ["cp313td", "cp313t"], ["win_amd64"]).slice(0, 6), [
    "cp313-cp313td-win_amd64",
    "cp313-cp313t-win_amd64",
    "cp313-abi3t-win_amd64",
    "cp313-none-win_amd64",
    "cp312-abi3t-win_amd64",
    "cp311-abi3t-win_amd64",
  ]);
  const gil = cpythonTags([3, 4], ["cp34m", "abi3", "none"], ["linux_x86_64"]);
  assertEquals(gil, [
    "cp34-cp34m-linux_x86_64",
    "cp34-abi3-linux_x86_64",
    "cp34-none-linux_x86_64",
    "cp33-abi3-linux_x86_64",
    "cp32-abi3-linux_x86_64",
  ]);
});

Deno.test("genericAbis reads the ABI from EXT_SUFFIX", () => {
  const none = () => ["fallback"];
  assertEquals(genericAbis(".pypy310-pp73-x86_64-linux-gnu.so", none), ["pypy310_pp73"]);
  assertEquals(genericAbis(".graalpy-38-native-x86_64-darwin.dylib", none), ["graalpy_38_native"]);
  assertEquals(genericAbis(".cpython-310-x86_64-linux-gnu.so", none), ["cp310"]);
  assertEquals(genericAbis(".cp310-win_amd64.pyd", none), ["cp310"]);
  assertEquals(genericAbis(".pyd", none), ["fallback"]);
  assertEquals(genericAbis(null, none), []);
});

function facts(overrides: Partial<ProbeFacts>): ProbeFacts {
  return {
    probe_version: 1,
    executable: "/opt/pypy/bin/pypy3",
    prefix: "/opt/pypy",
    base_prefix: "/opt/pypy",
    version_info: [3, 10, 14, "final", 0],
    implementation_name: "pypy",
    implementation_version: "7.3.17",
    py_version_nodot: "310",
    abiflags: "",
    soabi: "pypy310-pp73-x86_64-linux-gnu",
    ext_suffix: ".pypy310-pp73-x86_64-linux-gnu.so",
    extension_suffixes: [".pypy310-pp73-x86_64-linux-gnu.so", ".so"],
    py_debug: null,
    has_totalrefcount: false,
    gil_disabled: false,
    with_pymalloc: null,
    unicode_size: null,
    maxunicode: 0x10ffff,
    platform: "linux-x86_64",
    system: "Linux",
    machine: "x86_64",
    pointer_bits: 64,
    emscripten_platform_version: null,
    glibc: null,
    musl: null,
    elf: null,
    mac_version: null,
    mac_machine: null,
    markers: {
      implementation_name: "pypy",
      implementation_version: "7.3.17",
      os_name: "posix",
      platform_machine: "x86_64",
      platform_python_implementation: "PyPy",
      platform_release: "6.1.0",
      platform_system: "Linux",
      platform_version: "#1 SMP",
      python_full_version: "3.10.14",
      python_version: "3.10",
      sys_platform: "linux",
    },
    ...overrides,
  };
}

Deno.test("a PyPy interpreter gets its own ABI, then none, then the pure-Python tail with pp3", () => {
  const pypy = interpreterFromFacts(facts({}));
  assertEquals(pypy.interpreterName, "pp");
  assertEquals(supportedTags(pypy), [
    "pp310-pypy310_pp73-linux_x86_64",
    "pp310-none-linux_x86_64",
    "py310-none-linux_x86_64",
    "py3-none-linux_x86_64",
    ...Array.from({ length: 10 }, (_, i) => `py3${9 - i}-none-linux_x86_64`),
    "pp3-none-any",
    "py310-none-any",
    "py3-none-any",
    ...Array.from({ length: 10 }, (_, i) => `py3${9 - i}-none-any`),
  ]);
});

Deno.test("a 32-bit interpreter on a 64-bit Linux kernel gets 32-bit platform tags", () => {
  const i686 = { bits: 32 as const, little_endian: true, machine: 3, flags: 0, interpreter: null };
  const x86 = interpreterFromFacts(
    facts({ implementation_name: "cpython", pointer_bits: 32, glibc: "2.17", elf: i686 }),
  );
  assertEquals(x86.platforms.slice(0, 2), ["manylinux_2_17_i686", "manylinux2014_i686"]);
  assertEquals(x86.platforms.at(-1), "linux_i686");
  const arm = interpreterFromFacts(
    facts({ platform: "linux-aarch64", pointer_bits: 32, glibc: "2.17", elf: null }),
  );
  // armv8l: the ABI check needs the ELF header, unreadable here, so no manylinux tags.
  assertEquals(arm.platforms, ["linux_armv8l", "linux_armv7l"]);
  const musl = interpreterFromFacts(facts({ musl: "1.2" }));
  assertEquals(musl.platforms, [
    "musllinux_1_2_x86_64",
    "musllinux_1_1_x86_64",
    "musllinux_1_0_x86_64",
    "linux_x86_64",
  ]);
  assertEquals(musl.libc, { kind: "musl", version: "1.2" });
  const mac = interpreterFromFacts(
    facts({
      system: "Darwin",
      platform: "macosx-11.0-arm64",
      mac_version: "14.5",
      mac_machine: "arm64",
    }),
  );
  assertEquals(mac.platforms[0], "macosx_14_0_arm64");
  const win = interpreterFromFacts(facts({ system: "Windows", platform: "win-amd64" }));
  assertEquals(win.platforms, ["win_amd64"]);
});

Deno.test("tagPriority keeps the first index of a repeated tag", () => {
  assertEquals([...tagPriority(["a", "b", "a", "c"])], [["a", 0], ["b", 1], ["c", 3]]);
});
