"""The engine is pure: no Django, no I/O, no environment (DESIGN.md §2)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import policies.engine

FORBIDDEN_MODULES = {
    "django",
    "os",
    "io",
    "pathlib",
    "socket",
    "subprocess",
    "shutil",
    "tempfile",
    "sqlite3",
    "urllib",
    "http",
    "requests",
    "psycopg",
    "psycopg2",
    "redis",
    "celery",
    "logging",
    "sys",
    "builtins",
    "importlib",
    "ctypes",
    "multiprocessing",
    "threading",
    "asyncio",
    "select",
    "signal",
    "glob",
    "fileinput",
    "pickle",
    "shelve",
    "dbm",
}
FORBIDDEN_CALLS = {"open", "exec", "eval", "compile", "__import__", "input", "print", "breakpoint"}
ENGINE_DIR = Path(policies.engine.__file__).parent
MODULES = sorted(p for p in ENGINE_DIR.rglob("*.py"))


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE_DIR)))
def test_module_imports_nothing_impure(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    assert not (_imports(tree) & FORBIDDEN_MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ENGINE_DIR)))
def test_module_calls_no_io_builtins(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not (called & FORBIDDEN_CALLS)


def test_importing_the_engine_loads_no_impure_module():
    import subprocess
    import sys

    code = (
        "import sys; before = set(sys.modules); import policies.engine, pkgutil, importlib\n"
        "for m in pkgutil.walk_packages(policies.engine.__path__, 'policies.engine.'):\n"
        "    importlib.import_module(m.name)\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(','.join(sorted(new)))"
    )
    root = Path(policies.engine.__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.strip().split(","))
    assert not (loaded & {"django", "socket", "subprocess", "sqlite3", "psycopg", "redis"})


def test_every_engine_module_imports():
    for info in pkgutil.walk_packages(policies.engine.__path__, "policies.engine."):
        importlib.import_module(info.name)
