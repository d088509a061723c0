"""docs/architecture.md is the map: the packages it names exist, and the imports obey its floors."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
ROW = re.compile(r"^\| ([a-z ]+) \| `([a-z_]+)/` \|", re.M)
NOT_PACKAGES = {"tests", "bench", "docs"}


def floors() -> dict[str, int]:
    """Package → floor number from the doc's table (0 = the ground), in the order it is read."""
    names = list(dict.fromkeys(floor for floor, _ in ROW.findall(DOC.read_text())))
    return {pkg: len(names) - 1 - names.index(floor) for floor, pkg in ROW.findall(DOC.read_text())}


def packages() -> set[str]:
    return {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_PACKAGES
    }


def imports() -> dict[str, dict[str, str]]:
    """For each package: the other packages of ours it imports, with one file that does."""
    ours = packages()
    edges: dict[str, dict[str, str]] = defaultdict(dict)
    for package in ours:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in ours and top != package:
                        edges[package].setdefault(top, str(path.relative_to(ROOT)))
    return edges


def test_the_map_names_every_package_and_only_those():
    assert set(floors()) == packages()


def test_every_import_points_down_or_along_a_floor_without_cycles():
    floor = floors()
    edges = imports()
    upward = [
        f"{a} → {b} ({where})"
        for a, targets in edges.items()
        for b, where in targets.items()
        if floor[b] > floor[a]
    ]
    assert upward == []
    # Same-floor imports are allowed one way only: the graph has no cycle.
    visiting, done = set(), set()

    def visit(package: str, path: tuple[str, ...]) -> None:
        assert package not in visiting, f"import cycle: {' → '.join((*path, package))}"
        if package in done:
            return
        visiting.add(package)
        for target in edges.get(package, {}):
            visit(target, (*path, package))
        visiting.discard(package)
        done.add(package)

    for package in packages():
        visit(package, ())


def test_the_house_rules_the_brief_names():
    edges = imports()
    assert edges.get("db", {}) == {}
    assert set(edges.get("channels", {})) <= {"db", "core"}
    assert [a for a, targets in edges.items() if "bot" in targets] == []
    domains = ("complaints", "outage_notices", "reports", "areas", "subscriptions", "accounts")
    assert [a for a in domains if "staff" in edges.get(a, {})] == []
