"""Reading and replacing the grading trees (PUT /api/v1/returns/grading)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.models import GradingTree
from server.returns.events import GradingReplaced
from server.returns.grading import DEFAULT_TREE
from server.spine import Handlers, Unit

HANDLERS = Handlers()


def trees() -> list[dict[str, Any]]:
    """The trees in order, as validated JSON; the built-in default while none was set."""
    rows = list(GradingTree.select().order_by(GradingTree.position))
    if not rows:
        return [DEFAULT_TREE]
    return [tree_view(r) for r in rows]


def tree_view(row: GradingTree) -> dict[str, Any]:
    return {"id": row.tree_id, "categories": row.categories, "default": row.is_default,
            "root": row.root}  # fmt: skip


@dataclass(frozen=True)
class ReplaceGrading:
    trees: list[dict[str, Any]]  # validated by server/returns/grading.py GradingIn


@HANDLERS.handles(ReplaceGrading)
def replace_grading(cmd: ReplaceGrading, unit: Unit) -> dict[str, Any]:
    GradingTree.delete().execute()
    GradingTree.insert_many(
        [
            {
                "tree_id": t["id"],
                "position": i,
                "categories": t["categories"],
                "is_default": t["default"],
                "root": t["root"],
            }
            for i, t in enumerate(cmd.trees)
        ]  # fmt: skip
    ).execute()
    view = {"trees": trees()}
    unit.record(GradingReplaced(view))
    return view
