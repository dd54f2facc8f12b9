"""The packages of seed 004 as real wheels installed in a store, for the islands tests and bench.

``my_app`` needs ``dep_a`` (``tabular`` 1.x) and ``dep_b`` (``tabular`` 2.x).  ``tabular`` is a
package with submodules, relative imports, a module-level registry (state), a subpackage loaded
lazily through ``importlib``, a self-import by its absolute name, and metadata.  ``formats`` depends
on ``tabular`` and is needed by both (per island); ``common`` is needed by both and depends on
nothing split (shared).  ``dep_a`` and ``dep_b`` are the same code under two names, importing
``tabular`` every way Python can.  ``big`` (optional) is a package of many modules for the bench.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .store_factory import build_wheel, install_wheel

TABULAR_INIT = '''__version__ = "{v}"
from . import core
from .core import Frame
from .formats import csv as _csv

_registry = {{}}


def register(key, value):
    _registry[key] = value


def registered():
    return dict(_registry)


def load_format(name):
    import importlib
    return importlib.import_module("tabular.formats." + name)


def load_format_relative(name):
    import importlib
    return importlib.import_module(".formats." + name, __package__)
'''

TABULAR_CORE = '''import tabular.util as _util


class Frame:
    version = "{v}"

    def __init__(self, rows=()):
        self.rows = list(rows)

    def __eq__(self, other):
        return type(other) is type(self) and other.rows == self.rows

    def width(self):
        return _util.width(self.rows)
'''

TABULAR_UTIL = '''def width(rows):
    return max((len(r) for r in rows), default=0)
'''

TABULAR_FORMATS_INIT = '''from .. import __version__ as parent_version
'''

TABULAR_CSV = '''from .. import core
from ..core import Frame
from . import parent_version
NAME = "csv"
VERSION = parent_version
'''

TABULAR_JSON = '''from tabular.core import Frame
NAME = "json"
import tabular
VERSION = tabular.__version__
'''

DEP = '''"""{name}: uses tabular every way Python can."""
import tabular
import tabular.core as tcore
from tabular import Frame
from tabular.formats import csv
import common
import formats

VERSION_AT_IMPORT = tabular.__version__


def version():
    return tabular.__version__


def lazy_version():
    import tabular
    return tabular.__version__


def lazy_from():
    from tabular import __version__
    return __version__


def lazy_submodule():
    import tabular.core as c
    return c.Frame.version


def via_importlib():
    import importlib
    return importlib.import_module("tabular").__version__


def via_importlib_sub():
    import importlib
    return importlib.import_module("tabular.core").Frame.version


def via_dunder_import():
    return __import__("tabular").__version__


def via_exec():
    scope = {{}}
    exec("import tabular\\nv = tabular.__version__", scope)
    return scope["v"]


def lazy_format(name):
    return tabular.load_format(name).VERSION


def lazy_format_relative(name):
    return tabular.load_format_relative(name).VERSION


def metadata_version():
    from importlib.metadata import version
    return version("tabular")


def metadata_module_version():
    import importlib.metadata as md
    return md.version("tabular")


def register(key, value):
    tabular.register(key, value)


def registered():
    return tabular.registered()


def frame(rows=()):
    return Frame(rows)


def tabular_module():
    return tabular


def formats_module():
    return formats


def common_module():
    return common


def add(a, b):
    return a + b
'''

FORMATS = '''import tabular


def tabular_version():
    return tabular.__version__


STATE = []
'''

COMMON = '''STATE = []


def hello():
    return "hello"
'''


def big_files(version: str, modules: int) -> dict[str, str]:
    """A package ``big`` of ``modules`` modules that import each other relatively and absolutely."""
    files = {"big/__init__.py": f'__version__ = "{version}"\n' +
             "".join(f"from . import m{i}\n" for i in range(modules - 1))}
    for i in range(modules - 1):
        body = [f'"""module {i}"""', "import os", "import big"]
        if i:
            body.append(f"from . import m{i - 1} as prev")
            body.append(f"from .m{i - 1} import f{i - 1}")
        body.append(f"def f{i}(x):\n    return x + {i}")
        body.append(f"class C{i}:\n    def m(self):\n        return {i}")
        files[f"big/m{i}.py"] = "\n".join(body) + "\n"
    return files


@dataclass
class SeedStore:
    """Folders of the installed entries, by ``name-version``."""

    home: Path
    folders: dict[str, Path]
    #: the built wheels, by ``name-version`` (for a lock naming them)
    wheels: dict = None  # type: ignore[assignment]

    def __getitem__(self, key: str) -> str:
        return str(self.folders[key])


def seed_store(root: Path, *, compiled_formats: bool = False, big_modules: int = 0) -> SeedStore:
    """Build and install the seed-004 packages into ``root/home``."""
    wheels = root / "wheels"
    home = root / "home"
    built = []
    for v in ("1.4.0", "2.1.0"):
        built.append(build_wheel(wheels, "tabular", v, {
            "tabular/__init__.py": TABULAR_INIT.format(v=v),
            "tabular/core.py": TABULAR_CORE.format(v=v),
            "tabular/util.py": TABULAR_UTIL,
            "tabular/formats/__init__.py": TABULAR_FORMATS_INIT,
            "tabular/formats/csv.py": TABULAR_CSV,
            "tabular/formats/json.py": TABULAR_JSON,
        }))
    built.append(build_wheel(wheels, "dep_a", "1.0", {"dep_a/__init__.py": DEP.format(name="dep_a")},
                             requires=["tabular<2", "formats", "common"]))
    built.append(build_wheel(wheels, "dep_b", "1.0", {"dep_b/__init__.py": DEP.format(name="dep_b")},
                             requires=["tabular>=2", "formats", "common"]))
    formats_files = {"formats/__init__.py": FORMATS}
    tag = "py3-none-any"
    if compiled_formats:
        import importlib.machinery  # noqa: PLC0415

        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        formats_files["formats/_speed" + suffix] = b"\x7fELF not really"
        tag = "cp311-cp311-linux_x86_64"
    built.append(build_wheel(wheels, "formats", "3.0", formats_files, requires=["tabular"], tag=tag))
    built.append(build_wheel(wheels, "common", "1.0", {"common/__init__.py": COMMON}))
    if big_modules:
        for v in ("1.0", "2.0"):
            built.append(build_wheel(wheels, "big", v, big_files(v, big_modules)))
    folders = {f"{w.name}-{w.version}": install_wheel(home, w) for w in built}
    return SeedStore(home, folders, {f"{w.name}-{w.version}": w for w in built})


#: The names of the seed's modules (to drop from sys.modules after a test).
MODULES = ("tabular", "dep_a", "dep_b", "formats", "common", "big")
