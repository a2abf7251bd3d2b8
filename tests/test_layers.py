"""The layers of Floorlink's code, checked from the source: every module of server/, devices/,
firmware_bridge/ and kiosk_ui/ is parsed with `ast` (nothing is imported) and every import is
collected, at module level, inside functions and under `if TYPE_CHECKING:`.

The rule (docs/architecture.md, "Layers"), top to bottom:

    edges        server.app, server.api.*, server.cli.*, server.demo.*, kiosk_ui,
                 server.floor.access, server.floor.socket_events
    composition  server.areas, server.bootstrap, server.runtime, each area's plug server.<area>.area
    areas        the packages of server/areas.py AREAS, in that order
    core         CORE below

A module imports from its own layer or a lower one; an area imports only areas listed
before it in AREAS; nothing imports in a cycle. A name imported only under TYPE_CHECKING may
come from a higher layer (the higher layer hands the object down, e.g. an area's factory
annotated with the Runtime the bootstrap passes it): nothing runs at import, so it is neither
an upward import nor part of a cycle. A string naming a module (`importlib.import_module`,
`find_spec`, a list of module names fed to them) is an import too, allowed only where the
server is assembled (edges, composition). devices/ imports nothing from server/ or
firmware_bridge/, and firmware_bridge/ nothing from server/.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("server", "devices", "firmware_bridge", "kiosk_ui")

EDGES = "edges"
COMPOSITION = "composition"
AREAS = "areas"
CORE = "core"
RANK = {CORE: 0, AREAS: 1, COMPOSITION: 2, EDGES: 3}

EDGE_PACKAGES = ("server.api", "server.cli", "server.demo", "kiosk_ui")
# The HTTP and Socket.IO glue of the floor, kept in its package: the edges reach it.
EDGE_MODULES = ("server.app", "server.floor.access", "server.floor.socket_events")
COMPOSITION_MODULES = ("server.areas", "server.bootstrap", "server.runtime")
CORE_MODULES = (
    "server.affinity",
    "server.area",
    "server.config",
    "server.db",
    "server.errors",
    "server.eventlog",
    "server.events",
    "server.group_commit",
    "server.ids",
    "server.leases",
    "server.migrations",
    "server.models",
    "server.operations",
    "server.rawsql",
    "server.realtime",
    "server.spine",
    "server.sweeps",
    "server.writes",
)


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    path: str
    line: int
    type_only: bool = False
    by_string: bool = False

    def where(self) -> str:
        return f"{self.path}:{self.line}"


# -- reading the source ----------------------------------------------------------------------


def find_modules(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of `packages`."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if "__pycache__" in parts or "node_modules" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.AST, bool]]:
    """Every node under `node`, with whether it sits in an `if TYPE_CHECKING:` body."""
    for child in ast.iter_child_nodes(node):
        yield child, type_only
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            yield child.test, type_only
            for stmt in child.body:
                yield stmt, True
                yield from _nodes(stmt, True)
            for stmt in child.orelse:
                yield stmt, type_only
                yield from _nodes(stmt, type_only)
        else:
            yield from _nodes(child, type_only)


def _known(name: str, modules: Mapping[str, object]) -> str | None:
    """The module `name` is or lies in (its longest known prefix); None outside ours."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


STRING_IMPORTERS = ("import_module", "find_spec", "__import__")


def _string_imports(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        arg = node.args[0]
        if (
            name in STRING_IMPORTERS
            and isinstance(arg, ast.Constant)
            and isinstance(arg.value, str)
        ):
            yield arg.value
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value  # a dotted module name in a list fed to import_module


def imports_of(
    module: str,
    source: str,
    modules: Mapping[str, object],
    path: str = "",
    is_package: bool = False,
) -> list[Import]:
    """The imports of `module` (its source text) that name one of `modules`."""
    package = module if is_package else module.rpartition(".")[0]
    found: dict[tuple[str, int, bool, bool], Import] = {}

    def add(name: str | None, line: int, type_only: bool, by_string: bool = False) -> None:
        target = _known(name, modules) if name else None
        if target is not None and target != module:
            key = (target, line, type_only, by_string)
            found.setdefault(key, Import(module, target, path, line, type_only, by_string))

    for node, type_only in _nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno, type_only)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                # `from a import b` names the module a.b when b is one, else a
                sub = f"{base}.{alias.name}"
                add(sub if sub in modules else base, node.lineno, type_only)
        else:
            for name in _string_imports(node):
                if isinstance(node, ast.Call) or ("." in name and name in modules):
                    add(name, getattr(node, "lineno", 0), type_only, by_string=True)
    return sorted(found.values(), key=lambda i: (i.line, i.target))


def collect(root: Path = ROOT) -> tuple[dict[str, Path], list[Import]]:
    modules = find_modules(root)
    found: list[Import] = []
    for module, path in modules.items():
        found += imports_of(
            module,
            path.read_text(encoding="utf-8"),
            modules,
            str(path.relative_to(root)),
            is_package=path.name == "__init__.py",
        )
    return modules, found


def area_order(root: Path = ROOT) -> list[str]:
    """The area packages in the order of server/areas.py AREAS (read from its source)."""
    tree = ast.parse((root / "server" / "areas.py").read_text(encoding="utf-8"))
    plugs: dict[str, str] = {}
    order: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".area"):
            for alias in node.names:
                plugs[alias.asname or alias.name] = (node.module or "").removesuffix(".area")
        target: ast.expr | None = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "AREAS":
            assert isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
            assert isinstance(node.value, ast.Tuple), "AREAS is a tuple of names"
            order = [plugs[elt.id] for elt in node.value.elts if isinstance(elt, ast.Name)]
    assert order, "server/areas.py declares AREAS"
    return order


# -- the layers ------------------------------------------------------------------------------


def _in(module: str, names: Iterable[str]) -> bool:
    return any(module == name or module.startswith(name + ".") for name in names)


def layer_of(module: str, areas: list[str]) -> str | None:
    """The layer of a module of server/ or kiosk_ui/ (None: it has none, a failure)."""
    if module in EDGE_MODULES or _in(module, EDGE_PACKAGES):
        return EDGES
    if module in COMPOSITION_MODULES or module in {f"{area}.area" for area in areas}:
        return COMPOSITION
    if _in(module, areas):
        return AREAS
    if module == "server" or _in(module, CORE_MODULES):
        return CORE
    return None


def area_of(module: str, areas: list[str]) -> str:
    return next(area for area in areas if _in(module, [area]))


def upward(imp: Import, areas: list[str]) -> str | None:
    """Why `imp` goes up the layers, or None when it may be made."""
    source, target = layer_of(imp.source, areas), layer_of(imp.target, areas)
    if source is None or target is None:
        return None  # test_every_module_has_a_layer says so
    if imp.type_only:
        return None  # a type named for annotations only: nothing runs (see the docstring)
    if RANK[target] > RANK[source]:
        return f"{source} imports {target}"
    if source == target == AREAS:
        here, there = area_of(imp.source, areas), area_of(imp.target, areas)
        if areas.index(there) > areas.index(here):
            return f"area {here} imports area {there}, listed after it in server/areas.py AREAS"
    return None


def dependencies(found: Iterable[Import], areas: list[str]) -> dict[str, list[Import]]:
    """The import graph of the cycle check: every import but a type-only one going up."""
    graph: dict[str, list[Import]] = defaultdict(list)
    for imp in found:
        if imp.type_only and upward(replace(imp, type_only=False), areas):
            continue
        graph[imp.source].append(imp)
    return graph


# -- cycles ----------------------------------------------------------------------------------


def strongly_connected(graph: Mapping[str, Iterable[Import]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    nodes = sorted(set(graph) | {imp.target for imps in graph.values() for imp in imps})

    for start in nodes:
        if start in index:
            continue
        # iterative Tarjan: (node, iterator over its targets)
        work = [(start, iter(sorted({imp.target for imp in graph.get(start, ())})))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted({i.target for i in graph.get(target, ())}))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return sorted(components)


def a_cycle(component: list[str], graph: Mapping[str, Iterable[Import]]) -> list[Import]:
    """One cycle through the first module of a component, as the imports that make it."""
    members = set(component)
    start = component[0]
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for imp in graph.get(node, ()):
            if imp.target == start:
                return [*paths[node], imp]
            if imp.target in members and imp.target not in paths:
                paths[imp.target] = [*paths[node], imp]
                queue.append(imp.target)
    raise AssertionError(f"no cycle through {start}")


def describe(cycle: list[Import]) -> str:
    steps = " -> ".join(f"{imp.target} ({imp.where()})" for imp in cycle)
    return f"{cycle[0].source} -> {steps}"


# -- the tests -------------------------------------------------------------------------------

MODULES, FOUND = collect()
ORDER = area_order()


def _ours(module: str) -> bool:
    return _in(module, ("server", "kiosk_ui"))


def test_every_module_has_a_layer() -> None:
    lost = sorted(m for m in MODULES if _ours(m) and layer_of(m, ORDER) is None)
    assert not lost, (
        "modules in no layer (add the package to server/areas.py AREAS, or to the layers of "
        f"tests/test_layers.py and docs/architecture.md, 'Layers'): {lost}"
    )


def test_no_import_cycle() -> None:
    graph = dependencies(FOUND, ORDER)
    cycles = [describe(a_cycle(c, graph)) for c in strongly_connected(graph)]
    assert not cycles, "import cycles (module, then what it imports, where):\n" + "\n".join(cycles)


def test_no_upward_import() -> None:
    wrong = [
        f"{imp.where()}: {imp.source} imports {imp.target}: {why}"
        for imp in FOUND
        if _ours(imp.source) and _ours(imp.target) and (why := upward(imp, ORDER))
    ]
    assert not wrong, "imports up the layers (docs/architecture.md, 'Layers'):\n" + "\n".join(wrong)


def test_string_imports_only_where_the_server_is_assembled() -> None:
    wrong = [
        f"{imp.where()}: {imp.source} imports {imp.target!r} by its name"
        for imp in FOUND
        if imp.by_string
        and _ours(imp.source)
        and layer_of(imp.source, ORDER) not in (EDGES, COMPOSITION)
    ]
    assert not wrong, "import the module, or have the bootstrap pass it:\n" + "\n".join(wrong)


def test_devices_and_the_bridge_stand_alone() -> None:
    forbidden = {
        "devices": ("server", "firmware_bridge", "kiosk_ui"),
        "firmware_bridge": ("server", "kiosk_ui"),
    }
    wrong = [
        f"{imp.where()}: {imp.source} imports {imp.target}"
        for imp in FOUND
        for package, others in forbidden.items()
        if _in(imp.source, [package]) and _in(imp.target, others)
    ]
    assert not wrong, "\n".join(wrong)


# -- the checker itself ----------------------------------------------------------------------


def test_the_checker_sees_every_kind_of_import() -> None:
    modules = dict.fromkeys(["pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.e", "pkg.f"])
    source = (
        "from typing import TYPE_CHECKING\n"
        "import importlib\n"
        "from . import b\n"
        "from .c import thing\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.d import D\n"
        "else:\n"
        "    import json\n"
        "def later():\n"
        "    import pkg.e\n"
        "    importlib.import_module('pkg.f')\n"
    )
    found = {(i.target, i.type_only, i.by_string) for i in imports_of("pkg.a", source, modules)}
    assert found == {
        ("pkg.b", False, False),
        ("pkg.c", False, False),
        ("pkg.d", True, False),
        ("pkg.e", False, False),
        ("pkg.f", False, True),
    }


def test_the_checker_finds_a_cycle_and_names_it() -> None:
    graph = {
        "a": [Import("a", "b", "a.py", 1)],
        "b": [Import("b", "c", "b.py", 2)],
        "c": [Import("c", "a", "c.py", 3), Import("c", "d", "c.py", 4)],
        "d": [],
    }
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert (
        describe(a_cycle(["a", "b", "c"], graph)) == "a -> b (a.py:1) -> c (b.py:2) -> a (c.py:3)"
    )


def test_the_checker_reads_the_real_code() -> None:
    assert len(MODULES) > 150
    assert ORDER[0] == "server.catalog" and "server.floor" in ORDER
    edges = {(i.source, i.target) for i in FOUND}
    assert ("server.app", "server.bootstrap") in edges
    assert ("server.app", "server.floor.socket_events") in edges  # by its name
    assert upward(Import("server.floor.push", "server.api.routing", "", 0), ORDER)
    assert upward(Import("server.catalog.handlers", "server.picking.store", "", 0), ORDER)
    assert not upward(Import("server.picking.flow", "server.catalog.barcodes", "", 0), ORDER)
    assert layer_of("server.nowhere", ORDER) is None and layer_of("server", ORDER) == CORE
