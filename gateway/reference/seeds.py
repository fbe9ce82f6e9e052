"""Read the shipped seed files (data/): the gateway reads them, the pure packages parse them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gateway.config import REPO_ROOT
from policies.access import policy_matrix_from_mapping
from policies.conventions import MandatoryClause, mandatory_clauses_from_mapping
from policies.errors import InvalidInput
from tariffs import TariffSchedule, schedules_from_yaml

DATA_DIR = REPO_ROOT / "data"
POLICY_MATRIX_FILE = DATA_DIR / "policy_matrix.yaml"
CLAUSES_FILE = DATA_DIR / "convention_clauses.yaml"
DEFAULT_TARIFF_FILE = DATA_DIR / "tariffs" / "default.yaml"


def read_yaml_table(path: Path) -> dict[str, Any]:
    """Read a YAML file whose document must be a table."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise InvalidInput(f"{path.name} : document YAML attendu (table)")
    return raw


def read_policy_matrix_document(path: Path = POLICY_MATRIX_FILE) -> dict[str, Any]:
    """Read and validate a policy matrix file (the seed by default); return its document."""
    document = read_yaml_table(path)
    policy_matrix_from_mapping(document)
    return document


def read_mandatory_clauses(path: Path = CLAUSES_FILE) -> tuple[MandatoryClause, ...]:
    """Read the mandatory clauses of conventions (the seed by default)."""
    return mandatory_clauses_from_mapping(read_yaml_table(path))


def read_tariff_schedules(path: Path = DEFAULT_TARIFF_FILE) -> list[TariffSchedule]:
    """Read the versions of a tariff seed file (the default schedule by default)."""
    return schedules_from_yaml(path.read_text(encoding="utf-8"))
