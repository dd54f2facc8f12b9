"""The packages the tests install: two versions of ``greeter`` that depend on two versions of
``wordlib``, PyYAML and beautifulsoup4 look-alikes (import names differ from distribution names),
``fastcalc`` with a real compiled C extension, ``multibuild`` built for several interpreters, and
``oddity`` whose dist-info has top_level.txt but no RECORD, and ``markupsafe`` (a ``str`` subclass
whose ``+`` escapes, beside a compiled C extension, as the real one ships)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .store_factory import (
    Wheel,
    abi3_platform_tag,
    build_wheel,
    compile_extension,
    install_wheel,
    lock_entry,
    lock_yaml,
)

WORDLIB = '''__version__ = "{v}"
def word():
    return "{word}"
'''

GREETER = '''__version__ = "{v}"
import importlib
import wordlib
from . import tones
from .tones import PREFIX as _PREFIX

def hello():
    return f"{{tones.PREFIX}} {{wordlib.word()}}"

def dep_version():
    import wordlib
    return wordlib.__version__

def dep_version_via_importlib():
    return importlib.import_module("wordlib").__version__

def lazy_value():
    from .lazy import VALUE
    return VALUE
'''

FASTCALC = '''__version__ = "{v}"
import collections
import enum
import os
import sys
import time
import weakref
from ._speedups import BUILD, add, pid
import wordlib

_live = weakref.WeakSet()


class CalcError(ArithmeticError):
    pass


class Vector:
    def __init__(self, items):
        self.items = list(items)
        _live.add(self)

    def total(self):
        return sum(self.items)

    def tolist(self):
        return list(self.items)

    def scaled(self, k):
        return Vector(x * k for x in self.items)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]

    def __iter__(self):
        return iter(self.items)

    def __add__(self, other):
        return Vector(a + b for a, b in zip(self.items, other.items))

    def __repr__(self):
        return f"Vector({{self.items!r}})"


def zeros(n):
    return Vector([0] * n)


def norm2(v):
    return sum(x * x for x in v.items)


def echo(x):
    return x


def type_names(x):
    if isinstance(x, (list, tuple)):
        return [type(x).__name__, [type_names(i) for i in x]]
    if isinstance(x, dict):
        return ["dict", {{k: type_names(v) for k, v in x.items()}}]
    return type(x).__name__


def fail(message):
    raise ValueError(message)


def fail_custom():
    raise CalcError("custom failure in the worker")


def sleep(seconds):
    time.sleep(seconds)
    return seconds


def crash():
    os._exit(3)


def live_vectors():
    import gc
    gc.collect()
    return len(_live)


def word_version():
    return wordlib.__version__


def sys_path():
    return list(sys.path)


def can_import(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


class Label(str): pass
class Blob(bytes): pass
class Count(int): pass
class Ratio(float): pass
class Phase(complex): pass
class Items(list): pass
class Table(dict): pass
class Tags(set): pass
class FrozenTags(frozenset): pass
class Color(enum.IntEnum):
    RED = 1
Point = collections.namedtuple("Point", "x y")


class Field:
    """Renders as a str subclass, as WTForms fields render as Markup."""

    def __str__(self):
        return Label("<field>")

    def __repr__(self):
        return Label("Field()")


def subclass_values():
    """One instance of a subclass of each built-in kind the wire carries by value, and more."""
    return [Label("a"), Blob(b"b"), Count(3), Ratio(1.5), Phase(1j), Items([1]), Table(k=1), Tags({{1}}),
            FrozenTags({{2}}), Color.RED, Point(1, 2), bytearray(b"x")]
'''

MARKUPSAFE = '''__version__ = "{v}"
from ._speedups import BUILD


def escape(s):
    if hasattr(s, "__html__"):
        return Markup(s.__html__())
    s = str(s)
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;")):
        s = s.replace(char, entity)
    return Markup(s)


class Markup(str):
    """Text that is safe in HTML: anything added to it is escaped first."""

    __slots__ = ()

    def __html__(self):
        return self

    def __add__(self, other):
        if isinstance(other, str) or hasattr(other, "__html__"):
            return self.__class__(super().__add__(escape(other)))
        return NotImplemented

    def __radd__(self, other):
        if isinstance(other, str) or hasattr(other, "__html__"):
            return escape(other).__add__(self)
        return NotImplemented

    def split(self, sep=None, maxsplit=-1):
        return [self.__class__(v) for v in super().split(sep, maxsplit)]

    def __repr__(self):
        return f"Markup({{super().__repr__()}})"
'''


@dataclass
class Built:
    """Every wheel the tests use, by (distribution, version)."""

    wheels: dict[tuple[str, str], list[Wheel]] = field(default_factory=dict)

    def __getitem__(self, key: tuple[str, str]) -> list[Wheel]:
        return self.wheels[key]

    def all(self) -> list[Wheel]:
        return [w for ws in self.wheels.values() for w in ws]


def build_all(out: Path) -> Built:
    built = Built()

    def add(ws: list[Wheel]) -> None:
        built.wheels[(ws[0].name, ws[0].version)] = ws

    for v, word in (("1.0", "old"), ("2.0", "new")):
        add([build_wheel(out, "wordlib", v, {"wordlib/__init__.py": WORDLIB.format(v=v, word=word)})])
        add([build_wheel(out, "greeter", v, {
            "greeter/__init__.py": GREETER.format(v=v),
            "greeter/tones.py": f'PREFIX = "{"hello" if v == "1.0" else "hi"}"\n',
            "greeter/lazy.py": f'VALUE = "lazy {v}"\n',
        }, requires=["wordlib<2" if v == "1.0" else "wordlib>=2"])])
        so = compile_extension(out / f"c-{v}", v)
        add([build_wheel(out, "fastcalc", v, {
            "fastcalc/__init__.py": FASTCALC.format(v=v),
            "fastcalc/_speedups.abi3.so": so,
        }, tag=abi3_platform_tag(), requires=["wordlib<2" if v == "1.0" else "wordlib>=2"])])
    for v in ("2.1.2", "2.1.5"):
        add([build_wheel(out, "markupsafe", v, {
            "markupsafe/__init__.py": MARKUPSAFE.format(v=v),
            "markupsafe/_speedups.abi3.so": compile_extension(out / f"c-markupsafe-{v}", v),
        }, tag=abi3_platform_tag())])
    for v in ("5.4.1", "6.0.1"):
        add([build_wheel(out, "PyYAML", v, {
            "yaml/__init__.py": f'__version__ = "{v}"\nfrom .dumper import dump\n',
            "yaml/dumper.py": f'def dump(data):\n    return "fake-yaml {v}: " + repr(data)\n',
            "_yaml/__init__.py": "",
        })])
    add([build_wheel(out, "beautifulsoup4", "4.12.3", {
        "bs4/__init__.py": '__version__ = "4.12.3"\nclass BeautifulSoup:\n    pass\n',
    }, top_level=["bs4"])])
    add([build_wheel(out, "oddity", "0.1", {"oddmod.py": '__version__ = "0.1"\n'},
                     top_level=["oddmod"], record=False)])
    add([
        build_wheel(out, "multibuild", "1.0", {"multibuild/__init__.py": f'BUILD = "{tag}"\n'}, tag=tag)
        for tag in ("py3-none-any", "cp311-cp311-linux_x86_64", "cp313-cp313-linux_x86_64")
    ])
    return built


LOCKED = {
    "default": [("greeter", "2.0"), ("wordlib", "2.0"), ("PyYAML", "6.0.1"), ("beautifulsoup4", "4.12.3"),
                ("fastcalc", "2.0"), ("multibuild", "1.0"), ("oddity", "0.1")],
    "legacy": [("greeter", "1.0"), ("wordlib", "1.0"), ("PyYAML", "5.4.1"), ("fastcalc", "1.0")],
}


def install_and_lock(built: Built, home: Path, lock_path: Path, environments: dict | None = None,
                     skip_install: tuple = ()) -> Path:
    """Install every locked wheel into ``home`` and write the lock; returns the lock path."""
    environments = environments or LOCKED
    for env in environments.values():
        for key in env:
            if key in skip_install:
                continue
            for wheel in built[key]:
                install_wheel(home, wheel)
    lock_path.write_text(lock_yaml({
        env: [lock_entry(built[key]) for key in keys] for env, keys in environments.items()
    }))
    return lock_path
