"""Every exception the runtime raises on purpose, in one place.

The guide names some of them by the module that raises them (for instance
``envknit.isolation.import_hook.CExtensionError``); those modules re-export these classes, so every
documented path names the same class object.
"""

from __future__ import annotations


class SchemaVersionError(ValueError):
    """The lock's ``schema_version`` has a newer major version than this runtime reads (1.x).

    Upgrade the envknit Python package.
    """


class LockFileError(ValueError):
    """The lock file is not valid YAML or not a valid envknit lock (the message says where)."""


class CExtensionError(ImportError):
    """``use()`` was asked for a package whose installed files include C extensions.

    An extension module cannot be unloaded or loaded twice in one process, so two versions of it
    cannot live side by side in-process; use ``envknit.worker()`` (or ``use(..., auto_worker=True)``).
    """


class VersionNotFoundError(ImportError):
    """The requested distribution or version is not registered (see ``configure_from_lock()``)."""


class UnsupportedPlatformError(RuntimeError):
    """Sub-interpreters need CPython 3.12+ with ``_interpreters`` (3.13) or ``_xxsubinterpreters`` (3.12)."""


class CExtIncompatibleError(ImportError):
    """A C extension refused to load in a sub-interpreter (it does not support PEP 489/684 isolation)."""


class WorkerCrashedError(RuntimeError):
    """A worker process ended while a call was in flight; the next call starts a new one."""


class RemoteError(Exception):
    """Base of exceptions re-raised from a worker whose type is not a Python built-in.

    The dynamically created subclass also derives from the remote type's nearest built-in base (a
    remote ``numpy.linalg.LinAlgError`` is caught by ``except ValueError``).  ``remote_type`` names
    the original type and ``remote_traceback`` holds the worker's formatted traceback.
    """

    remote_type: str = ""
    remote_traceback: str = ""
