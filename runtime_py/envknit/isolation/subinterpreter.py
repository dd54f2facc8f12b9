"""``SubInterpreterEnv``: a PEP 684 sub-interpreter whose ``sys.path`` is a lock's packages plus the stdlib.

A sub-interpreter has its own ``sys.modules``, ``sys.path`` and (in the "isolated" configuration
used here) its own GIL.  CPython 3.13 exposes it as ``_interpreters``, 3.12 as
``_xxsubinterpreters``; older versions raise :class:`UnsupportedPlatformError`.

Data goes in as "shareable" values (str, int, bytes; never interpolated into code) and results
come back as JSON written by the sub-interpreter to a pipe that a thread of the host drains.
C extensions that use single-phase initialisation refuse to load in an isolated sub-interpreter
("does not support loading in subinterpreters"); :meth:`SubInterpreterEnv.try_import` reports
that as False or :class:`CExtIncompatibleError`.
"""

from __future__ import annotations

import json
import os
import sys
import sysconfig
import threading
from pathlib import Path

from ..config import environment_folders, require_environment, warn_not_installed
from ..errors import CExtIncompatibleError, UnsupportedPlatformError
from ..lock import read_lock
from ..store import envknit_home

__all__ = ["SubInterpreterEnv", "CExtIncompatibleError", "UnsupportedPlatformError"]

_CEXT_MARKERS = ("does not support loading in subinterpreters", "not compatible with subinterpreters")

# Code run inside the sub-interpreter.  Inputs arrive as __main__ attributes named _envknit_*.
_SET_PATH = """\
import sys as _ek_sys, json as _ek_json
from importlib.machinery import BuiltinImporter as _ek_b, FrozenImporter as _ek_f, PathFinder as _ek_p
_ek_sys.path[:] = _ek_json.loads(_envknit_paths)
_ek_sys.path_importer_cache.clear()
_ek_sys.meta_path[:] = [f for f in _ek_sys.meta_path if f in (_ek_b, _ek_f, _ek_p)]
_ek_keep = tuple(_ek_sys.path)
for _ek_name, _ek_mod in list(_ek_sys.modules.items()):  # e.g. what site loaded from elsewhere
    _ek_file = getattr(_ek_mod, "__file__", None)
    if _ek_file and _ek_name != "__main__" and not _ek_file.startswith(_ek_keep):
        del _ek_sys.modules[_ek_name]
del _ek_sys, _ek_json, _ek_b, _ek_f, _ek_p, _ek_keep, _ek_name, _ek_mod, _ek_file
"""

_CLEAR_RESULT = "globals().pop('result', None)\n"

_SEND_RESULT = """\
import json as _ek_json, os as _ek_os
_ek_data = _ek_json.dumps(globals().get("result", {})).encode()
while _ek_data:
    _ek_data = _ek_data[_ek_os.write(_envknit_fd, _ek_data):]
del _ek_json, _ek_os, _ek_data
"""

_TRY_IMPORT = """\
import importlib as _ek_importlib, json as _ek_json, os as _ek_os
try:
    _ek_importlib.import_module(_envknit_module)
    _ek_out = {"ok": True}
except ImportError as _ek_e:
    _ek_out = {"ok": False, "import_error": True, "message": str(_ek_e)}
except BaseException as _ek_e:
    _ek_out = {"ok": False, "import_error": False, "message": f"{type(_ek_e).__name__}: {_ek_e}"}
_ek_data = _ek_json.dumps(_ek_out).encode()
while _ek_data:
    _ek_data = _ek_data[_ek_os.write(_envknit_fd, _ek_data):]
del _ek_importlib, _ek_json, _ek_os, _ek_out, _ek_data
"""


class _Backend:
    """The low-level module of this CPython, behind one small interface."""

    def __init__(self) -> None:
        if sys.implementation.name != "cpython" or sys.version_info < (3, 12):
            raise UnsupportedPlatformError(
                f"SubInterpreterEnv needs CPython 3.12 or newer (this is {sys.implementation.name} "
                f"{sys.version.split()[0]}); use envknit.worker() for isolation here"
            )
        try:
            if sys.version_info >= (3, 13):
                import _interpreters as mod  # noqa: PLC0415
            else:
                import _xxsubinterpreters as mod  # noqa: PLC0415
        except ImportError as e:
            raise UnsupportedPlatformError(f"this CPython build has no sub-interpreter module: {e}") from None
        self.mod = mod

    def create(self) -> object:
        if sys.version_info >= (3, 13):
            return self.mod.create("isolated")
        return self.mod.create(isolated=True)

    def destroy(self, interp: object) -> None:
        self.mod.destroy(interp)

    def run(self, interp: object, code: str, shared: dict | None = None) -> str | None:
        """Run ``code``; None on success, else the formatted exception raised inside."""
        if sys.version_info >= (3, 13):
            failure = self.mod.exec(interp, code, shared or {})
            if failure is None:
                return None
            return getattr(failure, "errdisplay", None) or getattr(failure, "formatted", None) or str(failure)
        try:
            self.mod.run_string(interp, code, shared or {})
        except self.mod.RunFailedError as e:  # 3.12 reports "<Type>: <message>"
            return str(e)
        return None


def _stdlib_paths() -> list[str]:
    paths: list[str] = []
    for entry in sys.path:  # the zipped stdlib (pythonXY.zip) if this build uses one
        if entry.endswith(f"python{sys.version_info[0]}{sys.version_info[1]}.zip"):
            paths.append(entry)
    # the base interpreter's: in a virtual environment (an envknit view) "platstdlib" would
    # otherwise name a folder of the environment
    base = {"base": sys.base_prefix, "platbase": sys.base_exec_prefix,
            "installed_base": sys.base_prefix, "installed_platbase": sys.base_exec_prefix}
    for key in ("stdlib", "platstdlib"):
        p = sysconfig.get_path(key, vars=base)
        if p:
            paths.append(p)
            dynload = os.path.join(p, "lib-dynload")
            if os.path.isdir(dynload):
                paths.append(dynload)
    return list(dict.fromkeys(paths))


class SubInterpreterEnv:
    """A sub-interpreter that sees only a lock environment's packages and the standard library.

    Use it as a context manager; the interpreter is created on entry (its ``sys.path`` holds the
    standard library only until :meth:`configure_from_lock`) and destroyed on exit.  Raises
    UnsupportedPlatformError below CPython 3.12.
    """

    def __init__(self, name: str = "default"):
        self.name = name
        self._backend = _Backend()
        self._interp: object | None = None
        self.paths: list[str] = []

    def __enter__(self) -> SubInterpreterEnv:
        if self._interp is None:
            self._interp = self._backend.create()
            self._set_path(_stdlib_paths())  # host site-packages are never visible
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.close()
        return False

    def close(self) -> None:
        """Destroy the sub-interpreter (idempotent)."""
        if self._interp is not None:
            interp, self._interp = self._interp, None
            self._backend.destroy(interp)

    def _require(self) -> object:
        if self._interp is None:
            raise RuntimeError("SubInterpreterEnv is not active: use it in a `with` block")
        return self._interp

    def configure_from_lock(self, lock_path: str | os.PathLike, env_name: str = "default", *,
                            trust_install_path: bool = False) -> list[str]:
        """Replace the sub-interpreter's ``sys.path`` with the stdlib and ``env_name``'s installed packages.

        Host site-packages folders are never included.  Raises ValueError when the lock has no
        ``env_name``.  Returns the new ``sys.path``.  ``trust_install_path`` is as for
        :func:`envknit.configure_from_lock`.
        """
        lock = read_lock(lock_path)
        require_environment(lock, env_name)
        home = envknit_home()
        packages: list[str] = []
        for pkg, path in environment_folders(lock, env_name, home, trust_install_path):
            if path is None:
                warn_not_installed(pkg, home)
                continue
            packages.append(str(Path(path).resolve()))
        self._set_path(_stdlib_paths() + packages)  # the standard library first, as in a venv
        return list(self.paths)

    def _set_path(self, paths: list[str]) -> None:
        self.paths = paths
        self._run_checked(_SET_PATH, {"_envknit_paths": json.dumps(paths)})

    def _run_checked(self, code: str, shared: dict | None = None) -> None:
        failure = self._backend.run(self._require(), code, shared)
        if failure is not None:
            raise RuntimeError(f"the sub-interpreter raised:\n{failure}")

    def run_string(self, code: str) -> None:
        """Execute ``code`` in the sub-interpreter's ``__main__``; RuntimeError if it raises."""
        self._run_checked(code)

    def _run_for_output(self, code: str, shared: dict) -> bytes:
        read_fd, write_fd = os.pipe()
        chunks: list[bytes] = []

        def drain() -> None:
            while True:
                chunk = os.read(read_fd, 65536)
                if not chunk:
                    return
                chunks.append(chunk)

        reader = threading.Thread(target=drain, name="envknit-subinterp-output", daemon=True)
        reader.start()
        try:
            self._run_checked(code, {**shared, "_envknit_fd": write_fd})
        finally:
            os.close(write_fd)
            reader.join()
            os.close(read_fd)
        return b"".join(chunks)

    def eval_json(self, code: str) -> object:
        """Execute ``code`` and return the JSON round trip of the ``result`` it assigns ({} if none).

        RuntimeError if the code raises or ``result`` is not JSON-serialisable.  Never interpolate
        untrusted input into ``code``; probe module names with :meth:`try_import`.
        """
        self._run_checked(_CLEAR_RESULT)
        self._run_checked(code)
        return json.loads(self._run_for_output(_SEND_RESULT, {}))

    def try_import(self, module_name: str, *, raise_on_cext: bool = False) -> bool:
        """Whether ``module_name`` imports in the sub-interpreter (the name travels as data).

        True when it loads; for a C extension that does not support sub-interpreters False, or
        CExtIncompatibleError with ``raise_on_cext=True``; ImportError for any other failure.
        """
        if not isinstance(module_name, str) or not module_name:
            raise TypeError("module_name must be a non-empty str")
        out = json.loads(self._run_for_output(_TRY_IMPORT, {"_envknit_module": module_name}))
        if out["ok"]:
            return True
        message = out["message"]
        if out["import_error"] and any(m in message for m in _CEXT_MARKERS):
            if raise_on_cext:
                raise CExtIncompatibleError(
                    f"{module_name} cannot load in a sub-interpreter ({message}); use envknit.worker()",
                    name=module_name)
            return False
        raise ImportError(f"{module_name} does not import in the sub-interpreter: {message}", name=module_name)
