"""The committed reference CSV files are exactly what the derivation command produces."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.reference.derive_geography import caf_name, main
from gateway.reference.geography import DEFAULT_REFERENCE_DIR

PACKAGE = Path("/work/shared/data/etalab-decoupage-administratif-6.0.0.tgz")


@pytest.mark.skipif(not PACKAGE.exists(), reason="paquet Etalab absent de cette machine")
def test_committed_files_match_a_fresh_derivation(tmp_path: Path) -> None:
    assert main([str(PACKAGE), str(tmp_path)]) == 0
    for name in ("communes", "epci", "departements", "regions"):
        fresh = (tmp_path / f"{name}.csv").read_bytes()
        assert fresh == (DEFAULT_REFERENCE_DIR / f"{name}.csv").read_bytes(), name


@pytest.mark.parametrize(
    ("code", "nom", "liaison", "expected"),
    [
        ("75", "Paris", 0, "Caf de Paris"),
        ("28", "Eure-et-Loir", 1, "Caf d'Eure-et-Loir"),
        ("59", "Nord", 2, "Caf du Nord"),
        ("33", "Gironde", 3, "Caf de la Gironde"),
        ("78", "Yvelines", 4, "Caf des Yvelines"),
        ("01", "Ain", 5, "Caf de l'Ain"),
        ("976", "Mayotte", 0, "Caisse de sécurité sociale de Mayotte"),
    ],
)
def test_caf_names_follow_insee_liaison_types(
    code: str, nom: str, liaison: int, expected: str
) -> None:
    assert caf_name({"code": code, "nom": nom, "typeLiaison": liaison}) == expected


def test_wrong_arguments_print_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["only-one"]) == 2
    assert "Usage" in capsys.readouterr().err
