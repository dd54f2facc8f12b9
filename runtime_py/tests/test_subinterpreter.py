"""SubInterpreterEnv: refused below 3.12 here; exercised for real under Debian trixie's Python 3.13.

The suite runs under python3 3.11, so the 3.13 checks run as scripts in that interpreter
(``.envknit-dev/python3.13/bin/python3.13``, or ``$ENVKNIT_PYTHON313``) that print JSON; the
assertions are made here.  ``bash runtime_py/scripts/get_python313.sh`` sets it up (CI does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import envknit
from support.store_factory import install_wheel, lock_entry, lock_yaml

RUNTIME = Path(__file__).resolve().parents[1]
ROOT = RUNTIME.parent
PY313 = Path(os.environ.get("ENVKNIT_PYTHON313") or ROOT / ".envknit-dev" / "python3.13" / "bin" / "python3.13")

needs_313 = pytest.mark.skipif(
    not PY313.exists(),
    reason=f"Python 3.13 is not set up at {PY313}: run `bash runtime_py/scripts/get_python313.sh` (CI does)",
)


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="checks the refusal below Python 3.12")
def test_unsupported_below_3_12():
    from envknit.isolation import SubInterpreterEnv
    from envknit.isolation.subinterpreter import SubInterpreterEnv as same

    assert SubInterpreterEnv is same is envknit.SubInterpreterEnv
    with pytest.raises(envknit.UnsupportedPlatformError, match="3.12"):
        SubInterpreterEnv("ml")
    with pytest.raises(envknit.UnsupportedPlatformError):
        with SubInterpreterEnv():
            pass


def run313(store, body: str, extra_path: Path | None = None, view: Path | None = None) -> dict:
    """Run ``body`` under Python 3.13 with the runtime importable; it sets ``out``, printed as JSON.

    With ``view``, the script runs as ``<view>/bin/python``, where the runtime comes from the view
    and the store from its view.json (no ENVKNIT_HOME); else the 3.13 interpreter itself with the
    runtime put on sys.path by the script.
    """
    script = store.root / "check313.py"
    script.write_text(
        "import json, sys\n"
        + ("" if view else f"sys.path.insert(0, {str(RUNTIME)!r})\n")
        + "import envknit\n"
        "from envknit import SubInterpreterEnv, CExtIncompatibleError\n"
        f"LOCK = {str(store.lock)!r}\n"
        "out = {}\n" + textwrap.dedent(body) + "\nprint(json.dumps(out))\n"
    )
    env = dict(os.environ, ENVKNIT_HOME=str(store.home), PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    if view is not None:
        env = {"PYTHONDONTWRITEBYTECODE": "1"}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    python = view / "bin" / "python" if view is not None else PY313
    proc = subprocess.run([str(python), str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(params=["python3.13", "view"])
def run_313(request, store):
    """``run313`` for the store's full lock: under Python 3.13 itself, and under the 3.13 view of
    the lock's default environment (the interpreter `envknit env python` gives)."""
    store.write()
    view = None
    if request.param == "view" and PY313.exists():
        from support.view_factory import view_for

        view = view_for(PY313, store.home, store.lock, "default", RUNTIME / "envknit")
    return lambda body, extra_path=None: run313(store, body, extra_path, view=view)


@needs_313
def test_runs_a_locked_environment_in_a_sub_interpreter(store, run_313):
    out = run_313("""
        assert sys.version_info[:2] == (3, 13)
        with SubInterpreterEnv("ml") as interp:
            out["paths"] = interp.configure_from_lock(LOCK, env_name="default")
            out["default"] = interp.eval_json(
                "import greeter, multibuild, sys\\n"
                "result = {'version': greeter.__version__, 'hello': greeter.hello(),"
                " 'build': multibuild.BUILD, 'path': sys.path}")
            out["none"] = interp.eval_json("x = 1")
            out["scalar"] = interp.eval_json("import wordlib\\nresult = wordlib.__version__")
        out["host_has_greeter"] = "greeter" in sys.modules
    """)
    assert out["default"]["version"] == "2.0" and out["default"]["hello"] == "hi new"
    assert out["default"]["build"] == "cp313-cp313-linux_x86_64"  # the store entry 3.13 can load
    assert out["none"] == {} and out["scalar"] == "2.0"
    assert out["default"]["path"] == out["paths"]
    home = str(store.home.resolve())
    packages = [p for p in out["paths"] if p.startswith(home)]
    assert len(packages) == 7
    stdlib = [p for p in out["paths"] if not p.startswith(home)]
    assert stdlib and all("python3.13" in p or p.endswith("313.zip") for p in stdlib)
    assert out["paths"] == stdlib + packages  # the standard library first, as in a virtual environment
    assert not any("site-packages" in p or "dist-packages" in p for p in out["paths"])
    assert out["host_has_greeter"] is False


@needs_313
def test_two_sub_interpreters_hold_two_versions_at_once(store, run_313):
    out = run_313("""
        with SubInterpreterEnv("new") as a, SubInterpreterEnv("old") as b:
            a.configure_from_lock(LOCK, env_name="default")
            b.configure_from_lock(LOCK, env_name="legacy")
            code = "import greeter\\nresult = [greeter.__version__, greeter.hello()]"
            out["a"], out["b"] = a.eval_json(code), b.eval_json(code)
            out["a_again"] = a.eval_json(code)
    """)
    assert out == {"a": ["2.0", "hi new"], "b": ["1.0", "hello old"], "a_again": ["2.0", "hi new"]}


@needs_313
def test_try_import(run_313, tmp_path):
    host = tmp_path / "host"
    host.mkdir()
    (host / "hostonly.py").write_text("X = 1\n")
    out = run_313("""
        import hostonly  # visible to the main interpreter...
        marker = LOCK + ".pwned"
        with SubInterpreterEnv() as interp:
            try:
                interp.try_import("hostonly")
                out["before_configure"] = "imported"
            except ImportError:
                out["before_configure"] = "ImportError"
            out["path_before"] = interp.eval_json("import sys\\nresult = sys.path")
            interp.configure_from_lock(LOCK, env_name="default")
            out["pure"] = interp.try_import("greeter")
            out["cext"] = interp.try_import("fastcalc")
            try:
                interp.try_import("fastcalc", raise_on_cext=True)
                out["raised"] = None
            except CExtIncompatibleError as e:
                out["raised"] = [type(e).__name__, isinstance(e, ImportError), str(e)]
            for name in ("hostonly", "no_such_module", "os; open(%r, 'w')" % marker):
                try:
                    interp.try_import(name)
                    out[name] = "imported"
                except ImportError as e:
                    out[name] = "ImportError"
        import os
        out["injected"] = os.path.exists(marker)
    """, extra_path=host)
    assert out["pure"] is True
    assert out["cext"] is False
    assert out["raised"][0] == "CExtIncompatibleError" and out["raised"][1] is True
    assert "subinterpreters" in out["raised"][2]
    assert out["hostonly"] == "ImportError"  # ...but not to the sub-interpreter
    assert out["before_configure"] == "ImportError"
    assert out["path_before"] and all("python3.13" in p or p.endswith("313.zip") for p in out["path_before"])
    assert out["no_such_module"] == "ImportError"
    assert [v for k, v in out.items() if k.startswith("os;")] == ["ImportError"]
    assert out["injected"] is False


@needs_313
def test_errors(store, run_313):
    out = run_313("""
        def capture(fn):
            try:
                fn()
                return None
            except Exception as e:
                return [type(e).__name__, str(e)]
        with SubInterpreterEnv() as interp:
            interp.configure_from_lock(LOCK, env_name="default")
            out["raises"] = capture(lambda: interp.eval_json("def f():\\n    raise KeyError('deep')\\nf()"))
            out["not_json"] = capture(lambda: interp.eval_json("result = {1, 2}"))
            out["run_error"] = capture(lambda: interp.run_string("import no_such_thing"))
            interp.run_string("shared_state = 41")
            out["state"] = interp.eval_json("result = shared_state + 1")
            out["bad_env"] = capture(lambda: interp.configure_from_lock(LOCK, env_name="nope"))
        out["closed"] = capture(lambda: interp.eval_json("result = 1"))
    """)
    assert out["raises"][0] == "RuntimeError" and "KeyError" in out["raises"][1] and "deep" in out["raises"][1]
    assert "line 2, in f" in out["raises"][1]  # the sub-interpreter's traceback
    assert out["not_json"][0] == "RuntimeError" and "JSON serializable" in out["not_json"][1]
    assert out["run_error"][0] == "RuntimeError" and "no_such_thing" in out["run_error"][1]
    assert out["state"] == 42
    assert out["bad_env"][0] == "ValueError"
    assert out["closed"][0] == "RuntimeError"


@needs_313
def test_the_rest_of_the_runtime_works_on_3_13(store, run_313):
    out = run_313("""
        envknit.configure_from_lock(LOCK)
        with envknit.use("greeter", "1.0") as g:
            out["use"] = g.hello()
        import multibuild
        out["build"] = multibuild.BUILD
        with envknit.worker("fastcalc", "2.0") as fc:
            out["worker"] = [fc.add(40, 2), fc.BUILD, fc.zeros(2).tolist()]
    """)
    assert out == {"use": "hello old", "build": "cp313-cp313-linux_x86_64", "worker": [42, "2.0", [0, 0]]}


@needs_313
def test_an_install_path_outside_the_store_needs_trust(store):
    outside = install_wheel(store.root / "elsewhere", store.built[("greeter", "1.0")][0])
    entry = lock_entry(store.built[("greeter", "1.0")], dependencies=[], install_path=str(outside))
    entry["wheels"] = []
    install_wheel(store.home, store.built[("wordlib", "1.0")][0])
    store.lock.write_text(lock_yaml({"default": [entry, lock_entry(store.built[("wordlib", "1.0")])]}))
    out = run313(store, """
        with SubInterpreterEnv() as interp:
            try:
                interp.configure_from_lock(LOCK)
                out["refused"] = None
            except envknit.LockFileError as e:
                out["refused"] = str(e)
            out["trusted"] = interp.configure_from_lock(LOCK, trust_install_path=True)
            out["hello"] = interp.eval_json("import greeter\\nresult = greeter.hello()")
    """)
    assert "install_path" in out["refused"] and "outside the store" in out["refused"]
    assert out["trusted"][-2] == str(outside.resolve()) and out["hello"] == "hello old"


@needs_313
def test_sub_interpreters_of_a_view_interpreter_are_in_the_view(store):
    """A sub-interpreter made by other code (not SubInterpreterEnv) runs ``site`` too, so it sees
    the view's site-packages, as the main interpreter does: the view needs nothing installed in
    each interpreter.  SubInterpreterEnv still starts from the standard library alone."""
    from support.view_factory import view_for

    store.write()
    view = view_for(PY313, store.home, store.lock, "default", RUNTIME / "envknit")
    out = run313(store, """
        import _interpreters, os
        read, write = os.pipe()
        interp = _interpreters.create("isolated")
        _interpreters.exec(interp, "import os, sys, greeter\\n"
                           "os.write(%d, repr([sys.prefix, greeter.hello()]).encode())" % write)
        out["raw"] = eval(os.read(read, 65536).decode())
        with SubInterpreterEnv() as interp:
            out["env"] = interp.eval_json("import sys\\nresult = sys.path")
    """, view=view)
    assert out["raw"] == [str(view), "hi new"]
    assert out["env"] and not any(p.startswith(str(view)) for p in out["env"])
