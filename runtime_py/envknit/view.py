"""The environment view this interpreter runs in, if any (DEVELOPERS.md, "Environment views").

A view is a folder the tool builds per (lock, environment, interpreter):
``$ENVKNIT_HOME/views/<key>/`` with a ``pyvenv.cfg`` (no system site-packages), ``bin/python``
linked to the base interpreter, and a ``lib/pythonX.Y/site-packages/`` whose entries are links
into the store (one per top-level name of each chosen entry, its ``.dist-info`` too, and
``envknit`` to the runtime).  Started as ``<view>/bin/python``, Python is a virtual environment
whose only third-party packages are the locked ones: the standard library comes first, the base
interpreter's site-packages and the user site are not on ``sys.path``, and ``sys.executable``
(the view's python) starts children in the same environment.  Nothing of envknit runs at start-up.

``view.json`` says what the view was built from (the lock, the environment, the store entries).
:func:`current_view` reads it, once, when the runtime needs it: ``configure_from_lock()`` without
arguments reads the view's lock and environment, and registers the view's entries as the
defaults, so ``use()``, ``set_default()`` and the import hook agree with what plain imports give.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

__all__ = ["VIEW_FILE", "VIEW_FORMAT", "View", "ViewEntry", "current_view", "read_view"]

VIEW_FILE = "view.json"
#: The ``format`` of ``view.json`` this runtime reads.
VIEW_FORMAT = 1


@dataclass(frozen=True)
class ViewEntry:
    """One store entry a view links."""

    name: str  # PEP 503-normalised
    version: str
    path: str  # the entry folder, real path


@dataclass(frozen=True)
class View:
    """A parsed ``view.json``."""

    path: str
    lock: str
    environment: str
    home: str
    site_packages: str
    entries: tuple[ViewEntry, ...]

    def entry_paths(self) -> frozenset[str]:
        """The entry folders the view links (real paths)."""
        return frozenset(e.path for e in self.entries)


class _Unread:
    pass


_UNREAD = _Unread()
_current: View | None | _Unread = _UNREAD


def read_view(folder: str) -> View | None:
    """The view at ``folder``, or None when it has no readable ``view.json`` of a known format."""
    try:
        with open(os.path.join(folder, VIEW_FILE), encoding="utf-8") as f:
            data = json.load(f)
        if not isinstance(data, dict) or data.get("format") != VIEW_FORMAT:
            return None
        entries = tuple(
            ViewEntry(str(e["name"]), str(e["version"]), os.path.realpath(str(e["path"])))
            for e in data["entries"]
        )
        return View(
            path=folder,
            lock=str(data["lock"]),
            environment=str(data["environment"]),
            home=str(data["envknit_home"]),
            site_packages=os.path.join(folder, str(data["interpreter"]["site_packages"])),
            entries=entries,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current_view() -> View | None:
    """The view this interpreter was started from (``sys.prefix`` holds a ``view.json``), or None."""
    global _current
    if _current is _UNREAD:
        view = None
        if sys.prefix != sys.base_prefix:
            view = read_view(sys.prefix)
        _current = view
    return _current  # type: ignore[return-value]


def _set_current(view: View | None | _Unread) -> None:
    """For tests: act as if this interpreter ran in ``view`` (``_UNREAD``: look again)."""
    global _current
    _current = view
