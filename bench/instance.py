"""A demonstration instance for benchmarks: `python -m gateway init --demo` in a scratch folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from gateway.app import create_app
from gateway.config import REPO_ROOT


def demo_environment(folder: Path) -> dict[str, str]:
    """Return the environment of a development instance in `folder` (quiet logs by default)."""
    environment = {**os.environ, "GATEWAY_ENV": "development", "GATEWAY_INSTANCE_DIR": str(folder)}
    environment.setdefault("GATEWAY_LOG_LEVEL", "WARNING")
    return environment


def init_demo(folder: Path) -> subprocess.CompletedProcess[str]:
    """Prepare (or reuse) a full demo instance in `folder`; return what `init --demo` said."""
    return subprocess.run(
        [sys.executable, "-m", "gateway", "init", "--demo"],
        cwd=REPO_ROOT,
        env=demo_environment(folder),
        check=True,
        capture_output=True,
        text=True,
    )


def demo_instance(folder: Path) -> tuple[Flask, dict[str, dict[str, str]]]:
    """Prepare (or reuse) a full demo instance in `folder`; return the app and auth headers."""
    init_demo(folder)
    app = create_app({"env": "development", "instance_dir": folder, "log_level": "WARNING"})
    keys = json.loads((folder / "demo-keys.json").read_text(encoding="utf-8"))
    headers = {slug: {"Authorization": f"Bearer {entry['key']}"} for slug, entry in keys.items()}
    return app, headers


def in_instance(folder: Path | None, prefix: str, run: Callable[[Path], None]) -> None:
    """Run a benchmark in `folder` (kept, reused next time), else in a scratch folder."""
    if folder is not None:
        run(folder)
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        run(Path(scratch))
