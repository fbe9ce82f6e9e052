"""Who runs background extracts is chosen in one place, from the database (GATEWAY_JOB_RUNNER)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigurationError, load_settings

POSTGRES = "postgresql+psycopg://passerelle@127.0.0.1/passerelle"


@pytest.mark.parametrize(
    ("url", "asked", "runner"),
    [
        ("", "", "embedded"),  # the SQLite file of `make serve`
        (POSTGRES, "", "queue"),
        (POSTGRES, "embedded", "embedded"),
        (POSTGRES, "queue", "queue"),
    ],
)
def test_the_runner_follows_the_database(url: str, asked: str, runner: str, tmp_path: Path) -> None:
    environ = {"GATEWAY_ENV": "test", "GATEWAY_JOB_RUNNER": asked, "GATEWAY_DATABASE_URL": url}
    settings = load_settings({"instance_dir": tmp_path}, environ=environ)
    assert settings.job_runner == runner


@pytest.mark.parametrize(
    ("url", "asked", "message"),
    [
        ("", "queue", "demande une base PostgreSQL"),
        (POSTGRES, "celery", "GATEWAY_JOB_RUNNER doit valoir embedded ou queue"),
    ],
)
def test_a_runner_that_cannot_work_is_refused(
    url: str, asked: str, message: str, tmp_path: Path
) -> None:
    environ = {"GATEWAY_ENV": "test", "GATEWAY_JOB_RUNNER": asked, "GATEWAY_DATABASE_URL": url}
    with pytest.raises(ConfigurationError, match=message):
        load_settings({"instance_dir": tmp_path}, environ=environ)
