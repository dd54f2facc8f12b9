"""configure_from_lock(), defaults, enable()/disable() and strict mode."""

from __future__ import annotations

import builtins
import importlib
import importlib.metadata
import sys

import pytest

import envknit
from envknit.isolation.import_hook import VersionedFinder


def finders() -> list:
    return [f for f in sys.meta_path if isinstance(f, VersionedFinder)]


def test_registers_every_installed_package_and_enables_the_hook(configured):
    assert configured.count == 11  # 7 in default + 4 in legacy, no duplicates
    registry = envknit.get_registry()
    assert registry.versions("greeter") == ["2.0", "1.0"]
    assert registry.versions("PyYAML") == ["6.0.1", "5.4.1"]
    assert len(finders()) == 1 and sys.meta_path[0] is finders()[0]
    assert builtins.__import__.__module__ == "envknit.isolation.import_hook"


def test_one_environment(store):
    store.write()
    assert envknit.configure_from_lock(store.lock, env="legacy") == 4
    assert envknit.get_registry().versions("greeter") == ["1.0"]
    with pytest.raises(ValueError, match="nope"):
        envknit.configure_from_lock(store.lock, env="nope")


def test_lock_path_defaults_to_envknit_lock_then_the_folders_above(store, monkeypatch):
    store.write()
    monkeypatch.setenv("ENVKNIT_LOCK", str(store.lock))
    monkeypatch.chdir(store.root)
    assert envknit.configure_from_lock(env="legacy") == 4
    monkeypatch.delenv("ENVKNIT_LOCK")
    nested = store.lock.parent / "src" / "pkg"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert envknit.configure_from_lock() == 11


def test_first_registered_version_is_the_default(configured):
    import greeter

    assert greeter.__version__ == "2.0"  # "default" is registered before "legacy"
    assert greeter.hello() == "hi new"


def test_envknit_env_is_registered_first(store, monkeypatch):
    """Under `envknit run --env legacy` the defaults are that environment's versions."""
    store.write()
    monkeypatch.setenv("ENVKNIT_ENV", "legacy")
    envknit.configure_from_lock(store.lock)
    import greeter

    assert greeter.__version__ == "1.0"
    assert greeter.hello() == "hello old"


def test_set_default_switches_what_plain_imports_give(configured):
    import greeter

    assert greeter.__version__ == "2.0"
    envknit.set_default("greeter", "1.0")
    import greeter

    assert greeter.__version__ == "1.0"
    with envknit.use("greeter", "2.0"):
        import greeter

        assert greeter.__version__ == "2.0"
    import greeter

    assert greeter.__version__ == "1.0"


def test_set_default_brings_the_dependencies_locked_beside_that_version(configured):
    import greeter

    assert greeter.hello() == "hi new"
    envknit.set_default("greeter", "1.0")  # locked with wordlib 1.0 (legacy), not the default's 2.0
    import greeter
    import wordlib

    assert (greeter.__version__, greeter.dep_version(), wordlib.__version__) == ("1.0", "1.0", "1.0")
    assert greeter.hello() == "hello old"
    assert importlib.metadata.version("wordlib") == "1.0"
    envknit.set_default("greeter", "2.0")
    import greeter

    assert greeter.hello() == "hi new" and greeter.dep_version() == "2.0"


def test_auto_install_false_leaves_the_hook_off(store):
    store.write()
    envknit.configure_from_lock(store.lock, auto_install=False)
    assert finders() == []
    with pytest.raises(RuntimeError, match="enable"):
        envknit.use("greeter", "1.0")
    envknit.enable()
    with envknit.use("greeter", "1.0") as greeter:
        assert greeter.__version__ == "1.0"


def test_enable_is_idempotent_and_disable_restores_plain_imports(configured):
    real_import, real_import_module = builtins.__import__, importlib.import_module
    for _ in range(3):
        envknit.enable()
    assert len(finders()) == 1
    assert builtins.__import__ is real_import and importlib.import_module is real_import_module
    envknit.disable()
    assert finders() == []
    assert builtins.__import__.__module__ == "builtins"
    assert importlib.import_module.__module__ == "importlib"
    if configured.view is None:
        with pytest.raises(ImportError):
            import greeter  # noqa: F401 - only the hook knew where it is
    else:  # the interpreter of an environment view has its packages with or without the hook
        import greeter

        assert greeter.__version__ == "2.0" and greeter.__file__.startswith(str(configured.view))
        del sys.modules["greeter"]
    envknit.enable()
    import greeter

    assert greeter.__version__ == "2.0"


def test_strict_mode_refuses_packages_the_lock_does_not_provide(configured, tmp_path, monkeypatch):
    site = tmp_path / "lib" / "site-packages"
    (site / "unlocked_pkg").mkdir(parents=True)
    (site / "unlocked_pkg" / "__init__.py").write_text("")
    own = tmp_path / "src"
    (own / "my_own_module.py").parent.mkdir()
    (own / "my_own_module.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(own))
    try:
        envknit.enable(strict=True)
        with pytest.raises(ImportError, match="strict"):
            import unlocked_pkg  # noqa: F401
        import my_own_module  # the program's own code still imports
        import json  # and the standard library
        import greeter  # and locked packages

        assert my_own_module.VALUE == 1 and json and greeter.__version__ == "2.0"
        assert len(finders()) == 1
        envknit.enable(strict=False)
        import unlocked_pkg  # noqa: F401,F811
    finally:
        envknit.enable(strict=False)
        for name in ("unlocked_pkg", "my_own_module"):
            sys.modules.pop(name, None)
