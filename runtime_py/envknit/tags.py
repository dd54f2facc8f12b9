"""The wheel tags this interpreter can load, most preferred first, computed with the stdlib only.

:func:`sys_tags` yields the same tags in the same order as ``packaging.tags.sys_tags()``:
CPython tags (``cp311-cp311-<platform>``), then abi3, then ``none``, then older abi3 versions,
then the ``py3x-none-<platform>`` and ``*-none-any`` fallbacks; platforms are the manylinux tags
from this glibc down to 2.5 (legacy names interleaved), musllinux when the interpreter links
musl, then ``linux_<arch>``.  The store keeps several builds of one version side by side (a
cp311 and a cp313 numpy); the lowest index in this list picks the one to load.
"""

from __future__ import annotations

import functools
import importlib.machinery
import os
import platform
import re
import struct
import sys
import sysconfig
from collections.abc import Iterator

__all__ = ["sys_tags", "tag_ranks", "platform_tags", "wheel_filename_tags", "best_rank"]

_LEGACY_MANYLINUX = {(2, 17): "manylinux2014", (2, 12): "manylinux2010", (2, 5): "manylinux1"}
_LAST_GLIBC_MINOR = {2: 50}  # glibc minors assumed to exist below a new major (none yet)
_32_BIT = struct.calcsize("P") == 4


def _normalize(text: str) -> str:
    return text.replace(".", "_").replace("-", "_").replace(" ", "_")


def _interpreter_name() -> str:
    name = sys.implementation.name
    return {"cpython": "cp", "pypy": "pp", "ironpython": "ip", "jython": "jy"}.get(name, name)


def _version_nodot(version: tuple[int, ...]) -> str:
    return "".join(str(v) for v in version)


def _interpreter_version() -> str:
    nodot = sysconfig.get_config_var("py_version_nodot")
    return str(nodot) if nodot else _version_nodot(sys.version_info[:2])


def _cpython_abis(version: tuple[int, int]) -> list[str]:
    nodot = _version_nodot(version)
    debug = sysconfig.get_config_var("Py_DEBUG")
    if debug is None:
        debug = hasattr(sys, "gettotalrefcount") or "_d.pyd" in importlib.machinery.EXTENSION_SUFFIXES
    threading = "t" if version >= (3, 13) and sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    abis = []
    if debug:
        abis.append(f"cp{nodot}{threading}")
    abis.insert(0, f"cp{nodot}{threading}{'d' if debug else ''}")
    return abis


def _generic_abi() -> list[str]:
    ext_suffix = sysconfig.get_config_var("EXT_SUFFIX") or ""
    parts = ext_suffix.split(".")
    if len(parts) < 3:
        return []
    soabi = parts[1]
    if soabi.startswith("cpython"):
        return ["cp" + soabi.split("-")[1]]
    if soabi.startswith("pypy"):
        return ["-".join(soabi.split("-")[:2])]
    if soabi.startswith("graalpy"):
        return ["-".join(soabi.split("-")[:3])]
    return [_normalize(soabi)]


def _glibc_version() -> tuple[int, int] | None:
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.36"
    except (AttributeError, OSError, ValueError):
        text = None
    if not text:
        return None
    m = re.match(r"glibc (\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _elf_interpreter(executable: str) -> str | None:
    """The PT_INTERP path of an ELF executable (``/lib/ld-musl-x86_64.so.1`` on musl), if any."""
    try:
        with open(executable, "rb") as f:
            head = f.read(64)
            if head[:4] != b"\x7fELF" or len(head) < 64:
                return None
            is64 = head[4] == 2
            order = "<" if head[5] == 1 else ">"
            if is64:
                phoff, = struct.unpack(order + "Q", head[32:40])
                phentsize, phnum = struct.unpack(order + "HH", head[54:58])
            else:
                phoff, = struct.unpack(order + "I", head[28:32])
                phentsize, phnum = struct.unpack(order + "HH", head[42:46])
            for i in range(min(phnum, 256)):
                f.seek(phoff + i * phentsize)
                ph = f.read(phentsize)
                if len(ph) < phentsize:
                    return None
                if struct.unpack(order + "I", ph[:4])[0] != 3:  # PT_INTERP
                    continue
                if is64:
                    offset, = struct.unpack(order + "Q", ph[8:16])
                    size, = struct.unpack(order + "Q", ph[32:40])
                else:
                    offset, = struct.unpack(order + "I", ph[4:8])
                    size, = struct.unpack(order + "I", ph[16:20])
                f.seek(offset)
                return f.read(min(size, 4096)).rstrip(b"\0").decode("utf-8", "replace")
    except OSError:
        return None
    return None


def _musl_version() -> tuple[int, int] | None:
    interp = _elf_interpreter(sys.executable)
    if not interp or "musl" not in interp:
        return None
    import subprocess  # noqa: PLC0415 - only on musl systems

    try:
        out = subprocess.run([interp], capture_output=True, text=True, timeout=5).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"Version (\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _linux_platforms() -> Iterator[str]:
    linux = _normalize(sysconfig.get_platform())
    if not linux.startswith("linux_"):
        yield linux
        return
    if _32_BIT:
        linux = {"linux_x86_64": "linux_i686", "linux_aarch64": "linux_armv8l"}.get(linux, linux)
    _, arch = linux.split("_", 1)
    archs = {"armv8l": ["armv8l", "armv7l"]}.get(arch, [arch])
    glibc = _glibc_version()
    if glibc is not None and _manylinux_abi_ok(archs):
        too_old = (2, 4) if set(archs) & {"x86_64", "i686"} else (2, 16)
        maxima = [glibc] + [(major, _LAST_GLIBC_MINOR.get(major, 50)) for major in range(glibc[0] - 1, 1, -1)]
        for a in archs:
            for major, top_minor in maxima:
                floor = too_old[1] if major == too_old[0] else -1
                for minor in range(top_minor, floor, -1):
                    yield f"manylinux_{major}_{minor}_{a}"
                    legacy = _LEGACY_MANYLINUX.get((major, minor))
                    if legacy:
                        yield f"{legacy}_{a}"
    musl = _musl_version() if glibc is None else None
    if musl is not None:
        for a in archs:
            for minor in range(musl[1], -1, -1):
                yield f"musllinux_{musl[0]}_{minor}_{a}"
    for a in archs:
        yield f"linux_{a}"


def _manylinux_abi_ok(archs: list[str]) -> bool:
    # packaging also inspects the ELF header on armv7l (hard-float ABI) and i686; those two are
    # accepted here without that check.
    if "armv7l" in archs or "i686" in archs:
        return True
    return any(a in {"x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64"} for a in archs)


def _mac_platforms() -> Iterator[str]:
    release = platform.mac_ver()[0] or "10.16"
    major, minor = (int(p) for p in (release.split(".") + ["0"])[:2])
    arch = platform.machine()
    if _32_BIT and arch == "x86_64":
        arch = "i386"
    formats = {
        "x86_64": ["x86_64", "intel", "fat64", "fat32", "universal2", "universal"],
        "arm64": ["arm64", "universal2"],
    }.get(arch, [arch, "universal"])
    if (major, minor) >= (11, 0):
        for m in range(major, 10, -1):
            for fmt in formats:
                yield f"macosx_{m}_0_{fmt}"
        major, minor = 10, 16
    if major == 10:
        if arch == "arm64":
            for m in range(16, 2, -1):
                yield f"macosx_10_{m}_universal2"
            return
        for m in range(minor, -1, -1):
            for fmt in formats:
                yield f"macosx_10_{m}_{fmt}"


def platform_tags() -> Iterator[str]:
    """The platform parts of this interpreter's tags, most specific first."""
    if sys.platform.startswith("linux"):
        yield from _linux_platforms()
    elif sys.platform == "darwin":
        yield from _mac_platforms()
    else:
        yield _normalize(sysconfig.get_platform())


def _py_versions(version: tuple[int, int]) -> Iterator[str]:
    yield f"py{version[0]}{version[1]}"
    yield f"py{version[0]}"
    for minor in range(version[1] - 1, -1, -1):
        yield f"py{version[0]}{minor}"


def sys_tags() -> Iterator[str]:
    """Every tag this interpreter supports, as ``interpreter-abi-platform`` strings, best first."""
    version = sys.version_info[:2]
    platforms = list(platform_tags())
    name = _interpreter_name()
    if name == "cp":
        interpreter = f"cp{_version_nodot(version)}"
        abis = _cpython_abis(version)
        for abi in abis:
            for p in platforms:
                yield f"{interpreter}-{abi}-{p}"
        use_abi3 = not any(a.endswith("t") for a in abis)
        if use_abi3:
            for p in platforms:
                yield f"{interpreter}-abi3-{p}"
        for p in platforms:
            yield f"{interpreter}-none-{p}"
        if use_abi3:
            for minor in range(version[1] - 1, 1, -1):
                for p in platforms:
                    yield f"cp{version[0]}{minor}-abi3-{p}"
        compat_interpreter: str | None = interpreter
    else:
        interpreter = name + _interpreter_version()
        abis = _generic_abi()
        if "none" not in abis:
            abis.append("none")
        for abi in abis:
            for p in platforms:
                yield f"{interpreter}-{abi}-{p}"
        compat_interpreter = "pp3" if name == "pp" else None
    for py in _py_versions(version):
        for p in platforms:
            yield f"{py}-none-{p}"
    if compat_interpreter:
        yield f"{compat_interpreter}-none-any"
    for py in _py_versions(version):
        yield f"{py}-none-any"


@functools.lru_cache(maxsize=1)
def tag_ranks() -> dict[str, int]:
    """``{tag: preference}`` for this interpreter; lower is better."""
    ranks: dict[str, int] = {}
    for i, tag in enumerate(sys_tags()):
        ranks.setdefault(tag, i)
    return ranks


def wheel_filename_tags(filename: str) -> list[str]:
    """The expanded tags of a wheel file name (``py2.py3-none-any`` gives two tags)."""
    stem = filename[:-4] if filename.endswith(".whl") else filename
    parts = stem.split("-")
    if len(parts) not in (5, 6):
        return []
    pys, abis, plats = parts[-3], parts[-2], parts[-1]
    return [f"{i}-{a}-{p}" for i in pys.split(".") for a in abis.split(".") for p in plats.split(".")]


def best_rank(tags: list[str]) -> int | None:
    """The best preference among ``tags`` for this interpreter, or None when none is supported."""
    ranks = tag_ranks()
    found = [ranks[t] for t in tags if t in ranks]
    return min(found) if found else None
