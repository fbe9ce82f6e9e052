"""Faults the served gateway survives (gunicorn, 2 workers, SQLite): it says so, then recovers.

Issue 15: made unwritable, the SQLite files killed both workers (SIGBUS on the memory-mapped
`-shm`) and the respawned ones kept answering 503 long after the files were writable again; a
worker restarted while the database file was away created an empty database at that path and
served it; `/health` said `{"database": "ok"}` throughout. As root, `chmod` stops nothing:
the files are made immutable (`chattr +i`), which refuses writes to root too, including the
page writes of a mapping already open.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import make_url

from tests.support.served import fresh_instance, new_database, serve

RECOVERY_SECONDS = 5


@pytest.fixture(scope="module")
def instance(
    tmp_path_factory: pytest.TempPathFactory, demo_store_dir: Path
) -> tuple[Path, str, dict[str, Any]]:
    """A fresh SQLite demonstration instance of this module's own (its files get broken)."""
    folder = tmp_path_factory.mktemp("pannes")
    database_url = new_database(folder, None)
    return folder, database_url, fresh_instance(folder, database_url, demo_store_dir)


def _body(period: int) -> dict[str, Any]:
    return {
        "indicators": ["ALLOC"],
        "use": "usage_final",
        "territories": {"parent_level": "departement", "parent_code": "13", "level": "commune"},
        "periods": [period],
        "totals": True,
    }


def test_unwritable_files_give_503_without_a_crash_then_the_service_recovers(
    instance: tuple[Path, str, dict[str, Any]], demo_store_dir: Path
) -> None:
    folder, database_url, keys = instance
    headers = {"Authorization": f"Bearer {keys['conseil_departemental']['key']}"}
    path = Path(make_url(database_url).database or "")
    with serve(folder, database_url, demo_store_dir) as base:
        extract = requests.post(f"{base}/api/v1/extracts", json=_body(2023), headers=headers)
        assert extract.status_code == 200, extract.text
        with _immutable(path):
            for _ in range(10):  # both workers, several times: none crashes
                health = requests.get(f"{base}/api/v1/health", timeout=30)
                assert health.status_code == 503
                assert health.json()["components"]["database"] == (
                    "fichier de base de données non modifiable"
                )
                assert "base de données" in health.json()["detail"]
                read = requests.get(f"{base}/api/v1/indicators/ALLOC", headers=headers)
                assert read.status_code == 503
                assert read.headers["Content-Type"] == "application/problem+json"
        _healthy_within(base, RECOVERY_SECONDS)
        delivered = requests.post(f"{base}/api/v1/extracts", json=_body(2022), headers=headers)
        assert delivered.status_code == 200, delivered.text
        assert all(_health(base) == 200 for _ in range(10))
    log = (folder / "gunicorn.log").read_text()
    assert "SIGBUS" not in log and "was sent" not in log, log[-3000:]


def test_a_restarted_worker_never_creates_the_missing_database(
    instance: tuple[Path, str, dict[str, Any]], demo_store_dir: Path
) -> None:
    folder, database_url, keys = instance
    path = Path(make_url(database_url).database or "")
    away = folder / "ailleurs"
    away.mkdir(exist_ok=True)
    with serve(folder, database_url, demo_store_dir) as base:
        files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        for file in files:
            file.rename(away / file.name)
        try:
            assert _health(base) == 503
            os.kill(_master_pid(folder), signal.SIGHUP)  # new workers, booted without the file
            _booted_again(folder)
            for _ in range(10):
                health = requests.get(f"{base}/api/v1/health", timeout=30)
                assert health.status_code == 503
                assert health.json()["components"]["database"] == (
                    "fichier de base de données absent"
                )
            assert not path.exists()
        finally:
            for file in files:
                (away / file.name).rename(file)
        _healthy_within(base, RECOVERY_SECONDS)
        headers = {"Authorization": f"Bearer {keys['commune']['key']}"}
        assert requests.get(f"{base}/api/v1/me/extracts", headers=headers).status_code == 200
    assert "fichier de base de données absent" in (folder / "gunicorn.log").read_text()


def test_each_instance_has_its_own_control_socket(
    instance: tuple[Path, str, dict[str, Any]], demo_store_dir: Path, tmp_path: Path
) -> None:
    """gunicorn's control socket was $HOME/.gunicorn/gunicorn.ctl, shared by every instance."""
    folder, database_url, _keys = instance
    other = tmp_path / "autre-instance"
    other.mkdir()
    with (
        serve(folder, database_url, demo_store_dir, workers=1),
        serve(other, database_url, demo_store_dir, workers=1),
    ):
        for path in (folder / "gunicorn.ctl", other / "gunicorn.ctl"):
            assert stat.S_ISSOCK(path.stat().st_mode), path
    for path in (folder, other):
        log = (path / "gunicorn.log").read_text()
        assert f"Control socket listening at {path.resolve() / 'gunicorn.ctl'}" in log


def _health(base: str) -> int:
    return requests.get(f"{base}/api/v1/health", timeout=30).status_code


def _healthy_within(base: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while _health(base) != 200:
        assert time.monotonic() < deadline, f"/health pas revenu à 200 en {seconds} s"
        time.sleep(0.2)


def _master_pid(folder: Path) -> int:
    found = re.search(r"Listening at: \S+ \((\d+)\)", (folder / "gunicorn.log").read_text())
    assert found, "pid du maître gunicorn introuvable dans son journal"
    return int(found.group(1))


def _booted_again(folder: Path, workers: int = 2) -> None:
    """Wait until gunicorn booted `workers` more workers (each says so in the log)."""
    before = (folder / "gunicorn.log").read_text().count("Booting worker")
    deadline = time.monotonic() + 60
    while (folder / "gunicorn.log").read_text().count("Booting worker") < before + workers:
        assert time.monotonic() < deadline, "gunicorn n'a pas relancé ses workers"
        time.sleep(0.2)
    time.sleep(2)  # the new workers build their app after saying they boot


@contextmanager
def _immutable(path: Path) -> Iterator[None]:
    """Make the database files unwritable, root included (`chattr +i`); skip where impossible."""
    if shutil.which("chattr") is None:
        pytest.skip("chattr absent : impossible de rendre les fichiers non modifiables")
    files = [str(p) for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
    done = subprocess.run(["chattr", "+i", *files], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"chattr +i refusé ici : {done.stderr.decode()[:200]}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *files], check=True)
