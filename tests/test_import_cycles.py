"""No import cycles between the modules of `api` (STYLE.md: move the shared piece down a layer).

A small AST check: every `import api.x...` / `from api.x... import` / relative import in
api/**.py counts, at module level and inside functions alike (an import inside a function hides a
cycle, it does not remove it). The graph's nodes are modules (`api.activities.services`); the
factory `api/__init__.py` imports everything and is left out. Packages still lean on each other
(e.g. accounts <-> units through different modules): that is layering, checked module by module.
"""

from pathlib import Path

from tests.source_imports import imported_modules, module_name

API = Path(__file__).resolve().parent.parent / "api"

# Cycles left on purpose, each with the reason: frozenset({module_a, module_b}) allows the edges
# a -> b and b -> a.
ALLOWED_PAIRS: set[frozenset[str]] = set()


def _imports(path: Path) -> set[str]:
    """The `api` modules imported anywhere in the file at `path`."""
    return {name for name in imported_modules(path) if name.startswith("api.")}


def module_graph() -> dict[str, set[str]]:
    """Edges between the modules of `api`, from every import in api/**.py."""
    modules = {module_name(path): path for path in API.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        if module == "api":
            continue  # the factory: it imports everything
        targets = {name for name in _imports(path) if name in modules}
        targets -= {"api", module}
        if targets:
            graph[module] = targets
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one package (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def _without_allowed(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    return {
        a: {b for b in targets if frozenset((a, b)) not in ALLOWED_PAIRS}
        for a, targets in graph.items()
    }


def test_no_import_cycle_between_api_modules():
    cycles = find_cycles(_without_allowed(module_graph()))
    assert cycles == [], f"import cycles between api modules: {cycles}"


def test_the_check_sees_a_cycle_hidden_in_a_function():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
