/**
 * The Python program envknit runs once per interpreter (with `-I -S`: no site-packages, no
 * PYTHON* variables, nothing of the user's runs) to learn what wheels it can load. It uses the
 * standard library only, works on Python 3.4 and later, and prints one JSON object of raw facts;
 * `interpreter.ts` turns them into tags. It is kept here as a string so the tool needs no file
 * beside its modules when run from a URL or compiled.
 *
 * @module
 */

/** Bumped whenever the script's output changes, so cached probes from older scripts are ignored. */
export const PROBE_VERSION = 1;

/** The probe program. */
export const PROBE_SCRIPT = String.raw`
import json
import os
import platform
import struct
import subprocess
import sys
import sysconfig

try:
    from importlib.machinery import EXTENSION_SUFFIXES
except ImportError:
    EXTENSION_SUFFIXES = []


def config(name):
    value = sysconfig.get_config_var(name)
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def full_version(info):
    text = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        text += info.releaselevel[0] + str(info.serial)
    return text


def glibc_version():
    # os.confstr is what the platform module uses; ctypes is the fallback packaging has too.
    try:
        _, version = os.confstr("CS_GNU_LIBC_VERSION").rsplit()
        return version
    except (AttributeError, OSError, ValueError):
        pass
    try:
        import ctypes
        try:
            process = ctypes.CDLL(None)
        except OSError:
            return None
        function = process.gnu_get_libc_version
        function.restype = ctypes.c_char_p
        version = function()
        return version if isinstance(version, str) else version.decode("ascii")
    except Exception:
        return None


def elf_facts(path):
    # The ELF header (class, byte order, machine, flags) and the program interpreter (PT_INTERP).
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            klass, data = ident[4], ident[5]
            if klass not in (1, 2) or data not in (1, 2):
                return None
            order = "<" if data == 1 else ">"
            header = order + ("HHIIIIIHHHHHH" if klass == 1 else "HHIQQQIHHHHHH")
            fields = struct.unpack(header, f.read(struct.calcsize(header)))
            machine, phoff, flags, phentsize, phnum = fields[1], fields[4], fields[6], fields[8], fields[9]
            entry = order + ("IIIIIIII" if klass == 1 else "IIQQQQQQ")
            size = struct.calcsize(entry)
            interpreter = None
            for index in range(min(phnum, 1024)):
                f.seek(phoff + index * phentsize)
                ph = struct.unpack(entry, f.read(size))
                offset, filesz = (ph[1], ph[4]) if klass == 1 else (ph[2], ph[5])
                if ph[0] == 3:
                    f.seek(offset)
                    raw = f.read(min(filesz, 4096)).split(b"\0")[0]
                    interpreter = raw.decode("utf-8", "replace")
                    break
            return {"bits": 32 if klass == 1 else 64, "little_endian": data == 1,
                    "machine": machine, "flags": flags, "interpreter": interpreter}
    except (OSError, ValueError, struct.error):
        return None


def musl_version(loader):
    # The musl loader prints "musl libc (x86_64)" and "Version 1.2.4" when run without arguments.
    try:
        proc = subprocess.Popen([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=10)
    except Exception:
        return None
    lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    if len(lines) < 2 or not lines[0].startswith("musl"):
        return None
    words = lines[1].split()
    if len(words) < 2 or words[0] != "Version":
        return None
    parts = words[1].split(".")
    if len(parts) < 2 or not parts[0].isdigit():
        return None
    minor = ""
    for ch in parts[1]:
        if not ch.isdigit():
            break
        minor += ch
    return parts[0] + "." + minor if minor else None


def mac_version():
    release, _, machine = platform.mac_ver()
    if release.split(".")[:2] == ["10", "16"]:
        # Built against an old SDK, Python sees macOS 11+ as 10.16; ask again without that shim.
        try:
            out = subprocess.check_output(
                [sys.executable, "-sS", "-c", "import platform; print(platform.mac_ver()[0])"],
                env={"SYSTEM_VERSION_COMPAT": "0"})
            release = out.decode("ascii").strip()
        except Exception:
            pass
    return release, machine


facts = {
    "probe_version": int(sys.argv[1]) if len(sys.argv) > 1 else None,
    "executable": sys.executable,
    "prefix": sys.prefix,
    "base_prefix": getattr(sys, "base_prefix", sys.prefix),
    "version_info": list(sys.version_info[:3]) + [sys.version_info[3], sys.version_info[4]],
    "implementation_name": sys.implementation.name,
    "implementation_version": full_version(sys.implementation.version),
    "py_version_nodot": config("py_version_nodot"),
    "abiflags": getattr(sys, "abiflags", ""),
    "soabi": config("SOABI"),
    "ext_suffix": config("EXT_SUFFIX"),
    "extension_suffixes": list(EXTENSION_SUFFIXES),
    "py_debug": config("Py_DEBUG"),
    "has_totalrefcount": hasattr(sys, "gettotalrefcount"),
    "gil_disabled": bool(config("Py_GIL_DISABLED")),
    "with_pymalloc": config("WITH_PYMALLOC"),
    "unicode_size": config("Py_UNICODE_SIZE"),
    "maxunicode": sys.maxunicode,
    "platform": sysconfig.get_platform(),
    "system": platform.system(),
    "machine": platform.machine(),
    "pointer_bits": struct.calcsize("P") * 8,
    "emscripten_platform_version": config("PYEMSCRIPTEN_PLATFORM_VERSION"),
    "glibc": None,
    "musl": None,
    "elf": None,
    "mac_version": None,
    "mac_machine": None,
    "markers": {
        "implementation_name": sys.implementation.name,
        "implementation_version": full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_python_implementation": platform.python_implementation(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    },
}
if facts["system"] == "Linux":
    facts["glibc"] = glibc_version()
    elf = elf_facts(sys.executable)
    facts["elf"] = elf
    if elf and elf["interpreter"] and "musl" in elf["interpreter"]:
        facts["musl"] = musl_version(elf["interpreter"])
elif facts["system"] == "Darwin":
    facts["mac_version"], facts["mac_machine"] = mac_version()

sys.stdout.write(json.dumps(facts))
`;
