"""Regenerates wheel_filenames.json: packaging's verdict on a sample of real wheel file names.

Run once by hand (not by the tests, which only read the JSON):

    python3 store/wheel/testdata/gen_wheel_filenames.py [/opt/pypi/files]

The sample is every file name with a build tag or a compressed tag set from the mirror folder, and
an even spread of the rest (a few hundred in all), plus hand-written names for platforms the mirror
does not carry (macOS, Windows, musl, PyPy, free-threaded) and invalid names. Each entry holds what
packaging.utils.parse_wheel_filename returns: the canonical name, str(version), the build tag and
the sorted tags, or the exception for an invalid name.
"""

import json
import os
import subprocess
import sys

import packaging
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = 320

EXTRA_VALID = [
    "numpy-2.1.3-cp313-cp313t-macosx_14_0_arm64.whl",
    "numpy-2.1.3-cp312-cp312-macosx_10_13_x86_64.whl",
    "numpy-2.1.3-cp312-cp312-win_amd64.whl",
    "numpy-2.1.3-cp312-cp312-win32.whl",
    "numpy-2.1.3-cp312-cp312-win_arm64.whl",
    "numpy-2.1.3-cp312-cp312-musllinux_1_2_aarch64.whl",
    "numpy-2.1.3-pp310-pypy310_pp73-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "cffi-1.17.1-cp313-cp313-macosx_11_0_universal2.whl",
    "pywin32-308-cp312-cp312-win_amd64.whl",
    "six-1.16.0-py2.py3-none-any.whl",
    "Foo.Bar_baz-1.0-py3-none-any.whl",
    "foo-1!2.0-py3-none-any.whl",
    "foo-1.0+local.7-py3-none-any.whl",
    "foo-1.0.post1.dev3-py3-none-any.whl",
    "foo-2.0rc1-1-py3-none-any.whl",
    "foo-2.0-12abc-py3-none-any.whl",
    "foo-1.0-PY3-NONE-ANY.whl",
    "foo-1.0-cp39.cp310.cp311-abi3-manylinux_2_17_x86_64.manylinux_2_28_x86_64.whl",
    "foo-1.0-py3-none-pyemscripten_2025_0_wasm32.whl",
    "foo-1.0-graalpy311-graalpy242_311_native-linux_x86_64.whl",
    "foo-1.0-cp312-abi3-android_21_arm64_v8a.whl",
    "foo-1.0-cp313-cp313-ios_13_0_arm64_iphoneos.whl",
]

# Names both sides must refuse (packaging accepts an empty tag or name, which envknit refuses too
# strictly for a differential entry, so those are tested separately in the Deno test).
EXTRA_INVALID = [
    "foo-1.0-py3-none-any.zip",
    "foo-1.0-py3-none.whl",
    "foo-1.0-1-2-py3-none-any.whl",
    "foo-bar-1.0-1-2-py3-none-any.whl",
    "foo-not.a.version-py3-none-any.whl",
    "foo-1.0-x1-py3-none-any.whl",
    "foo__bar-1.0-py3-none-any.whl",
    "foo bar-1.0-py3-none-any.whl",
    "foo-1.0..0-py3-none-any.whl",
    "foo-1.0-py3-none-any.WHL",
    ".whl",
]


def entry(filename):
    try:
        name, version, build, tags = parse_wheel_filename(filename)
    except InvalidWheelFilename as e:
        return {"filename": filename, "ok": False, "error": str(e)}
    return {
        "filename": filename,
        "ok": True,
        "name": name,
        "version": str(version),
        "build": {"number": build[0], "tag": build[1]} if build else None,
        "tags": sorted(str(t) for t in tags),
    }


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/opt/pypi/files"
    names = sorted(n for n in os.listdir(folder) if n.endswith(".whl"))
    special = [n for n in names if n[:-4].count("-") == 5 or "." in n[:-4].split("-")[-1]
               or "." in n[:-4].split("-")[-3]]
    rest = [n for n in names if n not in set(special)]
    step = max(1, len(rest) // max(1, TARGET - len(special)))
    sample = sorted(set(special) | set(rest[::step]))
    out = {
        "generator": "store/wheel/testdata/gen_wheel_filenames.py",
        "packaging": packaging.__version__,
        "entries": [entry(n) for n in sample + EXTRA_VALID + EXTRA_INVALID],
    }
    path = os.path.join(HERE, "wheel_filenames.json")
    with open(path, "w") as f:
        json.dump(out, f, sort_keys=True)
    # The repository's formatter owns the layout (`deno fmt --check` runs in CI).
    subprocess.run(["deno", "fmt", "-q", path], check=True)
    print(len(out["entries"]), "entries")


if __name__ == "__main__":
    main()
