"""worker(): a real C extension in worker processes, remote handles, errors, the pool."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import envknit
from envknit.isolation.workers import ProcessPool, RemoteObject


def test_calls_a_c_extension_in_a_worker(configured, workers):
    with envknit.worker("fastcalc", "1.0") as fc:
        assert fc.add(2, 3) == 5  # a function of the compiled _speedups module
        assert fc.BUILD == "1.0" and fc.__version__ == "1.0"
        assert fc.pid() != os.getpid()
    assert "fastcalc" not in sys.modules and "fastcalc._speedups" not in sys.modules


def test_two_versions_in_two_workers_with_their_locked_dependencies(configured, workers):
    with envknit.worker("fastcalc", "1.0") as v1, envknit.worker("fastcalc", "2.0") as v2:
        assert (v1.BUILD, v2.BUILD) == ("1.0", "2.0")
        assert (v1.word_version(), v2.word_version()) == ("1.0", "2.0")
        assert v1.pid() != v2.pid()


def test_worker_sees_only_its_version_and_locked_dependencies(configured, workers):
    registry = envknit.get_registry()
    own, dep = registry.find("fastcalc", "1.0").path, registry.find("wordlib", "1.0").path
    with envknit.worker("fastcalc", "1.0") as fc:
        path = fc.sys_path()
        assert path[-2:] == [own, dep]  # after the standard library, as in a virtual environment
        assert path[:-2] and all(p.startswith(sys.base_prefix) for p in path[:-2])
        assert not any(p.endswith("isolation") for p in path)  # not worker_main.py's own folder
        assert not fc.can_import("wire")
        assert not any("site-packages" in p or "dist-packages" in p for p in path)
        assert not fc.can_import("pytest") and not fc.can_import("greeter")
        assert fc.can_import("json")


def test_plain_data_crosses_by_value(configured, workers):
    values = [None, True, False, 0, -1, 2**62, 2**200, -(2**90), 1.5, float("inf"), 3 + 4j, "", "héllo ✓",
              b"", b"\x00\xff", [1, [2, [3]]], (1, (2,)), {"a": [1, 2], 3: {"b": None}, (1, 2): "t"},
              [(), [], {}]]
    with envknit.worker("fastcalc", "1.0") as fc:
        for value in values:
            back = fc.echo(value)
            assert back == value and type(back) is type(value)
        assert fc.type_names([1, (2.0, "x"), {"k": b""}]) == ["list", ["int", ["tuple", ["float", "str"]], ["dict", {"k": "bytes"}]]]


def test_other_results_stay_in_the_worker_as_handles(configured, workers):
    with envknit.worker("fastcalc", "2.0") as fc:
        v = fc.Vector([1, 2, 3])
        assert isinstance(v, RemoteObject)
        assert v.total() == 6 and v.tolist() == [1, 2, 3]
        assert fc.zeros(3).tolist() == [0, 0, 0]
        assert fc.zeros(4).scaled(5).total() == 0
        assert len(v) == 3 and v[1] == 2 and list(v) == [1, 2, 3] and 2 in v
        w = v + fc.Vector([10, 20, 30])
        assert w.tolist() == [11, 22, 33]
        assert fc.norm2(v) == 14  # a handle passed back resolves to the worker's object
        assert "Vector([1, 2, 3])" in repr(v) and str(v) == "Vector([1, 2, 3])"
        add = fc.add  # a C function is not plain data: a handle, callable
        assert isinstance(add, RemoteObject) and add(1, 1) == 2
        with pytest.raises(TypeError, match="cannot send"):
            fc.echo(object())


def test_markup_keeps_escaping_when_it_comes_back_from_a_worker(store, workers):
    """Flattened to a plain str, ``Markup("<i>") + "<x>"`` would stop escaping: silently unsafe HTML."""
    store.write({"default": [("markupsafe", "2.1.5")]})
    envknit.configure_from_lock(store.lock)
    with envknit.worker("markupsafe", "2.1.5") as m:
        assert m.BUILD == "2.1.5"  # the compiled _speedups module loaded in the worker
        safe = m.Markup("<i>")
        assert isinstance(safe, RemoteObject)
        assert repr(safe) == "<remote markupsafe.Markup: Markup('<i>')>"
        assert safe + "<x>" == "<i>&lt;x&gt;" and "<x>" + safe == "&lt;x&gt;<i>"
        assert str(safe + "<x>") == "<i>&lt;x&gt;" and type(str(safe)) is str
        assert str(m.escape("<")) == "&lt;"
        parts = m.Markup("<a> <b>").split()  # a list of Markup: the list crosses, its items do not
        assert type(parts) is list and len(parts) == 2
        assert all(isinstance(p, RemoteObject) for p in parts)
        assert parts[0] + "&" == "<a>&amp;"


def test_subclass_instances_of_every_plain_kind_come_back_as_remote_objects(configured, workers):
    with envknit.worker("fastcalc", "2.0") as fc:
        values = fc.subclass_values()
        assert type(values) is list
        names = ["fastcalc.Label", "fastcalc.Blob", "fastcalc.Count", "fastcalc.Ratio", "fastcalc.Phase",
                 "fastcalc.Items", "fastcalc.Table", "fastcalc.Tags", "fastcalc.FrozenTags", "fastcalc.Color",
                 "fastcalc.Point", "builtins.bytearray"]
        assert [repr(v).split(":")[0] for v in values] == [f"<remote {n}" for n in names]
        label, blob, count, ratio, phase, items, table, tags, frozen, color, point, array = values
        # each still behaves as what it is, in the worker
        assert label == "a" and label + "b" == "ab" and bytes(blob) == b"b"
        assert int(count) == 3 and float(ratio) == 1.5 and phase == 1j
        assert items[0] == 1 and table["k"] == 1 and 1 in tags and 2 in frozen
        assert color.name == "RED" and color == 1 and int(color) == 1
        assert point.x == 1 and list(point) == [1, 2] and len(array) == 1
        assert fc.type_names(label) == "Label"  # passed back, it is the worker's own object
        assert fc.echo(True) is True  # bool is exactly bool
        field = fc.Field()  # str() and repr() of a remote object are real str, even from a subclass
        assert str(field) == "<field>" and type(str(field)) is str
        assert repr(field) == "<remote fastcalc.Field: Field()>"

        class Mine(str):
            pass

        with pytest.raises(TypeError, match="subclass of str"):
            fc.echo(Mine("x"))  # sending it as a plain str would drop what Mine changes
        assert fc.echo(str(Mine("x"))) == "x"


def test_released_handles_are_dropped_in_the_worker(configured, workers):
    with envknit.worker("fastcalc", "2.0") as fc:
        base = fc.live_vectors()
        vectors = [fc.Vector([i]) for i in range(20)]
        assert fc.live_vectors() == base + 20
        del vectors
        assert fc.live_vectors() == base


def test_exceptions_come_back_with_the_remote_traceback(configured, workers):
    with envknit.worker("fastcalc", "1.0") as fc:
        with pytest.raises(ValueError, match="bad input") as info:
            fc.fail("bad input")
        err = info.value
        assert type(err) is ValueError
        assert "in fail" in err.remote_traceback and "fastcalc" in err.remote_traceback
        assert err.remote_traceback in str(err.__cause__)
        with pytest.raises(ArithmeticError) as info:
            fc.fail_custom()
        assert isinstance(info.value, envknit.RemoteError)
        assert info.value.remote_type == "fastcalc.CalcError"
        assert "custom failure in the worker" in str(info.value)
        with pytest.raises(AttributeError):
            fc.no_such_function()
        with pytest.raises(TypeError):
            fc.add("a", "b")
        assert fc.add(1, 2) == 3  # the worker is still serving


def test_dunder_lookups_raise_attribute_error_except_version(configured, workers):
    with envknit.worker("fastcalc", "1.0") as fc:
        for name in ("__class__", "__len__", "__array__", "__wrapped__", "__dict__", "__reduce_ex__"):
            with pytest.raises(AttributeError):
                getattr(fc, name)
        assert not hasattr(fc, "__array_interface__")
        assert fc.__version__ == "1.0"
        v = fc.Vector([1])
        with pytest.raises(AttributeError):
            v.__array_interface__
        with pytest.raises(TypeError):
            copy.copy(v)


def test_the_pool_reuses_workers_across_blocks(configured, workers):
    with envknit.worker("fastcalc", "1.0") as fc:
        first = fc.pid()
    with envknit.worker("fastcalc", "1.0") as fc:
        assert fc.pid() == first
    with envknit.worker("fastcalc", "2.0") as other:
        assert other.pid() != first
    assert len(workers.processes()) == 2


def test_a_dead_worker_is_replaced_on_the_next_call(configured, workers):
    ctx = envknit.worker("fastcalc", "1.0")
    with ctx as fc:
        first = fc.pid()
        assert ctx.pid == first
        _kill(first)
        assert fc.add(1, 1) == 2
        assert fc.pid() != first
        handle = fc.Vector([1])
        _kill(fc.pid())
        with pytest.raises(envknit.WorkerCrashedError):
            handle.total()  # objects of the dead worker are gone with it


def test_a_crash_during_a_call_is_reported_and_the_next_call_works(configured, workers):
    with envknit.worker("fastcalc", "1.0") as fc:
        with pytest.raises(envknit.WorkerCrashedError, match="exited"):
            fc.crash()
        assert fc.add(2, 2) == 4


def test_timeout(configured, workers):
    with envknit.worker("fastcalc", "1.0", timeout=0.5) as fc:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            fc.sleep(30)
        assert time.monotonic() - started < 10
        assert fc.sleep(0) == 0  # a new worker


def test_explicit_install_path_bypasses_the_registry(configured, workers):
    registry = envknit.get_registry()
    version_dir = Path(registry.find("PyYAML", "5.4.1").path).parent  # a folder of <hash16> entries
    with envknit.worker("PyYAML", "5.4.1", install_path=version_dir) as yaml:
        assert yaml.__version__ == "5.4.1" and yaml.dump(1) == "fake-yaml 5.4.1: 1"
    # only that folder is on the worker's path: greeter's locked wordlib is not
    with pytest.raises(ImportError, match="wordlib"):
        with envknit.worker("greeter", "1.0", install_path=registry.find("greeter", "1.0").path):
            pass


def test_import_failure_in_the_worker_is_an_import_error(store, workers, tmp_path):
    store.write()
    envknit.configure_from_lock(store.lock)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "broken_mod.py").write_text("raise RuntimeError('cannot start')\n")
    with pytest.raises(ImportError, match="cannot start"):
        with envknit.worker("broken_mod", "1", install_path=broken):
            pass


def test_workers_end_when_the_program_exits(configured, tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(Path(envknit.__file__).parents[1])!r})
        import envknit
        envknit.configure_from_lock({str(configured.lock)!r})
        with envknit.worker("fastcalc", "1.0") as a, envknit.worker("fastcalc", "2.0") as b:
            print(a.pid(), b.pid(), flush=True)
        """))
    env = dict(os.environ, ENVKNIT_HOME=str(configured.home))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours is not alive either
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_no_async_with(configured, workers):
    async def main():
        async with envknit.worker("fastcalc", "1.0"):
            pass

    import asyncio

    with pytest.raises(TypeError):
        asyncio.run(main())
