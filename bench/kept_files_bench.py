"""Benchmark: download a 181,000-cell XLSX extract, rendered at each download or kept.

Two extracts hold the same delivered cells (the synthetic delivery of `bench.xlsx_bench`,
stored as the pipeline stores a result): one as a small extract, rendered at each download
(the behaviour before, and still the one of small extracts), one as a background extract,
whose file is kept (`GATEWAY_FILES_DIR`). Each download runs the gateway's own service and
response (`download_file`, `send_delivered`) on a scratch SQLite instance: the extract's row
read in a new session, the file found or rendered, the response's body read to the end.
Downloads alternate (before, kept, before, kept...) so that the machine's load weighs on both.

    python -m bench.kept_files_bench [--cells 181000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from flask import Flask
from sqlalchemy.orm import defer

from bench.xlsx_bench import make_delivery
from gateway.api.files import send_delivered
from gateway.app import create_app
from gateway.config import REPO_ROOT
from gateway.db.migrate import upgrade
from gateway.db.models import Extract
from gateway.db.models.extracts import DELIVERED
from gateway.pipeline.deliver import cells_to_json
from gateway.services.catalogue.queries import seed_catalogue
from gateway.services.extracts.files import download_file
from gateway.state import app_state

RENDERED, KEPT = "a" * 32, "b" * 32  # the two extracts' ids


def scratch_app(root: Path) -> Flask:
    """A migrated SQLite instance with the catalogue (what a download reads)."""
    url = f"sqlite:///{root / 'gateway.sqlite3'}"
    upgrade(url)
    app = create_app(
        {"env": "test", "database_url": url, "instance_dir": root, "log_level": "WARNING"}
    )
    with app_state(app).database.transaction() as session:
        seed_catalogue(session, REPO_ROOT / "data" / "catalogue.yaml")
    return app


def store_extracts(app: Flask, cells: int) -> int:
    """Store the delivery twice: as a small extract and as a background one."""
    delivery = make_delivery(cells)
    result = {
        "cellules": cells_to_json(delivery.cells),
        "contexte": delivery.header.to_json(),
        "prix": str(delivery.header.price_total),
    }
    request = {"indicators": [indicator.code for indicator in delivery.indicators]}
    with app_state(app).database.transaction() as session:
        for extract_id, job in ((RENDERED, None), (KEPT, {"bench": True})):
            session.add(
                Extract(
                    id=extract_id,
                    fingerprint=extract_id,
                    request=request,
                    status=DELIVERED,
                    result=result,
                    job=job,
                    cells_delivered=len(delivery.cells),
                )
            )
    return len(delivery.cells)


def download(app: Flask, extract_id: str) -> tuple[float, int, bool]:
    """Download the XLSX as a request does; return seconds, bytes and whether it was kept."""
    started = time.perf_counter()
    with app.test_request_context(), app_state(app).database.sessions() as session:
        # As `owned_extract` reads it: the stored result only if used.
        extract = session.get(Extract, extract_id, options=[defer(Extract.result)])
        assert extract is not None
        file = download_file(session, extract, "xlsx")
        response = send_delivered(file, disposition="attachment", cache_control="private")
        # What the server sends (direct passthrough: the file, read in blocks).
        body = b"".join(cast(Iterable[bytes], response.response))
        response.close()
    return time.perf_counter() - started, len(body), file.path is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cells", type=int, default=181_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fichiers-") as folder:
        app = scratch_app(Path(folder))
        cells = store_extracts(app, args.cells)
        first, size, kept = download(app, KEPT)  # the job's rendering, done once
        assert kept
        print(f"{cells:,} cellules ; XLSX de {size / 2**20:.1f} Mo ; charge {os.getloadavg()}")
        print(f"mise en forme conservée (une fois, comme le travail) : {first:.2f} s")
        figures: dict[str, list[float]] = {"avant": [], "conserve": []}
        print("| tour | rendu à chaque téléchargement (s) | fichier conservé (s) |")
        print("|---|---|---|")
        for number in range(1, args.rounds + 1):
            before, _size, kept_before = download(app, RENDERED)
            after, _size, kept_after = download(app, KEPT)
            assert not kept_before and kept_after
            figures["avant"].append(before)
            figures["conserve"].append(after)
            print(f"| {number} | {before:.2f} | {after:.3f} |")
        summary: dict[str, Any] = {k: statistics.median(v) for k, v in figures.items()}
        ratio = summary["avant"] / summary["conserve"]
        print(
            f"médianes : {summary['avant']:.2f} s avant, {summary['conserve']:.3f} s conservé "
            f"(x{ratio:.0f}) ; charge {os.getloadavg()}"
        )


if __name__ == "__main__":
    main()
