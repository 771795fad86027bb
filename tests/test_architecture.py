"""Import rules that import-linter cannot express (its contracts: pyproject.toml, `lint-imports`).

No function-level import of a project module, except the few listed below that are lazy for
start-up cost or because Django loads models only after every AppConfig: an import hidden in
a function to dodge a cycle hides a layering fault (docs/architecture.md, "Import contracts").
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from accounts import audit
from accounts.actors import system_actor
from config.queue import task
from policies.effective.outbox import capture

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("accounts", "brokers", "config", "policies")

# (file, function, imported module): each one lazy on purpose, never to dodge a cycle.
ALLOWED_FUNCTION_IMPORTS = {
    # AppConfig.ready(): models (and modules importing them) load only once every app's
    # config is registered, so Django's own idiom imports them here.
    ("config/apps.py", "ready", "config.lookups"),
    ("policies/apps.py", "ready", "accounts.audit"),
    ("policies/apps.py", "ready", "policies.aws_managed"),
    ("policies/apps.py", "ready", "policies.effective.outbox"),
    # The context builder's resource lookups read models: registered once the apps are.
    ("policies/apps.py", "ready", "policies.resources"),
    ("brokers/apps.py", "ready", "brokers.resources"),
    # Start-up cost: the Celery app (~0.25 s) loads only in a process that sends a task, so
    # commands that never do (manage.py simulate) start without it.
    ("config/queue.py", "task", "config.celery"),
    # config.celery is imported by `celery -A config` before Django is set up; these run in
    # the worker only, after setup (the catalog load before forking, the heartbeat).
    ("config/celery.py", "load_catalog_before_forking", "policies.catalog"),
    ("config/celery.py", "beat", "config.health"),
}


def _source_files():
    for app in PROJECT:
        for path in sorted((ROOT / app).rglob("*.py")):
            # Migrations are frozen history; they import project code at run time on purpose.
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0:
        return [node.module or ""]
    base = module.split(".")[: None if is_package else -1]
    base = base[: len(base) - (node.level - 1)]
    return [".".join([*base, node.module] if node.module else base)]


def _function_imports(path: Path) -> set[tuple[str, str, str]]:
    """(file, enclosing function, project module) for each import inside a function of it."""
    module, is_package = _module_of(path), path.name == "__init__.py"
    rel = str(path.relative_to(ROOT))
    found = set()

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, child.name)
                continue
            if function and isinstance(child, ast.Import | ast.ImportFrom):
                for name in _imported(child, module, is_package):
                    if name.split(".")[0] in PROJECT:
                        found.add((rel, function, name))
            visit(child, function)

    visit(ast.parse(path.read_text(), filename=str(path)), None)
    return found


def function_level_imports() -> set[tuple[str, str, str]]:
    """Every (file, enclosing function, project module) imported inside a function."""
    return set().union(*(_function_imports(path) for path in _source_files()))


def test_no_function_level_import_of_a_project_module():
    unexpected = sorted(function_level_imports() - ALLOWED_FUNCTION_IMPORTS)
    assert not unexpected, (
        "import these at module top (a cycle means code sits in the wrong module): "
        + "; ".join(f"{f} in {fn}(): {m}" for f, fn, m in unexpected)
    )


def test_the_allow_list_names_only_imports_that_exist():
    assert not ALLOWED_FUNCTION_IMPORTS - function_level_imports()


def test_the_detector_sees_a_hidden_import(tmp_path, monkeypatch):
    """The walk finds an import nested in a method's branch, relative or absolute."""
    package = tmp_path / "policies"
    package.mkdir()
    (package / "x.py").write_text(
        "class A:\n    def f(self):\n        if True:\n            from .models import M\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PROJECT", ("policies",))
    assert function_level_imports() == {("policies/x.py", "f", "policies.models")}


def test_the_engine_contract_forbids_every_other_module_of_policies():
    """import-linter forbids by name: a new module of policies must join the engine's list."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (engine,) = [c for c in config["contracts"] if c["id"] == "engine-pure"]
    siblings = {
        f"policies.{path.stem if path.suffix == '.py' else path.name}"
        for path in (ROOT / "policies").iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
        and not path.name.startswith("__")
        and path.name not in ("engine", "migrations")
    }
    assert siblings - set(engine["forbidden_modules"]) == set()
    assert {"accounts", "brokers", "config", "django"} <= set(engine["forbidden_modules"])


def test_setup_and_simulate_load_no_celery():
    """Why config.queue imports the Celery app lazily: start-up of commands like simulate."""
    code = (
        "import sys, django; django.setup()\n"
        "import policies.management.commands.simulate\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'celery'\n"
        "             or m in ('accounts.tasks', 'brokers.tasks', 'policies.tasks')))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


_TASK_NAME = re.compile(r"""\b(?:task|enqueue)\(\s*["']([a-z_.]+\.tasks\.[a-z_]+)["']""")
_BOUND_TASK_NAME = re.compile(r"""=\s*["']((?:accounts|brokers|policies)\.tasks\.[a-z_]+)["']""")


def test_every_task_named_by_a_service_exists():
    """Services name their tasks (config.queue.task) instead of importing them: no typo."""
    sources = [path.read_text() for path in _source_files()]
    names = {name for text in sources for name in _TASK_NAME.findall(text)}
    # and a name bound first (expire = "policies.tasks.…"; enqueue(expire, …))
    names |= {name for text in sources for name in _BOUND_TASK_NAME.findall(text)}
    assert len(names) >= 7
    for name in sorted(names):
        assert task(name).name == name


@pytest.mark.django_db
def test_audit_record_runs_the_matrix_change_capture():
    """accounts does not import the matrix; policies registers its capture at start-up."""
    assert audit._change_capture == [capture]


@pytest.mark.django_db
def test_audit_record_refuses_to_run_without_a_change_capture(monkeypatch):
    monkeypatch.setattr(audit, "_change_capture", [])
    with pytest.raises(RuntimeError, match="no change capture"):
        audit.audit_record(actor=system_actor(), action="iam:CreateUser")


_CONSOLE_VIEW_DIRS = ("accounts/views", "brokers/views", "policies/pages")
_CATCHES_DENIAL = re.compile(r"except\s*\(?[^:\n]*\bAccessDenied\b")


def test_console_views_leave_denials_to_the_one_handler():
    """A console view never catches AccessDenied: policies.middleware.DenialMiddleware renders
    AWS's 403 page for every page alike (the denial is audited where it is decided)."""
    offenders = {
        str(path.relative_to(ROOT))
        for directory in _CONSOLE_VIEW_DIRS
        for path in sorted((ROOT / directory).rglob("*.py"))
        if _CATCHES_DENIAL.search(path.read_text())
    }
    # Switch role into another account answers a missing and a forbidden role alike, on the
    # form (no existence oracle, docs/security.md); in one's own account it re-raises.
    assert offenders <= {"accounts/views/switch_role.py"}, offenders
