"""A lock's install_path is honoured only inside the store, or for a lock the caller trusts (#14.2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import envknit
from support.store_factory import install_wheel, lock_entry, lock_yaml


def greeter_lock(store, install_path: str, name: str = "greeter") -> None:
    """A lock whose greeter 1.0 lists no wheel: only its install_path can find it."""
    entry = lock_entry(store.built[("greeter", "1.0")], dependencies=[], install_path=install_path)
    entry["wheels"] = []
    entry["name"] = name
    wordlib = lock_entry(store.built[("wordlib", "1.0")])
    store.lock.write_text(lock_yaml({"default": [entry, wordlib]}))


@pytest.fixture
def outside(store):
    """greeter 1.0 installed in a folder outside the store."""
    return install_wheel(store.root / "elsewhere", store.built[("greeter", "1.0")][0])


def refused(store, field_value: str) -> str:
    with pytest.raises(envknit.LockFileError) as info:
        envknit.configure_from_lock(store.lock)
    message = str(info.value)
    assert message.startswith(f"{store.lock}: environments.default[0] (greeter).install_path: {field_value!r}")
    assert "trust_install_path=True" in message
    assert envknit.get_registry().entries() == []  # nothing registered before the refusal
    return message


def test_an_install_path_outside_the_store_is_refused(store, outside):
    install_wheel(store.home, store.built[("wordlib", "1.0")][0])
    greeter_lock(store, str(outside))
    assert "outside the store" in refused(store, str(outside))
    greeter_lock(store, "/tmp")
    refused(store, "/tmp")


def test_relative_and_dot_dot_escapes_are_refused(store, outside):
    relative = os.path.relpath(outside, store.lock.parent)
    greeter_lock(store, relative)
    refused(store, relative)
    sneaky = str(store.home / "packages" / ".." / ".." / outside.relative_to(store.root))
    greeter_lock(store, sneaky)
    refused(store, sneaky)


def test_a_symlink_in_the_store_pointing_out_is_refused(store, outside):
    link = store.home / "packages" / "greeter" / "1.0" / "link"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside, target_is_directory=True)
    greeter_lock(store, str(link))
    refused(store, str(link))
    (store.home / "packages" / "evil").symlink_to(outside.parent.parent, target_is_directory=True)
    through = str(store.home / "packages" / "evil" / "1.0" / outside.name)
    greeter_lock(store, through)
    refused(store, through)


def test_the_store_itself_is_not_inside_the_store(store):
    for path in (str(store.home / "packages"), str(store.home)):
        greeter_lock(store, path)
        refused(store, path)


def test_an_unusable_path_is_one_error(store):
    greeter_lock(store, "a\x00b")
    with pytest.raises(envknit.LockFileError, match=r"install_path: 'a\\x00b' is not a usable path"):
        envknit.configure_from_lock(store.lock)


def test_an_install_path_inside_the_store_is_honoured(store):
    entry = install_wheel(store.home, store.built[("greeter", "1.0")][0])
    install_wheel(store.home, store.built[("wordlib", "1.0")][0])
    for path in (str(entry), str(entry.parent), os.path.relpath(entry, store.lock.parent)):
        envknit.get_registry().clear()
        greeter_lock(store, path)
        assert envknit.configure_from_lock(store.lock) == 2
        assert envknit.get_registry().find("greeter", "1.0").path == str(entry.resolve())


def test_an_install_path_in_another_packages_folder_is_refused(store):
    """A lock cannot make greeter import wordlib's files (or any other entry of the store)."""
    install_wheel(store.home, store.built[("greeter", "1.0")][0])
    wordlib = install_wheel(store.home, store.built[("wordlib", "1.0")][0])
    for path in (str(wordlib.parent.parent), str(wordlib)):
        greeter_lock(store, path)
        assert "is not in greeter's folder of the store" in refused(store, path)
    assert envknit.configure_from_lock(store.lock, trust_install_path=True) == 2
    assert envknit.get_registry().find("greeter", "1.0").path == str(wordlib.resolve())


def test_trust_install_path_honours_any_folder(store, outside):
    install_wheel(store.home, store.built[("wordlib", "1.0")][0])
    greeter_lock(store, str(outside))
    assert envknit.configure_from_lock(store.lock, trust_install_path=True) == 2
    assert envknit.get_registry().find("greeter", "1.0").path == str(outside.resolve())
    with envknit.use("greeter", "1.0") as greeter:
        assert greeter.hello() == "hello old"


def test_trust_install_path_is_keyword_only(store):
    with pytest.raises(TypeError):
        envknit.configure_from_lock(store.lock, None, True, True)  # noqa: FBT003 - the point of the test


def test_hostile_name_never_reaches_the_store(store):
    """`/tmp/x` as a package name was joined to $ENVKNIT_HOME/packages as an absolute path."""
    entry = lock_entry(store.built[("greeter", "1.0")])
    entry["name"] = str(store.root / "elsewhere")
    store.lock.write_text(lock_yaml({"default": [entry]}))
    with pytest.raises(envknit.LockFileError, match=r"environments\.default\[0\]\.name: .* is not a package name"):
        envknit.configure_from_lock(store.lock)


def test_installed_folder_is_the_one_check(store, outside):
    """configure_from_lock and SubInterpreterEnv.configure_from_lock (test_subinterpreter.py runs it
    under 3.13) find a package's folder through config.installed_folder."""
    from envknit.config import installed_folder
    from envknit.lock import read_lock

    greeter_lock(store, str(outside))
    lock = read_lock(store.lock)
    greeter = lock.environments["default"][0]
    with pytest.raises(envknit.LockFileError, match="outside the store"):
        installed_folder(greeter, lock, store.home)
    assert installed_folder(greeter, lock, store.home, trust_install_path=True) == Path(os.path.realpath(outside))
