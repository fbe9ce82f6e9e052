"""Read every delivered format back with its own library, as a requester would."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from pyjstat import pyjstat

PDFTOTEXT = shutil.which("pdftotext")


def read_csv(data: bytes, french: bool = False) -> pd.DataFrame:
    """Parse a delivered CSV with pandas: codes kept as text, an empty value read as NaN."""
    options: dict[str, Any] = (
        {"sep": ";", "decimal": ",", "encoding": "utf-8-sig"} if french else {}
    )
    text_columns = {
        "code_territoire": str,
        "statut": str,
        "motif": str,
        "age_jeune_enfant": str,
        "age_jeune_enfant_libelle": str,
    }
    return pd.read_csv(
        io.BytesIO(data),
        dtype=text_columns,
        keep_default_na=False,
        na_values={"valeur": [""]},
        **options,
    )


def read_xlsx(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    """Return every sheet's rows."""
    workbook = load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


def read_jsonstat(data: bytes) -> tuple[dict[str, Any], pd.DataFrame]:
    """Return the raw dataset and pyjstat's data frame (dimension ids as columns)."""
    dataset = pyjstat.Dataset.read(data.decode("utf-8"))
    return json.loads(data), dataset.write("dataframe", naming="id")


def pdf_text(data: bytes) -> str:
    """Extract the PDF's text with poppler, whitespace collapsed ("" if poppler is missing)."""
    if PDFTOTEXT is None:
        return ""
    result = subprocess.run(
        [PDFTOTEXT, "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode("utf-8").split())


def collapse(text: str) -> str:
    return " ".join(text.split())
