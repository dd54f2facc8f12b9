"""Fixtures: real wheels built once per session, a fresh store and lock per test, and a runtime
reset after each test (hook removed, registry emptied, test modules and workers gone)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(RUNTIME))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import envknit  # noqa: E402
from envknit.isolation import import_hook  # noqa: E402
from support.packages import LOCKED, build_all, install_and_lock  # noqa: E402


def _tempdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


@pytest.fixture
def tmp_path():
    """A temporary folder removed after the test (pytest's own are kept for a few runs)."""
    path = _tempdir("envknit-pytest-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def built():
    """Every test wheel, built once (including two compiles of a real C extension)."""
    out = _tempdir("envknit-wheels-")
    try:
        yield build_all(out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def reset_runtime(roots: list[Path]) -> None:
    """Undo everything the runtime did in this process during a test."""
    envknit.disable()
    envknit.get_registry().clear()
    envknit.clear_module_cache()
    for alias in list(import_hook._aliases):
        sys.modules.pop(alias, None)
    import_hook._aliases.clear()
    prefixes = tuple(str(r.resolve()) for r in roots)
    for name, mod in list(sys.modules.items()):
        if (getattr(mod, "__file__", None) or "").startswith(prefixes):
            del sys.modules[name]


class Store:
    """A fresh $ENVKNIT_HOME with every test wheel installed and a lock beside it."""

    def __init__(self, root: Path, built):
        self.root = root
        self.home = root / "home"
        self.lock = root / "project" / "envknit.lock.yaml"
        self.lock.parent.mkdir(parents=True)
        self.built = built

    def write(self, environments: dict | None = None, skip_install: tuple = ()) -> Path:
        return install_and_lock(self.built, self.home, self.lock, environments, skip_install)


@pytest.fixture
def store(built, monkeypatch):
    root = _tempdir("envknit-store-")
    monkeypatch.setenv("ENVKNIT_HOME", str(root / "home"))
    monkeypatch.delenv("ENVKNIT_LOCK", raising=False)
    monkeypatch.delenv("ENVKNIT_ENV", raising=False)
    s = Store(root, built)
    try:
        yield s
    finally:
        reset_runtime([root])
        shutil.rmtree(root, ignore_errors=True)


def enter_view(view: Path) -> None:
    """Make this process act as the interpreter of environment view ``view``: the runtime reads
    its view.json, and its site-packages joins sys.path after the standard library (before the
    site-packages of the interpreter running the tests, which a real view would not have)."""
    from envknit.view import _set_current, read_view

    parsed = read_view(str(view))
    assert parsed is not None, f"{view} has no readable view.json"
    _set_current(parsed)
    site_dirs = [i for i, p in enumerate(sys.path) if p.endswith(("site-packages", "dist-packages"))]
    sys.path.insert(site_dirs[0] if site_dirs else len(sys.path), parsed.site_packages)


def leave_view() -> None:
    from envknit.view import _UNREAD, _set_current, current_view

    view = current_view()
    if view is not None:
        while view.site_packages in sys.path:
            sys.path.remove(view.site_packages)
        sys.path_importer_cache.pop(view.site_packages, None)
    _set_current(_UNREAD)


@pytest.fixture(params=["lock", "view"])
def configured(store, request):
    """The store with the full lock written and configure_from_lock() done (hook enabled).

    Twice: ``lock`` calls configure_from_lock(lock) as a program under the old ``envknit run``
    does; ``view`` runs as the interpreter of the lock's default environment view would
    (support/view_factory.py builds it) and calls configure_from_lock() with no argument, so the
    defaults are the view's entries and plain imports of them go through its site-packages.
    """
    store.write()
    store.view = None
    if request.param == "view":
        from support.view_factory import view_for

        store.view = view_for(sys.executable, store.home, store.lock, "default", RUNTIME / "envknit")
        enter_view(store.view)
        try:
            store.count = envknit.configure_from_lock()
        except BaseException:
            leave_view()
            raise
    else:
        store.count = envknit.configure_from_lock(store.lock)
    try:
        yield store
    finally:
        leave_view()


@pytest.fixture
def workers():
    """Stops every worker process the test started."""
    from envknit.isolation.workers import ProcessPool

    yield ProcessPool.instance()
    ProcessPool.instance().shutdown()


__all__ = ["LOCKED"]
