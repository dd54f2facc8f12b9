"""use(): routing by distribution, ContextVar scoping, locked dependencies, concurrency."""

from __future__ import annotations

import asyncio
import importlib
import importlib.metadata
import sys
import threading

import pytest

import envknit
from envknit import ContextExecutor, ContextThread, context_wrap
from support.store_factory import build_wheel, install_wheel, lock_entry, lock_yaml


def store_modules(configured) -> set[str]:
    root = str(configured.root.resolve())
    return {n for n, m in sys.modules.items() if (getattr(m, "__file__", None) or "").startswith(root)}


def test_routes_import_names_of_a_distribution(configured):
    with envknit.use("PyYAML", "5.4.1"):
        import yaml

        assert yaml.__version__ == "5.4.1"
        assert yaml.__file__.startswith(str(configured.home))  # not the PyYAML installed for python3
        assert yaml.dump([1]) == "fake-yaml 5.4.1: [1]"
    with envknit.use("beautifulsoup4", "4.12.3") as bs4_module:
        import bs4

        assert bs4 is bs4_module and bs4.__version__ == "4.12.3"
    with envknit.use("yaml", "6.0.1") as yaml6:  # an import name works too
        assert yaml6.__version__ == "6.0.1"


def test_the_with_target_is_the_module_imported_in_the_block(configured):
    with envknit.use("greeter", "1.0") as g:
        import greeter
        from greeter import hello

        assert g is greeter and hello is greeter.hello
        assert greeter.hello() == "hello old"


def test_nothing_is_left_in_sys_modules(configured):
    before = set(sys.modules)
    with envknit.use("greeter", "1.0"):
        import greeter
        import greeter.lazy  # noqa: F401
        import wordlib  # noqa: F401

        assert greeter.lazy_value() == "lazy 1.0"
        assert "greeter" not in sys.modules and "wordlib" not in sys.modules
    assert set(sys.modules) == before
    assert store_modules(configured) == set()


def test_nested_blocks_and_restoration(configured):
    assert envknit.active_versions() == {}
    with envknit.use("greeter", "1.0"):
        with envknit.use("PyYAML", "5.4.1"):
            import greeter
            import yaml

            assert greeter.__version__ == "1.0" and yaml.__version__ == "5.4.1"
            with envknit.use("greeter", "2.0"):
                import greeter

                assert greeter.__version__ == "2.0" and greeter.hello() == "hi new"
            import greeter

            assert greeter.__version__ == "1.0"
        assert envknit.active_versions() == {"greeter": "1.0", "wordlib": "1.0"}
    assert envknit.active_versions() == {}
    import greeter

    assert greeter.__version__ == "2.0"


def test_exception_in_a_block_restores_the_context(configured):
    with pytest.raises(ZeroDivisionError):
        with envknit.use("greeter", "1.0"):
            with envknit.use("wordlib", "2.0"):
                1 / 0
    assert envknit.active_versions() == {}
    import greeter

    assert greeter.__version__ == "2.0"


def test_old_version_runs_against_the_dependencies_locked_beside_it(configured):
    with envknit.use("greeter", "1.0") as old:
        assert envknit.active_versions() == {"greeter": "1.0", "wordlib": "1.0"}
        assert old.hello() == "hello old"
        import wordlib

        assert wordlib.__version__ == "1.0"
    with envknit.use("greeter", "2.0") as new:
        assert new.hello() == "hi new"
    # lazy imports made later, outside any block, still resolve in the module's environment
    assert old.dep_version() == "1.0" and new.dep_version() == "2.0"
    assert old.dep_version_via_importlib() == "1.0"
    assert old.lazy_value() == "lazy 1.0" and new.lazy_value() == "lazy 2.0"
    assert "wordlib" not in sys.modules or sys.modules["wordlib"].__version__ == "2.0"


def test_two_versions_side_by_side(configured):
    with envknit.use("greeter", "1.0") as v1:
        pass
    with envknit.use("greeter", "2.0") as v2:
        pass
    assert v1 is not v2
    assert (v1.hello(), v2.hello()) == ("hello old", "hi new")
    with envknit.use("greeter", "1.0") as again:
        assert again is v1  # modules are cached per environment, like sys.modules


def test_importlib_and_metadata_follow_the_block(configured):
    with envknit.use("greeter", "1.0"):
        assert importlib.import_module("greeter").__version__ == "1.0"
        assert importlib.import_module(".tones", "greeter").PREFIX == "hello"
        assert importlib.metadata.version("greeter") == "1.0"
        assert importlib.metadata.version("wordlib") == "1.0"
    assert importlib.metadata.version("greeter") == "2.0"
    assert "greeter" not in sys.modules or sys.modules["greeter"].__version__ == "2.0"


def test_unknown_version_says_what_is_registered(configured):
    with pytest.raises(envknit.VersionNotFoundError, match=r"greeter 9\.9 is not registered \(registered: 2\.0, 1\.0\)"):
        envknit.use("greeter", "9.9")
    with pytest.raises(envknit.VersionNotFoundError, match="not registered"):
        envknit.use("no-such-dist", "1.0")
    assert issubclass(envknit.VersionNotFoundError, ImportError)


def test_versions_compare_as_pep_440(configured):
    with envknit.use("greeter", "1.0.0") as g:
        assert g.__version__ == "1.0"


def test_c_extension_packages_raise_unless_auto_worker(configured, workers):
    with pytest.raises(envknit.CExtensionError, match="worker"):
        envknit.use("fastcalc", "1.0")
    from envknit.isolation.import_hook import CExtensionError

    assert CExtensionError is envknit.CExtensionError and issubclass(CExtensionError, ImportError)
    ctx = envknit.use("fastcalc", "1.0", auto_worker=True)
    assert isinstance(ctx, envknit.WorkerContext)
    with ctx as fc:
        assert isinstance(fc, envknit.ModuleProxy)
        assert fc.add(20, 22) == 42 and fc.BUILD == "1.0"
    assert "fastcalc" not in sys.modules
    # a pure-Python package with auto_worker=True stays in-process
    with envknit.use("greeter", "1.0", auto_worker=True) as g:
        assert isinstance(g, type(sys)) and g.hello() == "hello old"


def test_the_process_wide_version_of_a_c_extension_package_is_shared(store, workers):
    """use() of the version already loaded in-process loads nothing twice: it gives that module."""
    store.write({"default": [("markupsafe", "2.1.2")], "new": [("markupsafe", "2.1.5")]})
    envknit.configure_from_lock(store.lock)
    with envknit.use("markupsafe", "2.1.2") as m:
        import markupsafe as inside

        assert inside is m and m.BUILD == "2.1.2"  # BUILD comes from the compiled _speedups
        assert m.Markup("<i>") + "<x>" == "<i>&lt;x&gt;"
        assert envknit.import_version("markupsafe", "2.1.2") is m
    import markupsafe

    assert markupsafe is m and sys.modules["markupsafe"] is m
    with envknit.use("markupsafe", "2.1.2") as again:
        assert again is markupsafe
    with pytest.raises(envknit.CExtensionError, match=r"markupsafe 2\.1\.5 .*process-wide version is 2\.1\.2"):
        envknit.use("markupsafe", "2.1.5")
    with envknit.use("markupsafe", "2.1.5", auto_worker=True) as other:
        assert isinstance(other, envknit.ModuleProxy) and other.BUILD == "2.1.5"


def test_a_shared_c_extension_package_gets_the_process_wide_dependencies(configured):
    with envknit.use("fastcalc", "2.0") as fc:  # the default version: in-process, no worker
        assert fc.add(2, 3) == 5 and fc.word_version() == "2.0"
    import fastcalc
    import wordlib

    assert fastcalc is fc and fc.wordlib is wordlib  # one copy of each, as plain imports give


def test_import_version_and_alias(configured):
    old = envknit.import_version("greeter", "1.0")
    assert old.hello() == "hello old" and "greeter" not in sys.modules
    assert envknit.import_version("greeter", "1.0") is old
    aliased = envknit.import_version("greeter", "1.0", alias="greeter_v1")
    import greeter_v1
    import greeter_v1.tones
    from greeter_v1 import lazy

    assert greeter_v1 is aliased is old
    assert greeter_v1.tones.PREFIX == "hello" and lazy.VALUE == "lazy 1.0"
    assert greeter_v1.tones.__spec__.name == "greeter.tones"  # the real module, not a copy
    import greeter

    assert greeter.__version__ == "2.0"


def test_asyncio_tasks_are_isolated(configured):
    seen: dict[str, list[str]] = {"a": [], "b": []}

    async def task(label: str, version: str, other: asyncio.Event, mine: asyncio.Event):
        with envknit.use("greeter", version):
            for _ in range(5):
                import greeter
                import wordlib

                seen[label].append(f"{greeter.__version__}/{wordlib.__version__}")
                mine.set()
                await other.wait()  # let the other task run inside its own block
                other.clear()
                await asyncio.sleep(0)

    async def main():
        ea, eb = asyncio.Event(), asyncio.Event()
        await asyncio.wait_for(asyncio.gather(task("a", "1.0", eb, ea), task("b", "2.0", ea, eb)), 20)

    asyncio.run(main())
    assert seen == {"a": ["1.0/1.0"] * 5, "b": ["2.0/2.0"] * 5}


def test_threads_context_helpers(configured):
    def read_version() -> str:
        import greeter

        return greeter.__version__

    results: dict[str, str] = {}
    with envknit.use("greeter", "1.0"):
        plain = threading.Thread(target=lambda: results.__setitem__("plain", read_version()))
        snap = ContextThread(target=lambda: results.__setitem__("context", read_version()))
        wrapped = context_wrap(read_version)
        with ContextExecutor(max_workers=2) as pool:
            future = pool.submit(read_version)
            mapped = list(pool.map(lambda _: read_version(), range(3)))
    plain.start()
    snap.start()  # started after the block ended: the context was captured at __init__
    plain.join()
    snap.join()
    assert results == {"plain": "2.0", "context": "1.0"}
    assert future.result() == "1.0" and mapped == ["1.0"] * 3
    assert threading.Thread(target=wrapped).start() is None
    box: list[str] = []
    t = threading.Thread(target=lambda: box.append(wrapped()))
    t.start()
    t.join()
    assert box == ["1.0"]
    with ContextExecutor(max_workers=1) as pool:
        assert pool.submit(read_version).result() == "2.0"  # captured at submit(), outside any block


def test_concurrent_threads_load_different_versions_correctly(configured):
    """Threads load environments while another thread re-imports a registered package
    process-wide (set_default drops it from sys.modules each time): no thread sees another's
    versions, and nothing deadlocks."""
    envknit.clear_module_cache()
    errors: list[str] = []
    barrier = threading.Barrier(9)
    stop = threading.Event()

    def work(version: str):
        try:
            barrier.wait()
            for i in range(30):
                with envknit.use("greeter", version), envknit.use("PyYAML", "5.4.1"):
                    import greeter
                    import greeter.lazy
                    import wordlib
                    import yaml

                    got = (greeter.__version__, wordlib.__version__, greeter.lazy.VALUE, greeter.hello(), yaml.__version__)
                    want = (version, version, f"lazy {version}", "hello old" if version == "1.0" else "hi new", "5.4.1")
                    if got != want:
                        errors.append(f"{got} != {want}")
                if i % 10 == 9:
                    envknit.clear_module_cache()
                import greeter as plain

                if plain.__version__ != "2.0":
                    errors.append(f"process-wide greeter is {plain.__version__}")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    def flip_defaults():
        barrier.wait()
        while not stop.is_set():
            for version in ("5.4.1", "6.0.1"):
                envknit.set_default("PyYAML", version)
                import yaml

                if yaml.__version__ != version:
                    errors.append(f"process-wide yaml is {yaml.__version__}, default {version}")

    threads = [threading.Thread(target=work, args=("1.0" if i % 2 else "2.0",)) for i in range(8)]
    flipper = threading.Thread(target=flip_defaults)
    for t in [*threads, flipper]:
        t.start()
    for t in threads:
        t.join(120)
    stop.set()
    flipper.join(30)
    assert not any(t.is_alive() for t in [*threads, flipper]), "deadlock"
    assert errors == []
    assert store_modules(configured) <= {"greeter", "greeter.tones", "greeter.lazy", "wordlib", "yaml", "yaml.dumper"}


def test_relative_and_submodule_imports_inside_the_package(configured):
    with envknit.use("greeter", "1.0"):
        from greeter import tones
        from greeter.tones import PREFIX
        import greeter.lazy as lazy_module

        assert (tones.PREFIX, PREFIX, lazy_module.VALUE) == ("hello", "hello", "lazy 1.0")
        with pytest.raises(ImportError):
            import greeter.missing  # noqa: F401


def test_a_registered_package_first_imported_in_a_block_is_loaded_process_wide(configured):
    """fastcalc is no part of greeter 1.0's environment, so ``import fastcalc`` in the block loads
    the process-wide fastcalc (2.0), which must get the process-wide wordlib (2.0): it stays in
    sys.modules after the block, and wordlib 1.0 must not come with it."""
    with envknit.use("greeter", "1.0"):
        import fastcalc
        import wordlib

        assert wordlib.__version__ == "1.0"  # the block's own
        assert fastcalc.__version__ == "2.0" and fastcalc.word_version() == "2.0"
    assert sys.modules["fastcalc"] is fastcalc
    assert sys.modules["wordlib"].__version__ == "2.0"
    import wordlib

    assert wordlib.__version__ == "2.0" and fastcalc.wordlib is wordlib


def test_a_package_loaded_in_a_block_gets_process_wide_packages_it_was_not_locked_with(store, tmp_path):
    """``app`` 1.0 (locked with wordlib 1.0) imports fastcalc, which it was not locked with, while
    its environment's modules are swapped into sys.modules: fastcalc is loaded process-wide, with
    the process-wide wordlib 2.0, not with the wordlib 1.0 of app's environment."""
    app = build_wheel(tmp_path / "wheels", "app", "1.0", {
        "app/__init__.py": "import wordlib\nimport fastcalc\n",
    }, requires=["wordlib<2"])
    wheels = [app, *(store.built[key][0] for key in (("fastcalc", "2.0"), ("wordlib", "2.0"), ("wordlib", "1.0")))]
    for wheel in wheels:
        install_wheel(store.home, wheel)
    store.lock.write_text(lock_yaml({
        "default": [lock_entry(store.built[("fastcalc", "2.0")]), lock_entry(store.built[("wordlib", "2.0")])],
        "legacy": [lock_entry([app]), lock_entry(store.built[("wordlib", "1.0")])],
    }))
    envknit.configure_from_lock(store.lock)
    with envknit.use("app", "1.0") as a:
        assert a.wordlib.__version__ == "1.0"
        assert a.fastcalc.__version__ == "2.0" and a.fastcalc.word_version() == "2.0"
    assert sys.modules["fastcalc"] is a.fastcalc
    assert "wordlib" not in sys.modules or sys.modules["wordlib"].__version__ == "2.0"
    import wordlib

    assert wordlib.__version__ == "2.0" and a.fastcalc.wordlib is wordlib
    assert "app" not in sys.modules
