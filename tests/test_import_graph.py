"""The project's import graph: no cycles between modules, and apps import only downwards.

Every project module is parsed with ``ast`` (nothing is imported), and every import of a
project module counts, at the top of a file or inside a function: a lazy import hides a
cycle from Python's import machinery, not from the design. ``from x import y`` where
``x.y`` is a module counts as importing ``x.y``. Imports by string (Django's
``"app.Model"`` references, ``autodiscover_modules``, settings) are not seen.

Apps, bottom to top (each may import those below it, never those above)::

    jobs → catalogue → pages → booking → quests → changes → graphql_schema → cms, demo

``cms`` (settings, URLs, project plumbing) and ``demo`` (the demo site) may import anything.
Tests, scripts, benchmarks and migrations are not part of the graph.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Bottom to top: an app may import the apps before it in this list, never those after it.
LAYERS = ["jobs", "catalogue", "pages", "booking", "quests", "changes", "graphql_schema"]
# At the top, beside each other: they wire the domains together, nothing imports them.
TOP = ["cms", "demo"]
APPS = LAYERS + TOP
SKIPPED_DIRS = {"migrations", "__pycache__"}

# Tolerated exceptions, none today. A cycle is a chain starting at its alphabetically first
# module (as find_cycles reports it), an edge (importer, imported); an entry needs a
# comment saying why and is removed once fixed (test_known_exceptions_still_exist).
KNOWN_CYCLES: set[tuple[str, ...]] = set()
KNOWN_EDGES: set[tuple[str, str]] = set()


# --- the graph -------------------------------------------------------------------------


def project_modules(root: Path = ROOT, apps=APPS) -> dict[str, Path]:
    """Every module of ``apps`` under ``root``, by dotted name (packages by their name)."""
    modules = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            relative = path.relative_to(root)
            if SKIPPED_DIRS.intersection(relative.parts):
                continue
            parts = list(relative.with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules) -> str | None:
    """The project module that importing ``name`` runs: its longest prefix that is one."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules:
            return candidate
    return None


def module_imports(name: str, path: Path, modules) -> set[str]:
    """The project modules that module ``name`` (at ``path``) imports, lazily or not."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    # A package's relative imports start from the package itself, a module's from its parent.
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):  # every node: imports inside functions count too
        if isinstance(node, ast.Import):
            targets = [_resolve(alias.name, modules) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module
            # ``from pages import models`` imports the module pages.models.
            targets = [
                f"{base}.{alias.name}"
                if f"{base}.{alias.name}" in modules
                else _resolve(base, modules)
                for alias in node.names
            ]
        else:
            continue
        found.update(target for target in targets if target and target != name)
    return found


def import_graph(root: Path = ROOT, apps=APPS) -> dict[str, set[str]]:
    """Module name → the project modules it imports, for every module of ``apps``."""
    modules = project_modules(root, apps)
    return {name: module_imports(name, path, modules) for name, path in modules.items()}


def _components(graph) -> list[set[str]]:
    """The strongly connected components of ``graph`` (Tarjan's algorithm)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _cycles_from(graph, start: str, allowed: set[str], limit: int) -> list[tuple[str, ...]]:
    """The elementary cycles through ``start`` whose other nodes are all in ``allowed``."""
    found, path = [], [start]

    def walk(node):
        for target in sorted(graph.get(node, ())):
            if len(found) >= limit:
                return
            if target == start:
                found.append(tuple(path))
            elif target in allowed and target not in path:
                path.append(target)
                walk(target)
                path.pop()

    walk(start)
    return found


def find_cycles(graph, limit: int = 100) -> list[tuple[str, ...]]:
    """Every elementary cycle of ``graph`` (at most ``limit`` per module), sorted.

    A cycle is the tuple of its modules starting at the alphabetically first one:
    ``("a", "b")`` is a → b → a. Only nodes of one strongly connected component can form
    a cycle, so the search stays inside each component.
    """
    cycles = []
    for component in _components(graph):
        for start in sorted(component):
            # Cycles through an earlier member were found from it: only later ones here.
            later = {member for member in component if member > start}
            cycles += _cycles_from(graph, start, later, limit)
    return sorted(cycles)


def chain(cycle: tuple[str, ...]) -> str:
    """A cycle as it reads: ``a → b → a``."""
    return " → ".join((*cycle, cycle[0]))


def app_of(module: str) -> str:
    """The app a module belongs to: its top-level package."""
    return module.partition(".")[0]


def import_allowed(importer_app: str, imported_app: str) -> bool:
    """Whether ``importer_app`` may import ``imported_app`` under the app order."""
    if importer_app == imported_app or importer_app in TOP:
        return True
    if imported_app in TOP:
        return False
    return LAYERS.index(imported_app) < LAYERS.index(importer_app)


def upward_edges(graph) -> set[tuple[str, str]]:
    """The imports (importer, imported) that go against the app order."""
    return {
        (importer, imported)
        for importer, targets in graph.items()
        for imported in targets
        if not import_allowed(app_of(importer), app_of(imported))
    }


# --- the project -----------------------------------------------------------------------


def test_the_graph_covers_the_project():
    graph = import_graph()
    assert {app_of(module) for module in graph} == set(APPS)
    assert "pages.models" in graph and "demo.loader" in graph
    assert not any(".migrations" in module for module in graph)
    assert "pages.blocks" in graph["pages.models"]


def test_no_import_cycles():
    cycles = set(find_cycles(import_graph()))
    new = sorted(cycles - KNOWN_CYCLES)
    assert not new, "Import cycles (break each one; a lazy import does not):\n" + "\n".join(
        "  " + chain(cycle) for cycle in new
    )


def test_apps_import_only_downwards():
    edges = upward_edges(import_graph())
    new = sorted(edges - KNOWN_EDGES)
    order = " → ".join(LAYERS) + " → " + ", ".join(TOP)
    assert not new, f"Imports against the app order ({order}):\n" + "\n".join(
        f"  {importer} imports {imported}" for importer, imported in new
    )


def test_known_exceptions_still_exist():
    # The allow-lists only shrink: a fixed cycle or edge must leave them, so it cannot
    # come back unnoticed.
    graph = import_graph()
    gone_cycles = KNOWN_CYCLES - set(find_cycles(graph))
    gone_edges = KNOWN_EDGES - upward_edges(graph)
    assert not gone_cycles, "Fixed, remove from KNOWN_CYCLES: " + ", ".join(
        chain(cycle) for cycle in sorted(gone_cycles)
    )
    assert not gone_edges, f"Fixed, remove from KNOWN_EDGES: {sorted(gone_edges)}"


# --- the checks themselves, on graphs made up for them -----------------------------------


def test_find_cycles_reports_each_cycle_from_its_first_module():
    graph = {
        "a": {"b"},
        "b": {"c", "a"},  # a → b → a
        "c": {"a"},  # a → b → c → a
        "d": {"d"},  # a module importing itself
        "e": {"a"},  # leads into a cycle without being in one
    }
    assert find_cycles(graph) == [("a", "b"), ("a", "b", "c"), ("d",)]
    assert chain(("a", "b", "c")) == "a → b → c → a"


def test_find_cycles_finds_nothing_in_a_tree_of_shared_imports():
    graph = {"top": {"left", "right"}, "left": {"base"}, "right": {"base"}, "base": set()}
    assert find_cycles(graph) == []


def test_a_new_cycle_fails_the_check(tmp_path):
    package = tmp_path / "jobs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text("from jobs.preview import token\n")
    # Lazy, relative, and ``from package import module``: all three are dependencies.
    (package / "preview.py").write_text(
        "def token():\n    from . import models\n    return models\n"
    )
    (package / "views.py").write_text("def view():\n    import jobs.preview as preview\n")
    graph = import_graph(tmp_path, apps=["jobs"])
    assert graph["jobs.models"] == {"jobs.preview"}
    assert graph["jobs.preview"] == {"jobs.models"}
    assert graph["jobs.views"] == {"jobs.preview"}
    assert find_cycles(graph) == [("jobs.models", "jobs.preview")]


def test_upward_edges_follow_the_app_order():
    graph = {
        "jobs.tasks": {"booking.models"},  # the bottom importing a domain above it
        "booking.models": {"pages.models", "jobs.deliveries"},
        "graphql_schema.schema": {"booking.models", "cms.content_changes"},
        "cms.urls": {"graphql_schema.schema", "demo.loader"},
        "demo.loader": {"cms.models", "pages.models"},
    }
    assert upward_edges(graph) == {
        ("jobs.tasks", "booking.models"),
        ("graphql_schema.schema", "cms.content_changes"),
    }
