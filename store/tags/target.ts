/**
 * Synthetic interpreters for locking for another machine (`--python-version 3.12 --platform
 * manylinux_2_28_x86_64`) without running its Python.
 *
 * Accepted platforms, as wheel platform tags:
 *
 * - `manylinux_2_28_x86_64`: a glibc 2.28 Linux machine; the legacy `manylinux2014_<arch>`,
 *   `manylinux2010_<arch>`, `manylinux1_<arch>` mean glibc 2.17, 2.12 and 2.5;
 * - `musllinux_1_2_aarch64`: a musl 1.2 Linux machine;
 * - `linux_x86_64`: a bare Linux target, taken as glibc 2.17 (manylinux2014), the default uv uses
 *   for a Linux target of unknown glibc: old enough for nearly every glibc machine in use;
 * - `macosx_11_0_arm64`: macOS 11.0 or later on that CPU (`x86_64`, `universal2`, …);
 * - `win_amd64`, `win32`, `win_arm64`: Windows;
 *
 * and as uv/packse target names (uv's `--python-platform`):
 *
 * - `<arch>-unknown-linux-gnu` (alias `linux` for x86_64): `manylinux_2_17_<arch>`;
 * - `<arch>-unknown-linux-musl`: `musllinux_1_2_<arch>`;
 * - `<arch>-manylinux2014`, `<arch>-manylinux_2_28`, `<arch>-musllinux_1_1`: that tag;
 * - `aarch64-apple-darwin` (alias `macos`), `x86_64-apple-darwin`: macOS 13.0 (uv's default, the
 *   oldest macOS still supported by Apple when uv chose it);
 * - `x86_64-pc-windows-msvc` (alias `windows`), `i686-pc-windows-msvc`,
 *   `aarch64-pc-windows-msvc`: `win_amd64`, `win32`, `win_arm64`.
 *
 * `<arch>` is spelled as in the platform tag (`x86_64`, `aarch64`, `i686`, `ppc64le`, `s390x`,
 * `riscv64`, …); Rust's `powerpc64le`, `powerpc64` and `armv7` are accepted too.
 *
 * The marker environment follows the platform: `sys_platform` `linux`/`darwin`/`win32`,
 * `platform_system` `Linux`/`Darwin`/`Windows`, `os_name` `posix`/`nt`, `platform_machine` as that
 * OS's Python reports it (`x86_64`, `aarch64`, `arm64`, `AMD64`, `x86`, `ARM64`). The OS release
 * and version are unknowable, so `platform_release` and `platform_version` are empty.
 * `python_full_version` is the given version, with `.0` added to a bare `3.12` (the oldest
 * release of that series, so `Requires-Python` checks are conservative).
 *
 * @module
 */
import { EnvknitError } from "../../core/errors.ts";
import type { Interpreter, MarkerEnvironment } from "./interpreter.ts";
import { linuxPlatforms, macPlatforms, type VersionPair } from "./platforms.ts";
import { cpythonAbis } from "./tags.ts";

/** What to lock for. */
export interface TargetSpec {
  /** `3.12`, `3.12.4`, or `3.13t` / `3.13.1t` for a free-threaded build. */
  pythonVersion: string;
  /** A platform tag or a uv-style target name (see the module documentation). */
  platform: string;
  /** The implementation; only CPython (`cp`, the default) is supported. */
  implementation?: string;
}

/** A target platform, decoded. */
export interface TargetPlatform {
  os: "linux" | "macos" | "windows";
  /** The architecture as platform tags spell it (`x86_64`, `arm64`, `amd64` for Windows). */
  arch: string;
  /** Platform tags, most specific first. */
  platforms: string[];
  libc: Interpreter["libc"];
  /** `platform_machine` as that OS's Python reports it. */
  machine: string;
  pointerBits: 32 | 64;
}

const DEFAULT_GLIBC: VersionPair = [2, 17];
const DEFAULT_MUSL: VersionPair = [1, 2];
const DEFAULT_MACOS: VersionPair = [13, 0];
const LEGACY_GLIBC: Record<string, VersionPair> = {
  manylinux1: [2, 5],
  manylinux2010: [2, 12],
  manylinux2014: [2, 17],
};
const RUST_ARCH: Record<string, string> = {
  powerpc64le: "ppc64le",
  powerpc64: "ppc64",
  armv7: "armv7l",
  arm64: "aarch64",
  i386: "i686",
  amd64: "x86_64",
};
const BITS32 = new Set(["i686", "armv7l", "armv6l", "armv8l", "ppc", "s390"]);
const WINDOWS: Record<string, { tag: string; machine: string; bits: 32 | 64 }> = {
  x86_64: { tag: "win_amd64", machine: "AMD64", bits: 64 },
  i686: { tag: "win32", machine: "x86", bits: 32 },
  aarch64: { tag: "win_arm64", machine: "ARM64", bits: 64 },
};

function bad(platform: string, why: string): never {
  throw new EnvknitError(`unsupported target platform ${JSON.stringify(platform)}: ${why}`, {
    hints: [
      "use a wheel platform tag such as manylinux_2_28_x86_64, musllinux_1_2_aarch64, " +
      "macosx_11_0_arm64, win_amd64, or a target such as x86_64-unknown-linux-gnu",
    ],
  });
}

function linux(arch: string, glibc: VersionPair | null, musl: VersionPair | null): TargetPlatform {
  return {
    os: "linux",
    arch,
    // A synthetic machine passes packaging's executable checks (armhf, i686) by definition.
    platforms: linuxPlatforms(arch, { glibc, musl, elf: null }),
    libc: glibc
      ? { kind: "glibc", version: glibc.join(".") }
      : musl
      ? { kind: "musl", version: musl.join(".") }
      : null,
    machine: arch,
    pointerBits: BITS32.has(arch) ? 32 : 64,
  };
}

function macos(version: VersionPair, arch: string): TargetPlatform {
  // universal2 runs natively on Apple silicon; the older fat formats mean Intel machines.
  const machine = arch === "arm64" || arch === "universal2"
    ? "arm64"
    : ["i386", "ppc", "ppc64"].includes(arch)
    ? arch
    : "x86_64";
  return {
    os: "macos",
    arch,
    platforms: macPlatforms(version, arch),
    libc: null,
    machine,
    pointerBits: arch === "i386" || arch === "ppc" ? 32 : 64,
  };
}

function windows(arch: string, platform: string): TargetPlatform {
  const w = WINDOWS[arch] ?? bad(platform, `no Windows on ${arch}`);
  return {
    os: "windows",
    arch,
    platforms: [w.tag],
    libc: null,
    machine: w.machine,
    pointerBits: w.bits,
  };
}

const ARCH = "([a-z0-9_]+?)";

/** Decodes a `--platform` value (a platform tag or a uv-style target name). */
export function parseTargetPlatform(platform: string): TargetPlatform {
  const p = platform.trim().toLowerCase();
  let m: RegExpExecArray | null;
  const archOf = (a: string) => RUST_ARCH[a] ?? a;
  // Wheel platform tags.
  if ((m = /^manylinux_(\d+)_(\d+)_([a-z0-9_]+)$/.exec(p))) {
    return linux(m[3], [Number(m[1]), Number(m[2])], null);
  }
  if ((m = /^(manylinux1|manylinux2010|manylinux2014)_([a-z0-9_]+)$/.exec(p))) {
    return linux(m[2], LEGACY_GLIBC[m[1]], null);
  }
  if ((m = /^musllinux_(\d+)_(\d+)_([a-z0-9_]+)$/.exec(p))) {
    return linux(m[3], null, [Number(m[1]), Number(m[2])]);
  }
  if ((m = /^linux_([a-z0-9_]+)$/.exec(p))) return linux(m[1], DEFAULT_GLIBC, null);
  if ((m = /^macosx_(\d+)_(\d+)_([a-z0-9_]+)$/.exec(p))) {
    return macos([Number(m[1]), Number(m[2])], m[3]);
  }
  if (p === "win_amd64") return windows("x86_64", platform);
  if (p === "win32") return windows("i686", platform);
  if (p === "win_arm64") return windows("aarch64", platform);
  // uv / packse target names.
  if (p === "linux") return parseTargetPlatform("x86_64-unknown-linux-gnu");
  if (p === "macos") return parseTargetPlatform("aarch64-apple-darwin");
  if (p === "windows") return parseTargetPlatform("x86_64-pc-windows-msvc");
  if ((m = new RegExp(`^${ARCH}-unknown-linux-gnu(?:eabihf)?$`).exec(p))) {
    return linux(archOf(m[1]), DEFAULT_GLIBC, null);
  }
  if ((m = new RegExp(`^${ARCH}-unknown-linux-musl(?:eabihf)?$`).exec(p))) {
    return linux(archOf(m[1]), null, DEFAULT_MUSL);
  }
  if ((m = new RegExp(`^${ARCH}-manylinux_?(\\d+)_(\\d+)$`).exec(p))) {
    return linux(archOf(m[1]), [Number(m[2]), Number(m[3])], null);
  }
  if ((m = new RegExp(`^${ARCH}-(manylinux1|manylinux2010|manylinux2014)$`).exec(p))) {
    return linux(archOf(m[1]), LEGACY_GLIBC[m[2]], null);
  }
  if ((m = new RegExp(`^${ARCH}-musllinux_?(\\d+)_(\\d+)$`).exec(p))) {
    return linux(archOf(m[1]), null, [Number(m[2]), Number(m[3])]);
  }
  if ((m = new RegExp(`^${ARCH}-apple-darwin$`).exec(p))) {
    const arch = archOf(m[1]) === "aarch64" ? "arm64" : archOf(m[1]);
    return macos(DEFAULT_MACOS, arch);
  }
  if ((m = new RegExp(`^${ARCH}-pc-windows-msvc$`).exec(p))) return windows(archOf(m[1]), platform);
  return bad(platform, "not a Linux, macOS or Windows platform tag or target name envknit knows");
}

/**
 * A synthetic CPython interpreter for `spec`: its ABI, platform tags and marker environment, so
 * that `supportedTags` and marker evaluation work as they would on that machine.
 *
 * @throws EnvknitError for an unknown platform, a malformed version or another implementation.
 */
export function interpreterFromTarget(spec: TargetSpec): Interpreter {
  const impl = (spec.implementation ?? "cp").toLowerCase();
  if (impl !== "cp" && impl !== "cpython") {
    throw new EnvknitError(
      `cannot lock for the Python implementation ${JSON.stringify(spec.implementation)} without ` +
        "running it: only CPython targets can be described by --python-version",
      { hints: ["run that interpreter here and name it with --python"] },
    );
  }
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(t)?$/.exec(spec.pythonVersion.trim());
  if (!m) {
    throw new EnvknitError(
      `invalid target Python version ${
        JSON.stringify(spec.pythonVersion)
      }: expected 3.12 or 3.12.4`,
      { hints: ["append t for a free-threaded build: 3.13t"] },
    );
  }
  const [major, minor, micro] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  const freeThreaded = m[4] === "t";
  if (freeThreaded && (major < 3 || (major === 3 && minor < 13))) {
    throw new EnvknitError(`free-threaded builds start with Python 3.13, not ${major}.${minor}`);
  }
  const target = parseTargetPlatform(spec.platform);
  if (target.platforms.length === 0) {
    bad(spec.platform, "no wheel can target it (macOS before 10.4?)");
  }
  const abis = cpythonAbis([major, minor], {
    pyDebug: 0,
    hasTotalRefcount: false,
    hasDebugPyd: false,
    gilDisabled: freeThreaded,
    withPymalloc: 1,
    unicodeSize: 4,
    maxUnicode: 0x10ffff,
  });
  const full = `${major}.${minor}.${micro}`;
  const os = {
    linux: { os_name: "posix", sys_platform: "linux", platform_system: "Linux" },
    macos: { os_name: "posix", sys_platform: "darwin", platform_system: "Darwin" },
    windows: { os_name: "nt", sys_platform: "win32", platform_system: "Windows" },
  }[target.os];
  const markers: MarkerEnvironment = {
    implementation_name: "cpython",
    implementation_version: full,
    os_name: os.os_name,
    platform_machine: target.machine,
    platform_python_implementation: "CPython",
    platform_release: "",
    platform_system: os.platform_system,
    platform_version: "",
    python_full_version: full,
    python_version: `${major}.${minor}`,
    sys_platform: os.sys_platform,
  };
  return {
    source: "target",
    executable: null,
    implementation: "cpython",
    interpreterName: "cp",
    interpreterVersion: `${major}${minor}`,
    pythonVersionInfo: [major, minor, micro],
    pythonVersion: full,
    abiflags: abis[0].replace(/^cp\d+/, ""),
    soabi: null,
    extSuffix: null,
    abis,
    platforms: target.platforms,
    platform: target.platforms[0],
    machine: target.machine,
    libc: target.libc,
    pointerBits: target.pointerBits,
    freeThreaded,
    markers,
  };
}
