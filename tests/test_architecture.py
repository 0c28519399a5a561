"""The layers hold: read from the source, so a new import that breaks them fails here.

ARCHITECTURE.md draws the layers; these tests are what keeps the drawing true: the domain
(models/) imports nothing above it, product code never imports the tests, no two product
modules import each other (not even through a function-level import), and no product module
grows past the size a newcomer can read in one sitting.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("models", "bot", "admin", "charts", "devkit", "wushe")
ABOVE_DOMAIN = ("bot", "admin", "charts", "devkit", "wushe", "tests", "run_bot", "run_admin")
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    found = {}
    for top in PRODUCT:
        for path in sorted((ROOT / top).rglob("*.py")) if (ROOT / top).is_dir() else ():
            found[_module_name(path)] = path
    for script in ("run_bot.py", "run_admin.py"):
        found[script[:-3]] = ROOT / script
    return found


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING"))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every module this one imports, anywhere in its body (function-level imports count)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    tree = ast.parse(path.read_text("utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if _is_type_checking(block)
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # never run: names for the type checker only
            continue
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # `from pkg import mod` names a module: the edge goes to it, not to the package
            modules = {f"{target}.{a.name}" for a in node.names} & known
            out.update(modules)
            if len(modules) < len(node.names):
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    modules = product_modules()
    known = set(modules)
    edges = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports_of(name, path, known):
            # the longest known prefix: `models.core.schema.Report` -> models.core.schema
            parts = imported.split(".")
            while parts and ".".join(parts) not in known:
                parts.pop()
            if parts and ".".join(parts) != name:
                targets.add(".".join(parts))
        edges[name] = targets
    return edges


def _all_imports(prefix: str) -> list[tuple[str, str]]:
    modules = product_modules()
    out = []
    for name, path in modules.items():
        if name == prefix or name.startswith(prefix + "."):
            out.extend((name, target) for target in imports_of(name, path, set(modules)))
    return out


def test_it_keeps_the_domain_free_of_the_edges():
    wrong = [(m, t) for m, t in _all_imports("models")
             if t.split(".")[0] in ABOVE_DOMAIN or t.split(".")[0] in ("telegram", "flask",
                                                                          "flask_admin",
                                                                          "matplotlib")]
    assert wrong == []


def test_it_never_imports_the_tests_from_product_code():
    wrong = [(m, t) for top in PRODUCT + ("run_bot", "run_admin") for m, t in _all_imports(top)
             if t == "tests" or t.startswith("tests.")]
    assert wrong == []


def test_it_keeps_the_development_kit_out_of_the_product():
    """The fake Bot API serves the tests and ``run_bot.py --demo`` only."""
    wrong = [(m, t) for top in ("models", "bot", "admin", "charts", "wushe")
             for m, t in _all_imports(top) if t == "devkit" or t.startswith("devkit.")]
    assert wrong == []


#: What each package never imports (ARCHITECTURE.md draws the same table).
NEVER = {
    "models": ABOVE_DOMAIN + ("telegram", "flask", "flask_admin", "matplotlib"),
    "charts": ("bot", "admin", "devkit", "wushe", "tests"),
    "bot": ("admin", "devkit", "wushe", "tests"),
    "admin": ("bot", "devkit", "wushe", "tests"),
    "wushe": ("bot", "admin", "devkit", "tests"),
    "devkit": ("admin", "wushe", "tests"),
}


@pytest.mark.parametrize("package", sorted(NEVER))
def test_each_package_imports_only_what_its_layer_allows(package):
    wrong = [(m, t) for m, t in _all_imports(package) if t.split(".")[0] in NEVER[package]]
    assert wrong == []


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = iter(range(10 ** 9))

    def visit(v):
        index[v] = low[v] = next(counter)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_it_has_no_import_cycle():
    assert _cycles(graph()) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(product_modules()))
def test_no_product_module_is_over_the_limit(name):
    lines = product_modules()[name].read_text("utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_no_test_module_imports_another():
    """Shared fixtures and helpers live in the kits and conftests, so a test file can move or
    go without breaking another."""
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            wrong += [(path.name, n) for n in names if n.rpartition(".")[2].startswith("test_")]
    assert wrong == []
