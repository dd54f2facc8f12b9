"""This interpreter's wheel tags, computed without packaging, against packaging itself."""

from __future__ import annotations

import pytest

from envknit import tags


def test_sys_tags_are_packagings_in_the_same_order():
    packaging_tags = pytest.importorskip("packaging.tags")
    assert list(tags.sys_tags()) == [str(t) for t in packaging_tags.sys_tags()]


def test_runtime_does_not_import_packaging():
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, envknit, envknit.tags; list(envknit.tags.sys_tags()); print('packaging' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout
    assert out.strip() == "False"


def test_wheel_file_names_expand_compressed_tag_sets():
    assert tags.wheel_filename_tags("six-1.16.0-py2.py3-none-any.whl") == ["py2-none-any", "py3-none-any"]
    assert tags.wheel_filename_tags("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl") == [
        "cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"]
    assert tags.wheel_filename_tags("pkg-1.0-1build-py3-none-any.whl") == ["py3-none-any"]
    assert tags.wheel_filename_tags("not-a-wheel.whl") == []


def test_best_rank_prefers_the_most_specific_build():
    import sys

    cp = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    plat = next(t for t in tags.sys_tags() if t.startswith(f"{cp}-{cp}-")).split("-", 2)[2]
    specific = tags.best_rank([f"{cp}-{cp}-{plat}"])
    abi3 = tags.best_rank([f"cp310-abi3-{plat}"]) if sys.version_info >= (3, 11) else None
    pure = tags.best_rank(["py3-none-any"])
    assert specific is not None and pure is not None and specific < pure
    if abi3 is not None:
        assert specific < abi3 < pure
    assert tags.best_rank(["cp27-cp27mu-linux_x86_64", "py2-none-any"]) is None
