"""``worker()``: a package version in a subprocess, used through proxies.

``with worker("numpy", "1.26.4") as np:`` gives a :class:`ModuleProxy`.  Reading an attribute or
calling a function sends one request over a pipe to a worker process (``worker_main.py``) that
imported only that version and the dependencies locked beside it.  Plain data (values whose type
is exactly None, bool, int, float, complex, str, bytes, list, tuple or dict, nested) comes back by
value; anything else stays in the worker and comes back as a :class:`RemoteObject` whose
attributes, calls, indexing, iteration and operators are forwarded the same way, so
``np.zeros(3).sum()`` and ``arr.tolist()`` work without numpy in the caller.  That includes
instances of subclasses of those types (``markupsafe.Markup``, an IntEnum, a namedtuple,
``numpy.float64``): as plain values they would silently lose their behaviour
(``Markup("<i>") + "<x>"`` escapes the ``<x>``; a str would not).  Remote objects passed as
arguments arrive as the worker's objects; the caller's own subclass instances are refused.  An
exception in the worker is re-raised here (built-in types as themselves, others as a
:class:`~envknit.errors.RemoteError` subclass that also derives from the nearest built-in base)
with the worker's traceback as its ``__cause__`` and ``remote_traceback``.

Workers live in the :class:`ProcessPool`, keyed by (module, paths): a ``with`` block's exit keeps
the process for the next block, a dead process is replaced on the next call, and every worker is
stopped at interpreter exit.  A call that takes longer than ``timeout`` seconds raises
TimeoutError and stops that worker (a late answer would be mistaken for the next one).
"""

from __future__ import annotations

import atexit
import builtins
import os
import subprocess
import sys
import threading
from pathlib import Path

from ..errors import RemoteError, WorkerCrashedError
from ..registry import get_registry
from ..store import DistInfo, best_entry_in, is_installed_wheel
from ..versions import normalize_name
from . import wire

__all__ = ["worker", "WorkerContext", "ModuleProxy", "RemoteObject", "ProcessPool", "WorkerProcess"]

WORKER_MAIN = str(Path(__file__).with_name("worker_main.py"))
DEFAULT_TIMEOUT = 30.0


class _Unsent(Exception):
    """The request never reached the worker (its pipe was closed); safe to retry on a new one."""


class _RemoteTraceback(Exception):
    """Carries the worker's traceback text as the ``__cause__`` of a re-raised exception."""

    def __init__(self, text: str):
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return f'\n"""\n{self.text.rstrip()}\n"""'


_remote_classes: dict[tuple[str, str, type], type] = {}


def _rebuild_exception(info: dict) -> BaseException:
    """The exception to raise in the caller for the worker's ``describe()`` of one."""
    name, module = str(info.get("type", "Exception")), str(info.get("module", ""))
    args = info.get("args") if isinstance(info.get("args"), tuple) else ()
    message = str(info.get("message", ""))
    text = str(info.get("traceback", ""))
    base = getattr(builtins, str(info.get("base", "")), None)
    if not (isinstance(base, type) and issubclass(base, Exception)):
        base = Exception  # never SystemExit/KeyboardInterrupt from a worker
    exc: BaseException | None = None
    if module == "builtins" and base.__name__ == name:
        for attempt in (args, (message,)):
            try:
                exc = base(*attempt)
                break
            except Exception:
                continue
    if exc is None:
        key = (module, name[:200], base)
        cls = _remote_classes.get(key)
        if cls is None:
            try:
                cls = type(name[:200] or "Error", (RemoteError, base), {"__module__": module[:200]})
            except TypeError:
                cls = type(name[:200] or "Error", (RemoteError,), {"__module__": module[:200]})
            _remote_classes[key] = cls
        try:
            exc = cls(*args)
        except Exception:
            exc = cls(message)
    exc.remote_type = f"{module}.{name}" if module else name
    exc.remote_traceback = text
    exc.__cause__ = _RemoteTraceback(text)
    return exc


class WorkerProcess:
    """One worker subprocess and its two pipes; requests are serialised by a lock."""

    def __init__(self, module: str, paths: tuple[str, ...], timeout: float | None):
        self.module = module
        self.paths = tuple(paths)
        self._lock = threading.Lock()
        self._releases: list[int] = []
        self.broken = False
        to_worker_r, to_worker_w = os.pipe()
        from_worker_r, from_worker_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-I", "-S", WORKER_MAIN, str(to_worker_r), str(from_worker_w)],
                pass_fds=(to_worker_r, from_worker_w),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches the caller, which then stops the worker
            )
        except BaseException:
            for fd in (to_worker_w, from_worker_r):
                os.close(fd)
            raise
        finally:
            os.close(to_worker_r)
            os.close(from_worker_w)
        self._wfd = to_worker_w
        self._reader = wire.FrameReader(from_worker_r)
        try:
            self._roundtrip({"module": module, "paths": list(self.paths)}, timeout, None)
        except Exception as e:
            self.close()
            if isinstance(e, TimeoutError):
                raise
            raise ImportError(f"envknit worker: cannot import {module} from {', '.join(self.paths)}: {e}",
                              name=module) from e

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return not self.broken and self.proc.poll() is None

    def release(self, hid: int) -> None:
        """Note that the caller dropped handle ``hid``; the next request tells the worker."""
        self._releases.append(hid)

    def request(self, message: tuple, timeout: float | None, make_handle) -> object:
        """Send ``(op, *args)`` and return the answer's value, or raise the worker's exception."""
        with self._lock:
            if self.broken:
                raise _Unsent(f"the worker process for {self.module} has ended")
            releases, self._releases = self._releases, []
            return self._roundtrip((message[0], releases, *message[1:]), timeout, make_handle)

    def _roundtrip(self, message: object, timeout: float | None, make_handle) -> object:
        payload = wire.encode(message, self._sendable)
        try:
            wire.send(self._wfd, payload)
        except OSError as e:
            self.kill()
            raise _Unsent(f"the worker process for {self.module} is gone ({e.strerror})") from None
        try:
            answer = wire.decode(self._reader.read(timeout), make_handle or _no_handles)
            if type(answer) is not tuple or len(answer) != 2:
                raise wire.WireError("an answer is a pair (kind, value)")
            kind, value = answer
        except TimeoutError:
            self.kill()
            raise TimeoutError(
                f"envknit worker for {self.module} did not answer within {timeout} s; it was stopped "
                "and the next call starts a new one"
            ) from None
        except EOFError:
            self.kill()
            raise WorkerCrashedError(
                f"envknit worker for {self.module} exited (code {self.proc.poll()}) during the call; "
                "the next call starts a new one"
            ) from None
        except BaseException:  # a malformed answer, or KeyboardInterrupt while waiting
            self.kill()
            raise
        if kind == "ok":
            return value
        raise _rebuild_exception(value if isinstance(value, dict) else {})

    def _sendable(self, obj: object) -> wire.Handle:
        if isinstance(obj, _RemoteBase):
            if obj._ek_owner() is self:
                return wire.Handle(obj._ek_id)
            raise TypeError("a remote object can only be passed to the worker that holds it")
        plain = next((t for t in _PLAIN if isinstance(obj, t)), None)
        if plain is not None:  # flattening it would drop what the subclass changes
            raise TypeError(
                f"cannot send a {type(obj).__name__} (a subclass of {plain.__name__}) to a worker: only "
                f"values whose type is exactly a plain built-in cross; send {plain.__name__}(value) "
                "if the plain value is what the worker should get"
            )
        raise TypeError(
            f"cannot send a {type(obj).__name__} to a worker: only None, bool, int, float, complex, "
            "str, bytes, lists/tuples/dicts of them and this worker's remote objects cross"
        )

    def kill(self) -> None:
        """Stop the process now (after a timeout or a broken pipe)."""
        self.broken = True
        try:
            self.proc.kill()
        except OSError:
            pass
        self.close()

    def close(self, wait: float = 2.0) -> None:
        """Close the pipes (the worker exits on end of input) and reap the process."""
        self.broken = True
        for fd in (self._wfd, self._reader.fd) if hasattr(self, "_wfd") else ():
            try:
                os.close(fd)
            except OSError:
                pass
        self._wfd = -1
        self._reader.fd = -1
        try:
            self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def forget(self) -> None:
        """In a forked child: close the inherited pipe ends without touching the parent's worker."""
        for fd in (self._wfd, self._reader.fd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.broken = True


#: the kinds the wire carries by value, for naming the one a refused subclass derives from
_PLAIN = (int, float, complex, str, bytes, list, tuple, dict)


def _no_handles(hid: int, type_name: str):
    raise wire.WireError("unexpected handle")


class ProcessPool:
    """The worker processes of this program, one per (module, paths), reused across ``with`` blocks."""

    _instance: ProcessPool | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        self._procs: dict[tuple, WorkerProcess] = {}
        self._lock = threading.Lock()
        atexit.register(self.shutdown)

    @classmethod
    def instance(cls) -> ProcessPool:
        """The process-wide pool."""
        if cls._instance is None:
            with cls._instance_lock:
                if cls._instance is None:
                    cls._instance = cls()
        return cls._instance

    def get(self, module: str, paths: tuple[str, ...], timeout: float | None) -> WorkerProcess:
        """The live worker for (module, paths), started (or restarted after it died) as needed."""
        key = (module, tuple(paths))
        with self._lock:
            proc = self._procs.get(key)
            if proc is not None and proc.alive():
                return proc
            if proc is not None:
                proc.close(wait=0.5)
            proc = WorkerProcess(module, key[1], timeout)
            self._procs[key] = proc
            return proc

    def find(self, module: str, paths: tuple[str, ...]) -> WorkerProcess | None:
        """The worker for (module, paths) if one was started (alive or not)."""
        return self._procs.get((module, tuple(paths)))

    def processes(self) -> list[WorkerProcess]:
        """The workers currently in the pool."""
        return list(self._procs.values())

    def shutdown(self) -> None:
        """Stop every worker (registered with atexit)."""
        with self._lock:
            procs, self._procs = list(self._procs.values()), {}
        for proc in procs:
            if proc.proc.poll() is None and not proc.broken:
                for fd in (proc._wfd,):
                    try:
                        os.close(fd)
                    except OSError:
                        pass
                proc._wfd = -1
        for proc in procs:
            proc.close()

    def _after_fork_in_child(self) -> None:
        procs, self._procs = list(self._procs.values()), {}
        self._lock = threading.Lock()
        for proc in procs:
            proc.forget()


def _after_fork() -> None:
    if ProcessPool._instance is not None:
        ProcessPool._instance._after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


class _RemoteBase:
    """What every proxy of a worker-side object does: forward attribute reads, writes and calls.

    Dunder names never go to the worker (``__getattr__`` is also how Python's protocols probe
    for ``__array__``, ``__reduce__``, ``__wrapped__``, ...), except ``__version__``.
    """

    __slots__ = ("_ek_proc", "_ek_id", "_ek_type", "_ek_timeout", "__weakref__")

    def __init__(self, proc: WorkerProcess | None, hid: int, type_name: str, timeout: float | None):
        object.__setattr__(self, "_ek_proc", proc)
        object.__setattr__(self, "_ek_id", hid)
        object.__setattr__(self, "_ek_type", type_name)
        object.__setattr__(self, "_ek_timeout", timeout)

    def _ek_owner(self) -> WorkerProcess | None:
        return self._ek_proc

    def _ek_handles(self, proc: WorkerProcess):
        timeout = self._ek_timeout
        return lambda hid, type_name: RemoteObject(proc, hid, type_name, timeout)

    def _ek_request(self, message: tuple) -> object:
        proc = self._ek_proc
        if proc is None or not proc.alive():
            raise WorkerCrashedError("this remote object lived in a worker process that has ended")
        try:
            return proc.request(message, self._ek_timeout, self._ek_handles(proc))
        except _Unsent:
            raise WorkerCrashedError("this remote object lived in a worker process that has ended") from None

    def _ek_op(self, op: str, *args) -> object:
        return self._ek_request(("o", op, args))

    def __getattr__(self, name: str) -> object:
        if (name[:2] == "__" and name[-2:] == "__" and name != "__version__") or name[:4] == "_ek_":
            raise AttributeError(name)
        return self._ek_request(("g", self._ek_id, name))

    def __setattr__(self, name: str, value: object) -> None:
        self._ek_request(("s", self._ek_id, name, value))

    def __delattr__(self, name: str) -> None:
        self._ek_op("delattr", self, name)

    def __call__(self, *args, **kwargs) -> object:
        return self._ek_request(("c", self._ek_id, args, kwargs))

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        raise TypeError("remote objects cannot be pickled or copied; fetch plain data from them instead")

    def __del__(self) -> None:
        try:
            if self._ek_id and self._ek_proc is not None:
                self._ek_proc.release(self._ek_id)
        except Exception:
            pass


class RemoteObject(_RemoteBase):
    """An object that lives in a worker (a function, an array, ...), used as if it were here.

    Besides attributes and calls, ``repr``/``str``, ``len``, indexing, iteration, ``in``,
    comparisons, arithmetic and ``int``/``float``/``bool`` conversions run in the worker.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        try:
            text = self._ek_op("repr", self)
        except Exception:
            text = f"#{self._ek_id}"
        return f"<remote {self._ek_type}: {text}>"

    def __setitem__(self, key, value) -> None:
        self._ek_op("setitem", self, key, value)

    __hash__ = object.__hash__


def _forward(op: str, reflected: bool = False):
    if reflected:
        def method(self, other):
            return self._ek_op(op, other, self)
    else:
        def method(self, other):
            return self._ek_op(op, self, other)
    return method


def _forward_unary(op: str):
    def method(self):
        return self._ek_op(op, self)
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
              "lshift", "rshift", "divmod"):
    setattr(RemoteObject, f"__{_name}__", _forward(_name))
    setattr(RemoteObject, f"__r{_name}__", _forward(_name, reflected=True))
for _name in ("eq", "ne", "lt", "le", "gt", "ge", "getitem", "delitem", "contains"):
    setattr(RemoteObject, f"__{_name}__", _forward(_name))
for _name in ("neg", "pos", "abs", "invert", "str", "bool", "len", "iter", "next", "int", "float", "index"):
    setattr(RemoteObject, f"__{_name}__", _forward_unary(_name))
del _name


class ModuleProxy(_RemoteBase):
    """The module loaded in a worker: attribute reads and calls are forwarded to it.

    Every dunder attribute (``np.__class__``, ``np.__len__``, ...) raises AttributeError, so no
    protocol lookup reaches the worker, except ``__version__``, which is read from it.  Calls go
    to the pool's live worker, so a worker that died between calls is replaced transparently
    (the remote objects it held are gone with it).
    """

    __slots__ = ("_ek_pool", "_ek_key")

    def __init__(self, pool: ProcessPool, module: str, paths: tuple[str, ...], timeout: float | None):
        super().__init__(None, 0, module, timeout)
        object.__setattr__(self, "_ek_pool", pool)
        object.__setattr__(self, "_ek_key", (module, tuple(paths)))

    def __getattribute__(self, name: str) -> object:
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)  # __getattr__ then forwards __version__ only
        return object.__getattribute__(self, name)

    def _ek_owner(self) -> WorkerProcess | None:
        return self._ek_pool.find(*self._ek_key)

    def _ek_request(self, message: tuple) -> object:
        for attempt in (1, 2):
            proc = self._ek_pool.get(*self._ek_key, self._ek_timeout)
            try:
                return proc.request(message, self._ek_timeout, self._ek_handles(proc))
            except _Unsent:
                if attempt == 2:
                    raise WorkerCrashedError(f"envknit worker for {self._ek_key[0]} keeps dying") from None
        raise AssertionError("unreachable")

    def __repr__(self) -> str:
        proc = self._ek_owner()
        pid = f" (worker pid {proc.pid})" if proc is not None and proc.alive() else ""
        return f"<envknit.ModuleProxy {self._ek_key[0]}{pid}>"


class WorkerContext:
    """What ``worker()`` returns: a context manager whose ``with`` target is a :class:`ModuleProxy`.

    Leaving the block keeps the worker in the pool for the next block.
    """

    def __init__(self, name: str, version: str, module: str, paths: list[str], timeout: float | None):
        self.name = name
        self.version = version
        self.module = module
        self.paths = tuple(paths)
        self.timeout = timeout
        self._pool = ProcessPool.instance()

    def __enter__(self) -> ModuleProxy:
        self._pool.get(self.module, self.paths, self.timeout)  # start it now: import errors surface here
        return ModuleProxy(self._pool, self.module, self.paths, self.timeout)

    def __exit__(self, exc_type, exc, tb) -> bool:
        return False

    async def __aenter__(self):
        # Python 3.10 reports a missing __aenter__ as AttributeError; say TypeError everywhere.
        raise TypeError("worker() is a synchronous context manager: use `with`, not `async with`")

    async def __aexit__(self, exc_type, exc, tb) -> bool:
        return False

    @property
    def pid(self) -> int | None:
        """The process id of the live worker, if there is one."""
        proc = self._pool.find(self.module, self.paths)
        return proc.pid if proc is not None and proc.alive() else None

    def __repr__(self) -> str:
        return f"<WorkerContext {self.name} {self.version} ({self.module})>"


def _explicit_install(name: str, install_path: str | os.PathLike) -> tuple[list[str], str]:
    path = Path(install_path).expanduser()
    if not path.is_dir():
        raise FileNotFoundError(2, "envknit worker: install_path is not a folder", str(path))
    if not is_installed_wheel(path):
        path = best_entry_in(path) or path
    module = DistInfo(path, name).primary_module() or normalize_name(name).replace("-", "_")
    return [str(path.resolve())], module


def worker(name: str, version: str, install_path: str | os.PathLike | None = None,
           timeout: float | None = DEFAULT_TIMEOUT) -> WorkerContext:
    """A context manager giving a ModuleProxy of ``name`` at ``version`` loaded in a worker process.

    The worker sees only that version's folder and the folders of the dependencies locked beside
    it; ``install_path`` (an installed wheel's folder, or a folder of store entries) bypasses the
    registry.  ``timeout`` bounds each call (and the worker's start) in seconds.
    """
    if install_path is not None:
        paths, module = _explicit_install(name, install_path)
    else:
        registry = get_registry()
        entry = registry.get(name, version)
        if entry.primary_module is None:
            raise ImportError(f"envknit: {entry.display_name} {entry.version} has no importable module", name=name)
        paths, module = [e.path for e in registry.closure(entry)], entry.primary_module
    return WorkerContext(name, version, module, paths, timeout)
