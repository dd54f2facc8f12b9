"""A package shipping a module named like a standard-library module (a backport such as enum34)
never shadows the standard library: not through the import hook, use(), a worker or a
sub-interpreter (test_view.py checks environment views)."""

from __future__ import annotations

import sys

import pytest

import envknit
from support.store_factory import build_wheel, install_wheel, lock_entry, lock_yaml

BACKPORT = 'BACKPORT = True\nraise ImportError("the backport shadowed the standard library")\n'


@pytest.fixture
def backport_lock(store, tmp_path):
    """A lock whose default environment holds graphlib-backport (it ships ``graphlib.py``) and greeter."""
    wheel = build_wheel(tmp_path / "wheels", "graphlib-backport", "1.0", {
        "graphlib.py": BACKPORT, "graphlib_backport_extra.py": "VALUE = 1\n",
    })
    install_wheel(store.home, wheel)
    for key in (("greeter", "2.0"), ("wordlib", "2.0")):
        install_wheel(store.home, store.built[key][0])
    store.lock.write_text(lock_yaml({"default": [
        lock_entry([wheel]), lock_entry(store.built[("greeter", "2.0")]), lock_entry(store.built[("wordlib", "2.0")]),
    ]}))
    sys.modules.pop("graphlib", None)  # the finder is asked only for modules not loaded yet
    yield store
    sys.modules.pop("graphlib", None)


def test_the_import_hook_leaves_standard_library_names_alone(backport_lock):
    envknit.configure_from_lock(backport_lock.lock)
    registry = envknit.get_registry()
    assert registry.find("graphlib-backport", "1.0").import_names == ("graphlib_backport_extra",)
    assert "graphlib" not in registry.import_names
    import graphlib

    assert not hasattr(graphlib, "BACKPORT") and graphlib.__file__.startswith(sys.base_prefix)
    import graphlib_backport_extra  # the package's other modules are routed as usual

    assert graphlib_backport_extra.VALUE == 1


def test_use_and_workers_keep_the_standard_library(backport_lock, workers):
    envknit.configure_from_lock(backport_lock.lock)
    with envknit.use("graphlib-backport", "1.0") as module:
        import graphlib

        assert module is graphlib and not hasattr(graphlib, "BACKPORT")
    with envknit.worker("graphlib-backport", "1.0") as remote:  # the backport raises when imported
        assert "graphlib.TopologicalSorter" in repr(remote.TopologicalSorter)
        with pytest.raises(AttributeError):
            remote.BACKPORT  # noqa: B018 - the point of the test
