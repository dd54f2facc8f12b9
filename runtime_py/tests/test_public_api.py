"""The API guide's names, signatures, defaults and exception types; stdlib only; Python 3.10 syntax."""

from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path

import pytest

import envknit

PACKAGE = Path(envknit.__file__).resolve().parent

DOCUMENTED = {
    "envknit": ["configure_from_lock", "use", "worker", "import_version", "set_default", "enable", "disable",
                "SubInterpreterEnv", "CExtIncompatibleError", "ContextThread", "ContextExecutor", "context_wrap",
                "CExtensionError", "SchemaVersionError", "UnsupportedPlatformError"],
    "envknit.isolation": ["SubInterpreterEnv", "ContextThread", "ContextExecutor", "context_wrap"],
    "envknit.isolation.import_hook": ["CExtensionError", "SchemaVersionError"],
}


@pytest.mark.parametrize("module", list(DOCUMENTED))
def test_documented_names_are_importable(module):
    mod = importlib.import_module(module)
    for name in DOCUMENTED[module]:
        assert getattr(mod, name) is getattr(envknit, name), f"{module}.{name}"
    exec(f"from {module} import {', '.join(DOCUMENTED[module])}", {})


def params(fn) -> list[tuple]:
    return [(p.name, p.kind.name, p.default) for p in inspect.signature(fn).parameters.values()]


def test_signatures_and_defaults():
    empty = inspect.Parameter.empty
    pk, kw = "POSITIONAL_OR_KEYWORD", "KEYWORD_ONLY"
    assert params(envknit.configure_from_lock) == [("lock_path", pk, None), ("env", pk, None), ("auto_install", pk, True),
                                                   ("trust_install_path", kw, False)]
    assert params(envknit.use) == [("name", pk, empty), ("version", pk, empty), ("auto_worker", pk, False)]
    assert params(envknit.worker) == [("name", pk, empty), ("version", pk, empty), ("install_path", pk, None),
                                      ("timeout", pk, 30.0)]
    assert params(envknit.import_version) == [("name", pk, empty), ("version", pk, empty), ("alias", pk, None)]
    assert params(envknit.set_default) == [("name", pk, empty), ("version", pk, empty)]
    assert params(envknit.enable) == [("strict", pk, False)]
    assert params(envknit.disable) == []
    S = envknit.SubInterpreterEnv
    assert params(S.configure_from_lock)[1:] == [("lock_path", pk, empty), ("env_name", pk, "default"),
                                                 ("trust_install_path", kw, False)]
    assert params(S.eval_json)[1:] == [("code", pk, empty)]
    assert params(S.run_string)[1:] == [("code", pk, empty)]
    assert params(S.try_import)[1:] == [("module_name", pk, empty), ("raise_on_cext", kw, False)]
    assert issubclass(envknit.ContextThread, __import__("threading").Thread)
    assert issubclass(envknit.ContextExecutor, __import__("concurrent.futures").futures.ThreadPoolExecutor)


def test_exception_types():
    assert issubclass(envknit.CExtensionError, ImportError)
    assert issubclass(envknit.SchemaVersionError, ValueError)
    assert issubclass(envknit.CExtIncompatibleError, ImportError)
    assert issubclass(envknit.UnsupportedPlatformError, Exception)


def runtime_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", runtime_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_runtime_is_python_3_10_syntax_and_stdlib_only(path):
    tree = ast.parse(path.read_text(), str(path), feature_version=(3, 10))
    stdlib = set(sys.stdlib_module_names) | {"_interpreters", "_xxsubinterpreters"}  # CPython 3.13 / 3.12
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in stdlib or top == "envknit" or (path.name == "lock.py" and top == "yaml"), f"{path}: {name}"


def test_every_module_is_documented():
    for path in runtime_files():
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path} has no module docstring"
