"""Finding a lock's packages in the store, and reading what an installed wheel provides."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import pytest

import envknit
from envknit.lock import LockPackage, LockWheel
from envknit.store import DistInfo, find_installed
from support.store_factory import build_wheel, install_wheel, lock_entry, lock_yaml


def test_picks_the_installed_build_this_interpreter_prefers(configured):
    """multibuild 1.0 is installed as py3-none-any, cp311-cp311 and cp313-cp313 builds."""
    expected = {(3, 11): "cp311-cp311-linux_x86_64", (3, 13): "cp313-cp313-linux_x86_64"}.get(
        sys.version_info[:2], "py3-none-any")
    entry = envknit.get_registry().find("multibuild", "1.0")
    marker = json.loads((Path(entry.path) / ".envknit-entry.json").read_text())
    assert marker["tags"] == [expected]
    import multibuild

    assert multibuild.BUILD == expected


def test_falls_back_to_the_pure_build_when_no_specific_one_is_installed(store):
    pure, cp311, cp313 = store.built[("multibuild", "1.0")]
    install_wheel(store.home, pure)
    pkg = LockPackage("multibuild", "1.0", "default", wheels=tuple(
        LockWheel(w.file, w.sha256) for w in (pure, cp311, cp313)))
    found = find_installed(pkg, store.home)
    assert found == store.home / "packages" / "multibuild" / "1.0" / pure.sha256[:16]


def test_only_the_locks_wheels_count(store):
    """A build of the same version whose hash the lock does not list is never used (identity is the hash)."""
    pure, cp311, _ = store.built[("multibuild", "1.0")]
    install_wheel(store.home, cp311)
    pkg = LockPackage("multibuild", "1.0", "default", wheels=(LockWheel(pure.file, pure.sha256),))
    assert find_installed(pkg, store.home) is None
    install_wheel(store.home, pure)
    assert find_installed(pkg, store.home).name == pure.sha256[:16]


def test_an_entry_is_matched_by_its_full_sha256_not_its_folders_prefix(store):
    """A lock whose sha256 differs from the installed wheel's only past the 16 digits of the folder
    name (a tampered lock, or a wheel sharing the prefix) does not find that entry (#14.8)."""
    pure, _, _ = store.built[("multibuild", "1.0")]
    install_wheel(store.home, pure)
    forged = pure.sha256[:-1] + ("0" if pure.sha256[-1] != "0" else "1")
    pkg = LockPackage("multibuild", "1.0", "default", wheels=(LockWheel(pure.file, forged),))
    assert find_installed(pkg, store.home) is None
    honest = LockPackage("multibuild", "1.0", "default", wheels=(LockWheel(pure.file, pure.sha256),))
    assert find_installed(honest, store.home).name == pure.sha256[:16]


def test_install_path_outside_the_store_needs_trust_even_when_called_directly(store, tmp_path):
    """find_installed applies the in-store rule itself: it is not only config.installed_folder's."""
    wheel = store.built[("greeter", "1.0")][0]
    elsewhere = install_wheel(tmp_path / "other-store", wheel)
    for install_path in (str(elsewhere), str(Path("..") / elsewhere.relative_to(tmp_path.parent))):
        pkg = LockPackage("greeter", "1.0", "default", install_path=install_path)
        with pytest.raises(envknit.LockFileError, match=r"greeter 1\.0: install_path: .* is outside the store"):
            find_installed(pkg, store.home, lock_dir=tmp_path)
        found = find_installed(pkg, store.home, lock_dir=tmp_path, trust_install_path=True)
        assert found.resolve() == elsewhere.resolve()
    # an install_path naming a version folder of <hash16> entries picks the entry
    pkg = LockPackage("greeter", "1.0", "default", install_path=str(elsewhere.parent))
    assert find_installed(pkg, store.home, lock_dir=tmp_path, trust_install_path=True) == elsewhere


def test_install_path_in_the_store_is_honoured_only_under_the_packages_own_folder(store):
    greeter = install_wheel(store.home, store.built[("greeter", "1.0")][0])
    wordlib = install_wheel(store.home, store.built[("wordlib", "1.0")][0])
    for path in (greeter, greeter.parent):
        pkg = LockPackage("greeter", "1.0", "default", install_path=str(path))
        assert find_installed(pkg, store.home) == greeter
    # the package's name is normalised as the store's folders are
    assert find_installed(LockPackage("Greeter", "1.0", "default", install_path=str(greeter)), store.home) == greeter
    # a lock cannot point package A at package B's folder
    for path in (wordlib, wordlib.parent, store.home / "packages" / "wordlib"):
        pkg = LockPackage("greeter", "1.0", "default", install_path=str(path))
        with pytest.raises(envknit.LockFileError, match=r"is not in greeter's folder of the store .*packages/greeter\)"):
            find_installed(pkg, store.home)
        if path != store.home / "packages" / "wordlib":  # a name folder holds no entries: the lock's hashes decide
            assert find_installed(pkg, store.home, trust_install_path=True) == wordlib


def test_configure_uses_install_path_from_an_envknit_lock(store):
    """Outside the store only for a trusted lock (test_install_path.py has the rest)."""
    wheel = store.built[("wordlib", "1.0")][0]
    outside = install_wheel(store.root / "elsewhere", wheel)
    store.lock.write_text(lock_yaml({"default": [{"name": "wordlib", "version": "1.0",
                                                   "install_path": str(outside)}]}))
    assert envknit.configure_from_lock(store.lock, trust_install_path=True) == 1
    assert envknit.get_registry().find("wordlib", "1.0").path == str(outside.resolve())


def test_uninstalled_packages_are_skipped_with_a_warning(store):
    store.write(skip_install=(("greeter", "1.0"),))
    with pytest.warns(envknit.NotInstalledWarning, match="greeter 1.0"):
        count = envknit.configure_from_lock(store.lock)
    assert count == 10
    assert envknit.get_registry().versions("greeter") == ["2.0"]


def test_import_names_come_from_the_dist_info(configured):
    registry = envknit.get_registry()
    assert registry.find("PyYAML", "6.0.1").import_names == ("_yaml", "yaml")
    assert registry.find("PyYAML", "6.0.1").primary_module == "yaml"
    assert registry.find("beautifulsoup4", "4.12.3").import_names == ("bs4",)
    # no RECORD: top_level.txt
    oddity = registry.find("oddity", "0.1")
    assert not (Path(oddity.path) / "oddity-0.1.dist-info" / "RECORD").exists()
    assert oddity.import_names == ("oddmod",)


def test_c_extensions_are_detected_from_installed_files(configured):
    registry = envknit.get_registry()
    assert registry.find("fastcalc", "1.0").has_c_extensions
    assert not registry.find("greeter", "1.0").has_c_extensions
    assert not registry.find("PyYAML", "6.0.1").has_c_extensions


def test_store_folders_are_not_import_names(tmp_path):
    """RECORD lists the entry's bin/ and data/ (as the tool writes it); they are not packages."""
    wheel = build_wheel(tmp_path / "w", "tool", "1.0", {
        "tool/__init__.py": "",
        "tool-1.0.data/scripts/run.py": "print(1)\n",
        "tool-1.0.data/data/share/tool/plugin.py": "",
        "tool-1.0.data/headers/tool.h": "",
    })
    entry = install_wheel(tmp_path / "home", wheel)
    assert (entry / "bin" / "run.py").is_file() and (entry / "data" / "share" / "tool" / "plugin.py").is_file()
    assert "bin/run.py" in (entry / "tool-1.0.dist-info" / "RECORD").read_text()
    assert DistInfo(entry, "tool").import_names() == ["tool"]


def _installed(store, name: str, version: str) -> Path:
    wheel = store.built[(name, version)][0]
    return store.home / "packages" / name.lower() / version / wheel.sha256[:16]


def _record(entry: Path) -> Path:
    return next(entry.glob("*.dist-info")) / "RECORD"


def test_a_record_that_lists_no_module_falls_back_to_top_level_then_the_folder(store):
    """A truncated RECORD must not leave the package silently unrouted."""
    store.write()
    _record(_installed(store, "greeter", "1.0")).write_text("")
    wordlib = _installed(store, "wordlib", "1.0")
    info = next(wordlib.glob("*.dist-info"))
    _record(wordlib).write_text(f"{info.name}/METADATA,,\n{info.name}/RECORD,,\n")
    assert not (info / "top_level.txt").exists()  # so wordlib's names come from the folder
    envknit.configure_from_lock(store.lock)
    registry = envknit.get_registry()
    assert registry.find("greeter", "1.0").import_names == ("greeter",)
    assert registry.find("wordlib", "1.0").import_names == ("wordlib",)
    with envknit.use("greeter", "1.0") as greeter:
        import wordlib

        assert greeter.__version__ == "1.0" and wordlib.__version__ == "1.0"
        assert greeter.hello() == "hello old"


def test_top_level_txt_is_used_when_record_is_empty(tmp_path):
    wheel = build_wheel(tmp_path / "w", "quiet", "1.0", {"quietmod/__init__.py": ""}, top_level=["quietmod"])
    entry = install_wheel(tmp_path / "home", wheel)
    _record(entry).write_text("")
    (entry / "stray").mkdir()  # not a module: top_level.txt is asked before the folder
    assert DistInfo(entry, "quiet").import_names() == ["quietmod"]


def test_c_extensions_are_found_when_record_does_not_list_them(store):
    store.write()
    _record(_installed(store, "fastcalc", "1.0")).write_text("")
    record = _record(_installed(store, "fastcalc", "2.0"))
    record.write_text("".join(ln + "\n" for ln in record.read_text().splitlines() if ".so," not in ln))
    envknit.configure_from_lock(store.lock)
    registry = envknit.get_registry()
    assert registry.find("fastcalc", "2.0").has_c_extensions  # RECORD without the .so, abi3 tags
    assert registry.find("fastcalc", "1.0").has_c_extensions  # empty RECORD
    with pytest.raises(envknit.CExtensionError, match="C extensions"):
        envknit.use("fastcalc", "1.0")  # not the process-wide version: its .so would load twice
    assert not registry.find("greeter", "1.0").has_c_extensions
