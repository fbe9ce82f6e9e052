"""A demonstration instance for benchmarks: `python -m gateway init --demo` in a scratch folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from gateway.app import create_app
from gateway.config import REPO_ROOT


def demo_instance(folder: Path) -> tuple[Flask, dict[str, dict[str, str]]]:
    """Prepare (or reuse) a full demo instance in `folder`; return the app and auth headers."""
    environment = {**os.environ, "GATEWAY_ENV": "development", "GATEWAY_INSTANCE_DIR": str(folder)}
    environment.setdefault("GATEWAY_LOG_LEVEL", "WARNING")
    subprocess.run(
        [sys.executable, "-m", "gateway", "init", "--demo"],
        cwd=REPO_ROOT,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    app = create_app({"env": "development", "instance_dir": folder, "log_level": "WARNING"})
    keys = json.loads((folder / "demo-keys.json").read_text(encoding="utf-8"))
    headers = {slug: {"Authorization": f"Bearer {entry['key']}"} for slug, entry in keys.items()}
    return app, headers
