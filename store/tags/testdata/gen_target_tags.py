"""Regenerates target_tags.json: the tags packaging would list on machines envknit can only
describe (`--python-version X.Y --platform <tag>`), for the differential test in
../target_test.ts. Run once by hand; the tests only read the JSON:

    python3 store/tags/testdata/gen_target_tags.py

packaging computes tags for the machine it runs on, so this script feeds its own generators the
facts of each target instead:

- Linux: packaging.tags._linux_platforms() with sysconfig.get_platform() answering
  "linux-<arch>", the glibc version (_manylinux._get_glibc_version) or musl version
  (_musllinux._get_musl_version) of the target, and the executable ABI check
  (_manylinux._have_compatible_abi) passing, since the target machine is assumed to run a
  matching interpreter;
- macOS: packaging.tags.mac_platforms(version, arch), which takes both as arguments;
- Windows: the single platform tag, as packaging.tags._generic_platforms() gives on Windows.

The ABIs come from packaging.tags._cpython_abis() with the config variables of a release build
(Py_DEBUG 0, WITH_PYMALLOC 1, Py_GIL_DISABLED for "t" targets), and the tag list is what
sys_tags() chains: cpython_tags(version, abis, platforms) + compatible_tags(version, "cpXY",
platforms). The list is stored as its length, first tags and SHA-256 (the full lists would be
megabytes); the platform list is stored whole.
"""

import hashlib
import json
import os
import subprocess
import sysconfig

import packaging
from packaging import _manylinux, _musllinux, tags

HERE = os.path.dirname(os.path.abspath(__file__))

# (python version, platform as given to envknit, the equivalent wheel platform tag)
TARGETS = [
    ("3.12", "manylinux_2_28_x86_64", None),
    ("3.11", "manylinux_2_36_x86_64", None),
    ("3.12.4", "manylinux_2_17_aarch64", None),
    ("3.10", "manylinux2014_x86_64", None),
    ("3.9", "manylinux2010_i686", None),
    ("3.8", "manylinux1_x86_64", None),
    ("3.7", "manylinux2014_x86_64", None),
    ("3.13t", "manylinux_2_28_x86_64", None),
    ("3.14", "manylinux_2_39_riscv64", None),
    ("3.12", "manylinux_2_31_armv7l", None),
    ("3.12", "manylinux_2_17_ppc64le", None),
    ("3.12", "manylinux_2_34_s390x", None),
    ("3.12", "linux_armv8l", "manylinux_2_17_armv8l"),
    ("3.12", "linux_x86_64", "manylinux_2_17_x86_64"),
    ("3.12", "musllinux_1_2_aarch64", None),
    ("3.11", "musllinux_1_1_x86_64", None),
    ("3.12", "macosx_11_0_arm64", None),
    ("3.13", "macosx_14_0_arm64", None),
    ("3.9", "macosx_10_9_x86_64", None),
    ("3.12", "macosx_12_0_x86_64", None),
    ("3.12", "macosx_11_0_universal2", None),
    ("3.12", "win_amd64", None),
    ("3.11", "win32", None),
    ("3.12", "win_arm64", None),
    # uv / packse target names, with the tag envknit documents them as
    ("3.12", "x86_64-manylinux2014", "manylinux2014_x86_64"),
    ("3.12", "x86_64-manylinux_2_28", "manylinux_2_28_x86_64"),
    ("3.12", "x86_64-unknown-linux-gnu", "manylinux_2_17_x86_64"),
    ("3.12", "aarch64-unknown-linux-musl", "musllinux_1_2_aarch64"),
    ("3.12", "aarch64-apple-darwin", "macosx_13_0_arm64"),
    ("3.12", "x86_64-pc-windows-msvc", "win_amd64"),
]

LEGACY = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def linux_platforms(arch, glibc, musl):
    saved = (sysconfig.get_platform, _manylinux._get_glibc_version,
             _manylinux._have_compatible_abi, _musllinux._get_musl_version)
    sysconfig.get_platform = lambda: "linux-" + arch
    _manylinux._get_glibc_version = lambda: _manylinux._GLibCVersion(*(glibc or (-1, -1)))
    _manylinux._have_compatible_abi = lambda executable, archs: True
    _musllinux._get_musl_version = lambda executable: _musllinux._MuslVersion(*musl) if musl else None
    try:
        return list(tags._linux_platforms(is_32bit=False))
    finally:
        (sysconfig.get_platform, _manylinux._get_glibc_version,
         _manylinux._have_compatible_abi, _musllinux._get_musl_version) = saved


def platforms_for(tag):
    parts = tag.split("_")
    if tag.startswith("manylinux_"):
        return linux_platforms("_".join(parts[3:]), (int(parts[1]), int(parts[2])), None)
    if parts[0] in LEGACY:
        return linux_platforms("_".join(parts[1:]), LEGACY[parts[0]], None)
    if tag.startswith("musllinux_"):
        return linux_platforms("_".join(parts[3:]), None, (int(parts[1]), int(parts[2])))
    if tag.startswith("macosx_"):
        return list(tags.mac_platforms((int(parts[1]), int(parts[2])), "_".join(parts[3:])))
    if tag in ("win_amd64", "win32", "win_arm64"):
        return [tag]
    raise ValueError(tag)


def abis_for(version, threaded):
    config = {"Py_DEBUG": 0, "WITH_PYMALLOC": 1, "Py_GIL_DISABLED": 1 if threaded else 0,
              "Py_UNICODE_SIZE": 4}
    saved = tags._get_config_var
    tags._get_config_var = lambda name, warn=False: config.get(name)
    try:
        return tags._cpython_abis(version)
    finally:
        tags._get_config_var = saved


def main():
    entries = []
    for python, platform, equivalent in TARGETS:
        threaded = python.endswith("t")
        numbers = python.rstrip("t").split(".")
        version = (int(numbers[0]), int(numbers[1]))
        platforms = platforms_for(equivalent or platform)
        abis = abis_for(version, threaded)
        listed = [str(t) for t in tags.cpython_tags(version, abis, platforms)]
        listed += [str(t) for t in tags.compatible_tags(version, "cp%d%d" % version, platforms)]
        entries.append({
            "python": python,
            "platform": platform,
            "abis": abis,
            "platforms": platforms,
            "tags_count": len(listed),
            "tags_head": listed[:24],
            "tags_sha256": hashlib.sha256("\n".join(listed).encode()).hexdigest(),
        })
    path = os.path.join(HERE, "target_tags.json")
    with open(path, "w") as f:
        json.dump({"generator": "store/tags/testdata/gen_target_tags.py",
                   "packaging": packaging.__version__, "targets": entries}, f)
    subprocess.run(["deno", "fmt", "-q", path], check=True)
    print(len(entries), "targets")


if __name__ == "__main__":
    main()
