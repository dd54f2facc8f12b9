"""Environment views (issue #15): ``<view>/bin/python`` started with nothing else set is the locked
environment and only that: the standard library first, the locked packages, the envknit runtime;
not the base interpreter's site-packages nor the user site.  Every check runs the view's python
in a subprocess with an empty environment (no PYTHONPATH, no ENVKNIT_*).

support/view_factory.py builds the views exactly as DEVELOPERS.md ("Environment views") says the
tool does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from support.store_factory import build_wheel, install_wheel, lock_entry, lock_yaml
from support.view_factory import (
    RUNTIME_NAME,
    build_view,
    choose_entries,
    probe_interpreter,
    view_for,
)

RUNTIME = Path(__file__).resolve().parents[1]
BASE = probe_interpreter(sys.executable)


def run(python: Path | str, code: str, *, env: dict | None = None, cwd: Path | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    """``python -c code`` with only ``env`` set (nothing by default)."""
    proc = subprocess.run([str(python), "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          env=env or {}, cwd=cwd, timeout=120)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def out_json(python: Path | str, code: str, **kw) -> dict:
    """Run ``code``, which sets ``out``; returns it (printed as JSON)."""
    proc = run(python, "import json\nout = {}\n" + textwrap.dedent(code) + "\nprint(json.dumps(out))\n", **kw)
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture
def view(store):
    """The view of the test lock's default environment, for the interpreter running the tests."""
    store.write()
    return view_for(sys.executable, store.home, store.lock, "default", RUNTIME / "envknit")


def test_the_view_is_the_locked_environment_and_only_that(store, view):
    out = out_json(view / "bin" / "python", """
        import importlib.util, site, sys
        import greeter, wordlib, yaml, bs4, fastcalc, multibuild, oddmod, envknit
        out["versions"] = [greeter.__version__, wordlib.__version__, yaml.__version__, bs4.__version__]
        out["hello"] = greeter.hello()
        out["prefix"], out["executable"] = sys.prefix, sys.executable
        out["path"] = sys.path
        out["user_site"] = site.ENABLE_USER_SITE
        out["envknit"] = envknit.__file__
        out["missing"] = [n for n in ("pytest", "_pytest", "packaging", "pip") if importlib.util.find_spec(n)]
    """)
    assert out["versions"] == ["2.0", "2.0", "6.0.1", "4.12.3"] and out["hello"] == "hi new"
    assert out["prefix"] == str(view) and out["executable"] == str(view / "bin" / "python")
    # the standard library first, then the view's site-packages, and nothing else
    site = str(view / BASE.site_packages)
    assert out["path"][-1] == site
    assert all(p.startswith(BASE.base_prefix) for p in out["path"][1:-1]) and out["path"][0] == ""
    assert out["user_site"] is False
    assert out["envknit"].startswith(site + "/envknit/")
    # pytest and packaging are in the base interpreter's site-packages (the tests run with them)
    assert out["missing"] == []
    assert run(sys.executable, "import pytest, packaging", env={"PATH": os.environ["PATH"]}).returncode == 0


def test_a_base_interpreters_site_packages_and_user_site_are_not_visible(store, tmp_path):
    """The base is a venv with a package in its site-packages, and HOME holds a user site: the
    venv's python sees both, the view made for it neither."""
    venv = tmp_path / "venv"
    subprocess.run([BASE.target, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    venv_site = venv / BASE.site_packages
    (venv_site / "venv_only.py").write_text("WHERE = 'venv'\n")
    (venv_site / "venv_hook.pth").write_text("import os; os.environ['VENV_PTH_RAN'] = '1'\n")
    user_site = tmp_path / "home" / ".local" / "lib" / f"python{BASE.xy}" / "site-packages"
    user_site.mkdir(parents=True)
    (user_site / "user_only.py").write_text("WHERE = 'user'\n")
    env = {"HOME": str(tmp_path / "home")}
    probe = "import importlib.util, os\nout['seen'] = [n for n in ('venv_only', 'user_only') if importlib.util.find_spec(n)]\n" \
            "out['pth'] = os.environ.get('VENV_PTH_RAN')\n"
    base_venv = venv / "bin" / "python"
    # the venv's python sees its site-packages (and a user site if the venv allowed it: it does not)
    assert out_json(base_venv, probe, env=env)["seen"] == ["venv_only"]
    assert out_json(BASE.target, probe, env=env)["seen"] == ["user_only"]
    store.write()
    view = view_for(base_venv, store.home, store.lock, "default", RUNTIME / "envknit")
    assert json.loads((view / "view.json").read_text())["interpreter"]["target"] == BASE.target
    out = out_json(view / "bin" / "python", probe + "import greeter\nout['greeter'] = greeter.__version__\n", env=env)
    assert out == {"seen": [], "pth": None, "greeter": "2.0"}


def test_a_backport_named_like_a_stdlib_module_does_not_shadow_it(store, tmp_path):
    """enum34 ships ``enum``: on PYTHONPATH (the old ``envknit run``) it breaks Python itself; in a
    view the standard library comes first, as in any virtual environment."""
    backport = build_wheel(tmp_path / "wheels", "enum34", "1.1.10", {
        "enum/__init__.py": "raise ImportError('enum34 shadowed the standard library')\n",
        "graphlib.py": "raise ImportError('a backport shadowed the standard library')\n",
    })
    entry = install_wheel(store.home, backport)
    for key in (("greeter", "2.0"), ("wordlib", "2.0")):
        install_wheel(store.home, store.built[key][0])
    store.lock.write_text(lock_yaml({"default": [
        lock_entry([backport]), lock_entry(store.built[("greeter", "2.0")]), lock_entry(store.built[("wordlib", "2.0")]),
    ]}))
    broken = run(BASE.target, "import re", env={"PYTHONPATH": str(entry)}, check=False)
    assert broken.returncode != 0 and "enum34 shadowed" in broken.stderr  # what the view fixes
    view = view_for(sys.executable, store.home, store.lock, "default", RUNTIME / "envknit")
    out = out_json(view / "bin" / "python", """
        import enum, graphlib, re, json as j, importlib.metadata as md
        import envknit, greeter
        envknit.configure_from_lock()
        import graphlib as again
        out["files"] = [enum.__file__, graphlib.__file__, again.__file__]
        out["hello"] = greeter.hello()
        out["enum34"] = md.version("enum34")
    """)
    assert all(f.startswith(BASE.base_prefix) for f in out["files"]), out["files"]
    assert out["hello"] == "hi new" and out["enum34"] == "1.1.10"


def test_children_started_with_sys_executable_keep_the_environment(view):
    out = out_json(view / "bin" / "python", """
        import subprocess, sys, multiprocessing
        child = subprocess.run([sys.executable, "-c", "import sys, greeter; print(greeter.hello(), sys.prefix)"],
                               capture_output=True, text=True, env={})
        out["child"] = child.stdout.strip()
        out["pytest"] = subprocess.run([sys.executable, "-c", "import pytest"], capture_output=True, env={}).returncode
    """)
    assert out["child"] == f"hi new {view}"
    assert out["pytest"] != 0


def test_importlib_metadata_sees_the_locked_distributions_and_only_those(view):
    out = out_json(view / "bin" / "python", """
        import importlib.metadata as md
        out["names"] = sorted(d.metadata["Name"] for d in md.distributions())
        out["greeter"] = md.version("greeter")
        out["requires"] = md.requires("greeter")
        try:
            md.version("pytest")
            out["pytest"] = "found"
        except md.PackageNotFoundError:
            out["pytest"] = "not found"
    """)
    assert out["names"] == ["PyYAML", "beautifulsoup4", "fastcalc", "greeter", "multibuild", "oddity", "wordlib"]
    assert out["greeter"] == "2.0" and out["requires"] == ["wordlib>=2"] and out["pytest"] == "not found"


def test_scripts_of_the_environment_run_with_the_views_python(store, tmp_path):
    """An entry's script (the tool's sh/Python launcher, which execs ``$ENVKNIT_PYTHON``) runs
    through the view's ``bin/`` with the view's python, from a plain shell."""
    script = (
        "#!/bin/sh\n"
        "'''exec' \"${ENVKNIT_PYTHON:-python3}\" \"$0\" \"$@\"\n"
        "' '''\n"
        "import sys, greeter\n"
        "print(greeter.hello(), sys.prefix, *sys.argv[1:])\n"
    )
    tool = build_wheel(tmp_path / "wheels", "greet-cli", "1.0", {
        "greet_cli/__init__.py": "", "greet_cli-1.0.data/scripts/greet": script,
    })
    install_wheel(store.home, tool)
    for key in (("greeter", "2.0"), ("wordlib", "2.0")):
        install_wheel(store.home, store.built[key][0])
    store.lock.write_text(lock_yaml({"default": [
        lock_entry([tool]), lock_entry(store.built[("greeter", "2.0")]), lock_entry(store.built[("wordlib", "2.0")]),
    ]}))
    view = view_for(sys.executable, store.home, store.lock, "default", RUNTIME / "envknit")
    env = {"PATH": f"{view / 'bin'}:/usr/bin:/bin"}
    for command in ([str(view / "bin" / "greet"), "a b"], ["greet", "a b"], ["sh", "-c", 'greet "a b"']):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"hi new {view} a b"
    # `python` on that PATH is the view's too, as after activating a virtual environment
    done = subprocess.run(["sh", "-c", "python -c 'import sys, greeter; print(sys.prefix)'"], capture_output=True,
                          text=True, env=env)
    assert done.stdout.strip() == str(view)


def test_the_runtime_works_in_a_view_with_nothing_set(store, view, tmp_path):
    """configure_from_lock() with no argument reads the view's lock and makes the view's entries
    the defaults; use(), set_default(), worker() work as under `envknit run`."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = out_json(view / "bin" / "python", """
        import importlib.metadata as md, sys
        import greeter as early  # before the runtime is configured: from the view's site-packages
        import envknit
        out["count"] = envknit.configure_from_lock()
        registry = envknit.get_registry()
        out["default_path"] = registry.default("greeter").path
        out["home"] = str(envknit.store.envknit_home())
        import greeter
        out["same"] = greeter is early
        with envknit.use("greeter", "1.0") as old:
            import wordlib
            out["block"] = [old.hello(), wordlib.__version__, md.version("greeter")]
        out["after"] = [greeter.hello(), sys.modules["wordlib"].__version__, md.version("greeter")]
        with envknit.worker("fastcalc", "1.0") as fc:
            out["worker"] = [fc.add(2, 3), fc.BUILD, fc.word_version()]
        envknit.set_default("greeter", "1.0")
        import greeter as now
        out["set_default"] = [now.__version__, now.hello(), now.__file__.startswith(sys.prefix)]
    """, cwd=elsewhere)
    assert out["count"] == 11
    view_json = json.loads((view / "view.json").read_text())
    greeter_entry = next(e["path"] for e in view_json["entries"] if e["name"] == "greeter")
    assert out["default_path"] == greeter_entry
    assert out["home"] == str(store.home.resolve())
    assert out["same"] is True
    assert out["block"] == ["hello old", "1.0", "1.0"]
    assert out["after"] == ["hi new", "2.0", "2.0"]
    assert out["worker"] == [5, "1.0", "1.0"]
    assert out["set_default"] == ["1.0", "hello old", False]


def test_a_view_built_from_another_version_of_the_lock_says_so(store, view):
    text = store.lock.read_text()
    store.write({"default": [("greeter", "1.0"), ("wordlib", "1.0")], "legacy": [("greeter", "2.0"), ("wordlib", "2.0")]})
    assert store.lock.read_text() != text
    out = out_json(view / "bin" / "python", """
        import warnings, envknit
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            envknit.configure_from_lock()
        out["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
        import greeter
        out["greeter"] = [greeter.__version__, greeter.hello()]
    """)
    assert len(out["warnings"]) == 1 and out["warnings"][0].startswith("StaleViewWarning: envknit: the environment view")
    assert out["greeter"] == ["1.0", "hello old"]  # what the lock says now, with its wordlib


def test_namespace_packages_spread_over_several_entries_are_merged(store, tmp_path):
    wheels = [
        build_wheel(tmp_path / "wheels", "ns-one", "1.0", {"nsroot/one/__init__.py": "NAME = 'one'\n"}),
        build_wheel(tmp_path / "wheels", "ns-two", "1.0", {"nsroot/two/__init__.py": "NAME = 'two'\n",
                                                         "nsroot/deep/b.py": "NAME = 'b'\n"}),
        build_wheel(tmp_path / "wheels", "ns-three", "1.0", {"nsroot/deep/a.py": "NAME = 'a'\n"}),
    ]
    for wheel in wheels:
        install_wheel(store.home, wheel)
    store.lock.write_text(lock_yaml({"default": [lock_entry([w]) for w in wheels]}))
    view = view_for(sys.executable, store.home, store.lock, "default", RUNTIME / "envknit")
    site = view / BASE.site_packages
    assert (site / "nsroot").is_dir() and not (site / "nsroot").is_symlink()
    assert (site / "nsroot" / "one").is_symlink() and (site / "nsroot" / "deep" / "a.py").is_symlink()
    out = out_json(view / "bin" / "python", """
        from nsroot import one, two
        from nsroot.deep import a, b
        out["names"] = [one.NAME, two.NAME, a.NAME, b.NAME]
    """)
    assert out["names"] == ["one", "two", "a", "b"]


def test_a_locked_envknit_module_does_not_replace_the_runtime(store, tmp_path):
    impostor = build_wheel(tmp_path / "wheels", "envknit", "0.0.1", {"envknit/__init__.py": "IMPOSTOR = True\n"})
    install_wheel(store.home, impostor)
    store.lock.write_text(lock_yaml({"default": [lock_entry([impostor])]}))
    view = view_for(sys.executable, store.home, store.lock, "default", RUNTIME / "envknit")
    assert os.path.realpath(view / BASE.site_packages / RUNTIME_NAME) == str(RUNTIME / "envknit")
    out = out_json(view / "bin" / "python", "import envknit\nout['runtime'] = hasattr(envknit, 'configure_from_lock')\n")
    assert out == {"runtime": True}


def test_the_same_inputs_give_the_same_view(store, view):
    again = view_for(sys.executable, store.home, store.lock, "default", RUNTIME / "envknit")
    assert again == view
    entries = choose_entries(sys.executable, store.lock, "default", store.home, RUNTIME)
    other = build_view(store.home, store.lock, "default", entries, BASE, RUNTIME / "envknit", dev=False)
    assert other != view and other.parent == view.parent
    assert list((view.parent / ".tmp").iterdir()) == []
