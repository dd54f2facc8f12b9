"""Islands (envknit.isolation.islands): seed 004 in one process, dep_a seeing tabular 1.4.0 and
dep_b tabular 2.1.0, with the store entries of real wheels."""

from __future__ import annotations

import importlib
import pickle
import sys

import pytest

from envknit.isolation import islands as islands_mod
from envknit.isolation.islands import IslandEntry, install_islands
from support.islands_factory import MODULES, seed_store


def _drop_modules():
    for name in list(sys.modules):
        if name.partition(".")[0] in MODULES or name.startswith(islands_mod.PREFIX):
            del sys.modules[name]


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    return seed_store(tmp_path_factory.mktemp("islands"))


def seed_entries(seed, *, formats_per_island=True):
    return [
        IslandEntry("tabular", "1.4.0", seed["tabular-1.4.0"], islands=(0,)),
        IslandEntry("tabular", "2.1.0", seed["tabular-2.1.0"], islands=(1,)),
        IslandEntry("dep-a", "1.0", seed["dep_a-1.0"], islands=(0,)),
        IslandEntry("dep-b", "1.0", seed["dep_b-1.0"], islands=(1,)),
        IslandEntry("formats", "3.0", seed["formats-3.0"], per_island=formats_per_island),
        IslandEntry("common", "1.0", seed["common-1.0"]),
    ]


@pytest.fixture
def islands(seed):
    _drop_modules()
    routed = install_islands(seed_entries(seed), 2)
    try:
        yield routed
    finally:
        routed.uninstall()
        _drop_modules()


def app(code: str) -> dict:
    """Run ``code`` as the application's own code (a plain module, plain builtins)."""
    scope = {"__name__": "__app__"}
    exec(code, scope)
    return scope


def test_each_dependency_sees_the_version_it_was_locked_with(islands):
    import dep_a
    import dep_b

    assert dep_a.VERSION_AT_IMPORT == "1.4.0"
    assert dep_b.VERSION_AT_IMPORT == "2.1.0"
    for fn in ("version", "lazy_version", "lazy_from", "via_importlib", "via_dunder_import", "via_exec",
               "metadata_version", "metadata_module_version"):
        assert (getattr(dep_a, fn)(), getattr(dep_b, fn)()) == ("1.4.0", "2.1.0"), fn
    for fn in ("lazy_submodule", "via_importlib_sub"):
        assert (getattr(dep_a, fn)(), getattr(dep_b, fn)()) == ("1.4.0", "2.1.0"), fn


def test_submodules_and_relative_imports_stay_in_the_island(islands):
    import dep_a
    import dep_b

    assert dep_b.tcore.Frame.version == "2.1.0"
    assert dep_b.tcore.__name__ == "_envknit_islands.i1.tabular.core"
    assert dep_b.csv.VERSION == "2.1.0"  # `from .. import __version__` inside the split package
    assert dep_b.csv.Frame is dep_b.Frame
    assert dep_a.csv.VERSION == "1.4.0"
    # a subpackage loaded later through importlib, by absolute and by relative name
    assert (dep_a.lazy_format("json"), dep_b.lazy_format("json")) == ("1.4.0", "2.1.0")
    assert dep_b.lazy_format_relative("json") == "2.1.0"
    assert "_envknit_islands.i1.tabular.formats.json" in sys.modules
    assert dep_b.frame([[1, 2, 3]]).width() == 3


def test_the_application_sees_the_default_island_and_sys_modules_agrees(islands):
    import dep_b

    scope = app("import tabular\nfrom tabular import Frame\nimport dep_b\nv = tabular.__version__")
    assert scope["v"] == "1.4.0"
    assert sys.modules["tabular"] is scope["tabular"]
    assert sys.modules["_envknit_islands.i1.tabular"] is dep_b.tabular_module()
    assert dep_b.tabular_module() is not scope["tabular"]
    assert scope["dep_b"] is dep_b
    assert islands.island_of(dep_b) == 1 and islands.island_of(scope["tabular"]) == 0
    assert islands.module_name(1, "tabular.core") == "_envknit_islands.i1.tabular.core"


def test_module_state_is_per_island(islands):
    import dep_a
    import dep_b

    dep_a.register("x", 1)
    assert dep_a.registered() == {"x": 1}
    assert dep_b.registered() == {}
    dep_b.register("y", 2)
    assert dep_a.registered() == {"x": 1}
    assert not isinstance(dep_b.frame(), dep_a.Frame)


def test_a_shared_package_is_one_module_and_a_per_island_one_is_one_per_island(islands):
    import dep_a
    import dep_b

    assert dep_a.common_module() is dep_b.common_module()
    assert dep_a.formats_module() is not dep_b.formats_module()
    assert dep_a.formats_module().tabular_version() == "1.4.0"
    assert dep_b.formats_module().tabular_version() == "2.1.0"
    assert dep_b.formats_module().__name__ == "_envknit_islands.i1.formats"
    assert sys.modules["formats"] is dep_a.formats_module()


def test_pickling_by_name_comes_back_to_the_same_island(islands):
    import dep_a
    import dep_b

    f2 = dep_b.frame([[1]])
    assert type(f2).__module__ == "_envknit_islands.i1.tabular.core"
    back = pickle.loads(pickle.dumps(f2))
    assert type(back) is type(f2) and back == f2
    f1 = pickle.loads(pickle.dumps(dep_a.frame([[1]])))
    assert type(f1) is dep_a.Frame


def test_functions_of_island_code_have_no_hook(islands):
    import dep_b

    assert dep_b.add.__globals__ is dep_b.__dict__
    assert dep_b.__dict__["__builtins__"] is islands.builtins_of(1)
    assert islands.builtins_of(0) is None  # island 0 runs with the real builtins
    import builtins

    assert dep_b.__dict__["__builtins__"]["len"] is builtins.len


def test_repeated_imports_are_cached_until_forgotten(islands):
    import dep_b

    dep_b.lazy_version()
    isl = islands._islands[1]
    assert isl.tops["tabular"] is dep_b.tabular_module()
    importlib.invalidate_caches()
    assert "tabular" not in isl.tops
    assert dep_b.lazy_version() == "2.1.0"


def test_builtins_added_later_reach_island_code(islands):
    import builtins

    import dep_b

    builtins._envknit_test_added = "late"
    try:
        dep_b.lazy_format("json")  # any import through the slow path syncs
        importlib.invalidate_caches()
        dep_b.lazy_version()
        assert dep_b.__dict__["__builtins__"]["_envknit_test_added"] == "late"
    finally:
        del builtins._envknit_test_added


def test_a_per_island_package_with_compiled_code_is_refused(tmp_path):
    seed = seed_store(tmp_path, compiled_formats=True)
    _drop_modules()
    routed = install_islands(seed_entries(seed), 2)
    try:
        with pytest.raises(ImportError, match="compiled code.*worker"):
            import dep_b  # noqa: F401
    finally:
        routed.uninstall()
        _drop_modules()


def test_uninstall_removes_the_finder_and_the_island_modules(seed):
    _drop_modules()
    routed = install_islands(seed_entries(seed), 2)
    import dep_b  # noqa: F401

    assert any(n.startswith("_envknit_islands.") for n in sys.modules)
    routed.uninstall()
    assert routed not in sys.meta_path
    assert not any(n.startswith("_envknit_islands") for n in sys.modules)
    assert islands_mod.current() is None
    _drop_modules()


def test_entries_of_a_subset_of_islands_share_one_instance(seed):
    """tabular 2.1.0 seen by islands 1 and 2 (one module object); formats per island of 3."""
    _drop_modules()
    entries = [
        IslandEntry("tabular", "1.4.0", seed["tabular-1.4.0"], islands=(0,)),
        IslandEntry("tabular", "2.1.0", seed["tabular-2.1.0"], islands=(1, 2)),
        IslandEntry("dep-a", "1.0", seed["dep_a-1.0"], islands=(0,)),
        IslandEntry("dep-b", "1.0", seed["dep_b-1.0"], islands=(1,)),
        IslandEntry("formats", "3.0", seed["formats-3.0"], per_island=True),
        IslandEntry("common", "1.0", seed["common-1.0"]),
    ]
    routed = install_islands(entries, 3)
    try:
        assert routed.tables()[2]["tabular"] == "_envknit_islands.i1.tabular"
        assert routed.tables()[2]["formats"] == "_envknit_islands.i2.formats"
        b2 = routed.builtins_of(2)
        scope = {"__builtins__": b2}
        exec("import tabular, formats\nv = tabular.__version__", scope)
        import dep_b

        assert scope["v"] == "2.1.0"
        assert scope["tabular"] is dep_b.tabular_module()
        assert scope["formats"] is not dep_b.formats_module()
        assert scope["formats"].tabular_version() == "2.1.0"
    finally:
        routed.uninstall()
        _drop_modules()


def test_a_view_boots_the_islands_from_view_json_with_nothing_else_of_envknit(seed, tmp_path):
    """What a view's ``_envknit_islands.pth`` does: this file loaded as ``_envknit_islands`` routes
    view.json's islands; envknit itself is not imported; envknit.isolation.islands is then the
    same module."""
    import json
    import subprocess

    view = tmp_path / "view"
    view.mkdir()
    entries = []
    for e in seed_entries(seed):
        e.facts()
        entries.append({"name": e.name, "version": e.version, "path": e.path,
                        "islands": list(e.islands) if e.islands is not None else None,
                        "per_island": e.per_island, "import_names": list(e.import_names),
                        "dist_info": e.dist_info, "compiled": False})
    (view / "view.json").write_text(json.dumps({"format": 1, "islands": {"count": 2, "entries": entries}}))
    # island 0's packages on sys.path, as the view's site-packages would link them
    plain = [seed["tabular-1.4.0"], seed["dep_a-1.0"], seed["formats-3.0"], seed["common-1.0"]]
    code = f"""
import importlib.util, sys
sys.prefix = {str(view)!r}
sys.path[:0] = {plain!r}
spec = importlib.util.spec_from_file_location("_envknit_islands", {islands_mod.__file__!r})
m = importlib.util.module_from_spec(spec)
sys.modules["_envknit_islands"] = m
spec.loader.exec_module(m)
assert "envknit" not in sys.modules
import tabular, dep_a, dep_b
print(tabular.__version__, dep_a.version(), dep_b.version(), dep_b.lazy_format("json"),
      dep_b.formats_module().__name__, dep_b.metadata_version())
sys.path.insert(0, {str(islands_mod.__file__).rsplit("/envknit/", 1)[0]!r})
from envknit.isolation import islands
print(islands is m, islands.current() is not None)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == [
        "1.4.0 1.4.0 2.1.0 2.1.0 _envknit_islands.i1.formats 2.1.0", "True True"]


def test_star_imports_reload_and_source_work_in_an_island(islands):
    import inspect

    import dep_b

    scope = {"__builtins__": islands.builtins_of(1), "__name__": "island_code"}
    exec("from tabular.core import *\nfrom tabular import *", scope)
    assert scope["Frame"].version == "2.1.0"
    core = sys.modules["_envknit_islands.i1.tabular.core"]
    assert "class Frame" in inspect.getsource(core.Frame)
    again = importlib.reload(core)
    assert again is core and core.__dict__["__builtins__"] is islands.builtins_of(1)
    assert core.Frame.version == "2.1.0" and dep_b.lazy_submodule() == "2.1.0"


def test_islands_route_the_same_way_from_many_threads(islands):
    import threading

    import dep_a
    import dep_b

    importlib.invalidate_caches()
    results: list[tuple[str, str]] = []

    def work():
        for _ in range(200):
            results.append((dep_a.lazy_version(), dep_b.lazy_version()))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) == {("1.4.0", "2.1.0")} and len(results) == 800


def islands_lock(seed) -> str:
    """The lock the tool writes for seed 004 with ``allow_multiple: [tabular]``."""
    from support.store_factory import lock_entry, lock_yaml

    w = seed.wheels
    entries = [
        lock_entry([w["common-1.0"]]),
        lock_entry([w["dep_a-1.0"]], island=[0]),
        lock_entry([w["dep_b-1.0"]], island=[1]),
        lock_entry([w["formats-3.0"]], per_island=True),
        lock_entry([w["tabular-1.4.0"]], island=[0]),
        lock_entry([w["tabular-2.1.0"]], island=[1]),
    ]
    text = lock_yaml({"default": entries}, schema_version="1.2")
    # the island fields, where the tool's writer puts them (after version)
    out = text
    for e in entries:
        extra = ""
        if e.get("island"):
            extra += f"      island: [{', '.join(map(str, e['island']))}]\n"
        if e.get("per_island"):
            extra += "      per_island: true\n"
        if extra:
            head = f'    - name: "{e["name"]}"\n      version: "{e["version"]}"\n'
            out = out.replace(head, head + extra)
    return out + 'islands:\n  default:\n    - {roots: ["dep-a"]}\n    - {roots: ["dep-b"]}\n'


def test_configure_from_lock_routes_the_lock_islands(seed, tmp_path):
    """configure_from_lock() (no view) reads the lock's islands and routes them: each dependency
    gets its version, the application island 0's, sys.modules agrees; use() still overrides."""
    import os
    import subprocess

    lock = tmp_path / "envknit.lock.yaml"
    lock.write_text(islands_lock(seed))
    from envknit.lock import parse_lock

    parsed = parse_lock(lock.read_text())
    assert parsed.islands == {"default": (("dep-a",), ("dep-b",))}
    assert [p.island for p in parsed.environments["default"] if p.name == "tabular"] == [(0,), (1,)]
    runtime = str(islands_mod.__file__).rsplit("/envknit/", 1)[0]
    code = f"""
import sys, warnings
warnings.simplefilter("error")
import envknit
envknit.configure_from_lock({str(lock)!r})
import tabular, dep_a, dep_b
print(tabular.__version__, dep_a.version(), dep_b.version(), dep_b.lazy_version(),
      dep_b.via_importlib(), dep_b.lazy_format_relative("csv"), dep_b.metadata_version())
print(sys.modules["tabular"] is tabular is dep_a.tabular_module(),
      dep_a.common_module() is dep_b.common_module(), dep_a.formats_module() is not dep_b.formats_module())
dep_b.register("x", 1)
print(dep_a.registered(), dep_b.registered())
with envknit.use("tabular", "2.1.0") as t:
    import tabular as inside
    print(t.__version__, inside.__version__)
import tabular as after
print(after.__version__)
"""
    env = {**os.environ, "ENVKNIT_HOME": str(seed.home), "PYTHONPATH": runtime}
    env.pop("ENVKNIT_LOCK", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:5] == [
        "1.4.0 1.4.0 2.1.0 2.1.0 2.1.0 2.1.0 2.1.0",
        "True True True",
        "{} {'x': 1}",
        "2.1.0 2.1.0",
        "1.4.0",
    ]


def test_an_environment_view_with_islands_routes_them_at_start_up(seed, tmp_path):
    """The view the tool builds for an environment with islands (view_factory, the reference):
    island 0's entries linked first, view.json's ``islands``, ``_envknit_islands.pth``.  Its python,
    started with nothing set, routes the islands; configure_from_lock() keeps them."""
    import json
    import os
    import subprocess
    from pathlib import Path

    from support.view_factory import Entry, build_view, probe_interpreter

    lock = tmp_path / "envknit.lock.yaml"
    lock.write_text(islands_lock(seed))
    from envknit.lock import parse_lock

    packages = parse_lock(lock.read_text()).environments["default"]
    folder = {(p.key, p.version): seed[f"{p.name.replace('-', '_')}-{p.version}"] for p in packages}
    ordered = sorted(packages, key=lambda p: p.island is not None and 0 not in p.island)
    entries = [Entry(p.key, p.version, os.path.realpath(folder[(p.key, p.version)])) for p in ordered]
    spec = {"count": 2, "entries": []}
    for p, e in zip(ordered, entries):
        facts = IslandEntry(p.key, p.version, e.path)
        names, info = facts.facts()
        spec["entries"].append({"name": p.key, "version": p.version, "path": e.path,
                                "islands": list(p.island) if p.island else None, "per_island": p.per_island,
                                "import_names": list(names), "dist_info": info, "compiled": False})
    runtime = Path(islands_mod.__file__).resolve().parents[1]
    view = build_view(tmp_path / "home", lock, "default", entries, probe_interpreter(sys.executable), runtime,
                      islands=spec)
    assert json.loads((view / "view.json").read_text())["islands"]["count"] == 2
    code = """
import sys
import tabular, dep_a, dep_b
print(tabular.__version__, dep_a.version(), dep_b.version(), dep_b.lazy_submodule(), dep_b.metadata_version())
print(sys.modules["tabular"] is dep_a.tabular_module(), "envknit" in sys.modules)
import envknit
envknit.configure_from_lock()
import tabular as again
print(again is tabular, dep_b.via_importlib())
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ENVKNIT"))}
    env["ENVKNIT_HOME"] = str(seed.home)
    out = subprocess.run([str(view / "bin" / "python"), "-c", code], capture_output=True, text=True,
                         timeout=120, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:3] == ["1.4.0 1.4.0 2.1.0 2.1.0 2.1.0", "True False", "True 2.1.0"]


def test_importlib_util_find_spec_in_island_code_sees_the_island_version(islands):
    """``importlib.util.find_spec("tabular")`` from island code finds the island's ``tabular``
    (its files), as ``import tabular`` there does; the application's finds island 0's."""
    import dep_a
    import dep_b

    code = (
        "import importlib.util\n"
        "from importlib.util import find_spec\n"
        "from importlib import util\n"
        "spec = importlib.util.find_spec('tabular')\n"
        "out = (spec.origin, find_spec('tabular.core').origin, util.find_spec('tabular').origin,\n"
        "       importlib.util.find_spec('no_such_module_xyz'))\n"
    )
    origins = {}
    for mod in (dep_a, dep_b):
        exec(code, mod.__dict__)
        origins[mod.__name__] = mod.__dict__.pop("out")
    tab_b = importlib.import_module("tabular").__file__  # the application's: island 0
    assert origins["dep_a"][0] == tab_b
    assert "/2.1.0/" in origins["dep_b"][0] and origins["dep_b"][0] == origins["dep_b"][2]
    assert "/2.1.0/" in origins["dep_b"][1] and origins["dep_b"][1].endswith("core.py")
    assert origins["dep_b"][3] is None
    assert app("import importlib.util\no = importlib.util.find_spec('tabular').origin")["o"] == tab_b
