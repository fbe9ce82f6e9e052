"""The accessibility check of every page the browser tests visit: axe, then a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.config import REPO_ROOT

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"

#: Impacts that fail a page (axe's scale: minor, moderate, serious, critical).
FAILING_IMPACTS = ("serious", "critical")


def check_page(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe on the page, save its screenshot as `name`.png, fail on serious violations.

    Returns the violations of lesser impact, for the test to look at if it wishes.
    """
    screenshot(page, name)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    violations = results["violations"]
    failing = [v for v in violations if v.get("impact") in FAILING_IMPACTS]
    assert not failing, _describe(name, failing)
    return [v for v in violations if v not in failing]


def screenshot(page: Any, name: str) -> None:
    """Save the whole page as tests/browser/screenshots/`name`.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _describe(name: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe : {len(violations)} violation(s) graves sur la page « {name} » :"]
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']} {targets}")
    return "\n".join(lines)
