"""Import-linter contracts of our own (configured in .importlinter).

``no_cycles``: no module of the given packages imports itself through others. Import-linter's own contracts
check layers and siblings, not module cycles; grimp (its graph) knows every import, including function-local
ones, so a cycle hidden inside a function is still a cycle.
"""

from __future__ import annotations

from typing import Any

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def _cycles(graph: grimp.ImportGraph, modules: set[str]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & modules) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(modules):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if i < len(edges[node]):
                work.append((node, i + 1))
                nxt = edges[node][i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
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
                    found.append(sorted(component))
    return found


class NoCyclesContract(Contract):
    type_name = "no_cycles"

    packages = fields.ListField(subfield=fields.StringField())
    exclude = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        excluded: list[str] = list(self.exclude or [])  # type: ignore[arg-type]
        modules: set[str] = set()
        for package in self.packages:  # type: ignore[attr-defined]
            modules |= {package} | graph.find_descendants(package)
        modules = {m for m in modules if not any(m == e or m.startswith(e + ".") for e in excluded)}
        cycles = _cycles(graph, modules)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("These modules import each other in a cycle:")
            for module in cycle:
                imported = sorted(self._graph_imports(module, set(cycle)))
                output.print_error(f"-   {module} -> {', '.join(imported)}", bold=False)
            output.new_line()

    def _graph_imports(self, module: str, cycle: set[str]) -> Any:
        return [m for m in cycle if m != module]
