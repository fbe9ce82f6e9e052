"""The demonstration world in a test app, as `python -m gateway init --demo` makes it.

Requesters with their keys, one gestionnaire each (password `DEMO_PASSWORD`), and their
active conventions: the commune of Aubagne priced per extract over its own territory, the
conseil départemental free over the département, the cabinet privé down to the EPCI...
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from flask import Flask

from gateway.services.accounts.demo import write_demo_accounts
from gateway.services.accounts.passwords import Passwords
from gateway.services.demo.conventions import seed_demo_conventions
from gateway.services.demo.requesters import ensure_demo_requesters, write_demo_keys
from gateway.state import app_state
from tests.conftest import make_app


def demo_world_app(
    folder: Path, template: Path, store_dir: Path, **overrides: Any
) -> tuple[Flask, dict[str, dict[str, Any]]]:
    """Return an app on a copy of the prepared database with the demonstration world, and
    the demonstration keys by requester slug."""
    shutil.copyfile(template, folder / "gateway.sqlite3")
    app = make_app(
        f"sqlite:///{folder / 'gateway.sqlite3'}", folder, store_dir=store_dir, **overrides
    )
    return app, seed_demo_world(app, folder)


def seed_demo_world(app: Flask, folder: Path) -> dict[str, dict[str, Any]]:
    """Add the demonstration world to the app's prepared database (SQLite or PostgreSQL);
    return the demonstration keys by requester slug (also written to `folder`)."""
    database = app_state(app).database
    with app.app_context():
        with database.transaction() as session:
            keys = write_demo_keys(session, folder / "demo-keys.json")
            requesters = ensure_demo_requesters(session)
            passwords = Passwords.for_environment("test")
            write_demo_accounts(session, passwords, requesters, folder / "demo-accounts.json")
        with database.transaction() as session:
            seed_demo_conventions(session)
    seeded: dict[str, dict[str, Any]] = json.loads(json.dumps(keys))
    return seeded


def low_background_threshold(folder: Path, cells: int) -> Path:
    """Return a copy of the shipped data folder whose extracts above `cells` cells run in the
    background (`arriere_plan_au_dela_de` of extract_limits.yaml)."""
    from gateway.config import REPO_ROOT

    data = folder / "data"
    shutil.copytree(REPO_ROOT / "data", data)
    limits = data / "extract_limits.yaml"
    text = limits.read_text(encoding="utf-8")
    limits.write_text(
        text.replace("arriere_plan_au_dela_de: 50000", f"arriere_plan_au_dela_de: {cells}"),
        encoding="utf-8",
    )
    return data


def keys_of(app: Flask, slug: str) -> dict[str, str]:
    """Return the Authorization header of a demonstration requester of this app."""
    keys = json.loads((app_state(app).settings.instance_dir.parent / "demo-keys.json").read_text())
    return {"Authorization": f"Bearer {keys[slug]['key']}"}
