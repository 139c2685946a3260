"""Every route says who may use it first, straight under its address (as GOV.UK Notify admin's
tests/app/main/test_permissions.py does): a reader sees the rule at once, and no other decorator
(a cache, a schema check, a body-size check) can run before it. Read from the source."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tracker"
ROUTE_METHODS = {"route", "get", "post", "put", "patch", "delete"}
PERMISSION_DECORATORS = {"permission_required", "require_scope"}


def _name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr
    return target.id if isinstance(target, ast.Name) else ""


def _is_route(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTE_METHODS
        and isinstance(decorator.func.value, ast.Name)
        and decorator.func.value.id.endswith("bp")
    )


def _routed_views():
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                routes = [d for d in node.decorator_list if _is_route(d)]
                if routes:
                    yield path.relative_to(ROOT.parent), node


def test_every_route_declares_who_may_use_it_first():
    views = list(_routed_views())
    assert len(views) > 100  # the walk finds the app's routes
    wrong = []
    for path, view in views:
        decorators = view.decorator_list
        after_routes = next((d for d in decorators if not _is_route(d)), None)
        leading_routes = decorators[: decorators.index(after_routes)] if after_routes else []
        if (
            after_routes is None
            or _name(after_routes) not in PERMISSION_DECORATORS
            or any(not _is_route(d) for d in leading_routes)
        ):
            wrong.append(f"{path}:{view.lineno} {view.name}")
    assert wrong == [], "put @permission_required(...) straight under the route: " + ", ".join(
        wrong
    )
