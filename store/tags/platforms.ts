/**
 * Platform tags a machine supports, most specific first, in the order `packaging.tags` yields
 * them: PEP 600 manylinux (with the legacy PEP 513/571/599 aliases), PEP 656 musllinux, the plain
 * `linux_<arch>` tag, and macOS versions with their fat/universal binary formats.
 *
 * These functions are pure: the facts about the machine (glibc version, CPU, …) come from the
 * interpreter probe or from a `--platform` target.
 *
 * @module
 */

/** A `major.minor` pair (glibc, musl, macOS versions). */
export type VersionPair = readonly [number, number];

/** Facts about a Linux machine's ELF executable that decide whether manylinux wheels can load. */
export interface ElfAbi {
  /** 32 or 64 (ELF class of the interpreter's executable). */
  bits: 32 | 64;
  /** True for little-endian. */
  littleEndian: boolean;
  /** `e_machine` (3 = i386, 40 = ARM, 62 = x86-64, 183 = AArch64, …). */
  machine: number;
  /** `e_flags` (the ARM EABI version and hard-float bit live here). */
  flags: number;
}

const EM_386 = 3;
const EM_ARM = 40;
const EF_ARM_ABIMASK = 0xff000000;
const EF_ARM_ABI_VER5 = 0x05000000;
const EF_ARM_ABI_FLOAT_HARD = 0x00000400;

// Architectures for which manylinux wheels exist without further checks of the executable.
const MANYLINUX_ARCHS = new Set([
  "x86_64",
  "aarch64",
  "ppc64",
  "ppc64le",
  "s390x",
  "loongarch64",
  "riscv64",
]);

// The highest minor glibc version assumed for a major version that has been superseded (only
// relevant if glibc 3 ever ships): every 2.x down to the floor stays compatible.
const LAST_GLIBC_MINOR = 50;

// The manylinux tags that predate PEP 600, each the alias of one glibc version.
const LEGACY_MANYLINUX = new Map<string, string>([
  ["2.17", "manylinux2014"],
  ["2.12", "manylinux2010"],
  ["2.5", "manylinux1"],
]);

/**
 * Whether manylinux wheels for `archs` can load at all: 32-bit ARM needs the hard-float EABI5
 * ABI and i686 a 32-bit x86 executable (checked on `elf` when known; a synthetic target passes
 * `null` and is taken at its word); other architectures must be among those manylinux covers.
 */
export function manylinuxAbiCompatible(archs: readonly string[], elf: ElfAbi | null): boolean {
  if (archs.includes("armv7l")) {
    return elf === null ||
      (elf.bits === 32 && elf.littleEndian && elf.machine === EM_ARM &&
        ((elf.flags & EF_ARM_ABIMASK) >>> 0) === EF_ARM_ABI_VER5 &&
        (elf.flags & EF_ARM_ABI_FLOAT_HARD) === EF_ARM_ABI_FLOAT_HARD);
  }
  if (archs.includes("i686")) {
    return elf === null || (elf.bits === 32 && elf.littleEndian && elf.machine === EM_386);
  }
  return archs.some((a) => MANYLINUX_ARCHS.has(a));
}

/**
 * manylinux platform tags for a glibc version: for each arch, `manylinux_<major>_<minor>_<arch>`
 * from the machine's glibc down to the oldest the arch has (2.17, or 2.5 on x86), each legacy
 * alias right after the PEP 600 tag it names. Empty when `glibc` is null (not a glibc system) or
 * the ABI check fails.
 */
export function manylinuxPlatforms(
  archs: readonly string[],
  glibc: VersionPair | null,
  elf: ElfAbi | null,
): string[] {
  if (glibc === null || !manylinuxAbiCompatible(archs, elf)) return [];
  // Below this version nothing is generated: 2.17 everywhere, 2.5 where manylinux1 existed.
  const floor: VersionPair = archs.some((a) => a === "x86_64" || a === "i686") ? [2, 5] : [2, 17];
  const [major, minor] = glibc;
  // Compatibility holds across major versions too, so older majors contribute all their minors.
  const tops: VersionPair[] = [[major, minor]];
  for (let m = major - 1; m > 1; m--) tops.push([m, LAST_GLIBC_MINOR]);
  const out: string[] = [];
  for (const arch of archs) {
    for (const [topMajor, topMinor] of tops) {
      const lowest = topMajor === floor[0] ? floor[1] : 0;
      for (let m = topMinor; m >= lowest; m--) {
        out.push(`manylinux_${topMajor}_${m}_${arch}`);
        const legacy = LEGACY_MANYLINUX.get(`${topMajor}.${m}`);
        if (legacy) out.push(`${legacy}_${arch}`);
      }
    }
  }
  return out;
}

/** musllinux platform tags: `musllinux_<major>_<minor>_<arch>` from the musl version down to 0. */
export function musllinuxPlatforms(archs: readonly string[], musl: VersionPair | null): string[] {
  if (musl === null) return [];
  const out: string[] = [];
  for (const arch of archs) {
    for (let m = musl[1]; m >= 0; m--) out.push(`musllinux_${musl[0]}_${m}_${arch}`);
  }
  return out;
}

/**
 * The architectures a Linux interpreter's wheels may target, closest first: 32-bit ARMv8 can also
 * run ARMv7 code; others only their own.
 */
export function linuxArchs(arch: string): string[] {
  return arch === "armv8l" ? ["armv8l", "armv7l"] : [arch];
}

/**
 * Every platform tag of a Linux machine, in `packaging` order: manylinux, then musllinux, then
 * `linux_<arch>`. `arch` is the part of `linux_<arch>` after any 32-bit-on-64-bit correction.
 */
export function linuxPlatforms(
  arch: string,
  libc: { glibc: VersionPair | null; musl: VersionPair | null; elf: ElfAbi | null },
): string[] {
  const archs = linuxArchs(arch);
  return [
    ...manylinuxPlatforms(archs, libc.glibc, libc.elf),
    ...musllinuxPlatforms(archs, libc.musl),
    ...archs.map((a) => `linux_${a}`),
  ];
}

/** macOS binary formats a `cpuArch` machine of macOS `version` can load, preferred first. */
export function macBinaryFormats(version: VersionPair, cpuArch: string): string[] {
  const older = (a: VersionPair, b: VersionPair) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
  const formats = [cpuArch];
  switch (cpuArch) {
    case "x86_64":
      if (older(version, [10, 4])) return [];
      formats.push("intel", "fat64", "fat32");
      break;
    case "i386":
      if (older(version, [10, 4])) return [];
      formats.push("intel", "fat32", "fat");
      break;
    case "ppc64":
      if (older([10, 5], version) || older(version, [10, 4])) return [];
      formats.push("fat64");
      break;
    case "ppc":
      if (older([10, 6], version)) return [];
      formats.push("fat32", "fat");
      break;
  }
  if (cpuArch === "arm64" || cpuArch === "x86_64") formats.push("universal2");
  if (["x86_64", "i386", "ppc64", "ppc", "intel"].includes(cpuArch)) formats.push("universal");
  return formats;
}

/**
 * macOS platform tags for macOS `version` on `arch`, in `packaging.tags.mac_platforms` order:
 * 10.x releases count down the minor version; from 11 on the major version counts down (with
 * minor 0), then the 10.16 … 10.4 releases follow (all formats on x86_64, only universal2 on
 * arm64, since no arm64-only binaries predate macOS 11).
 */
export function macPlatforms(version: VersionPair, arch: string): string[] {
  const out: string[] = [];
  const emit = (major: number, minor: number, formats: string[]) => {
    for (const f of formats) out.push(`macosx_${major}_${minor}_${f}`);
  };
  const [major, minor] = version;
  if (major === 10) {
    for (let m = minor; m >= 0; m--) emit(10, m, macBinaryFormats([10, m], arch));
  }
  if (major >= 11) {
    for (let M = major; M > 10; M--) emit(M, 0, macBinaryFormats([M, 0], arch));
    for (let m = 16; m > 3; m--) {
      emit(10, m, arch === "x86_64" ? macBinaryFormats([10, m], arch) : ["universal2"]);
    }
  }
  return out;
}

/** The CPU name macOS tags use for an interpreter: 32-bit builds map to `ppc` or `i386`. */
export function macArch(machine: string, is32bit: boolean): string {
  if (!is32bit) return machine;
  return machine.startsWith("ppc") ? "ppc" : "i386";
}

/** A platform string as a tag component: `.`, `-` and spaces become `_` (`linux-x86_64`). */
export function normalizePlatform(platform: string): string {
  return platform.replace(/[.\- ]/g, "_");
}
