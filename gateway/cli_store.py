"""`publish-store` and `sync-store`: the cell store's versions, published once, held by every node.

Exit codes: 0 done (or nothing to do), 1 a version missing, incomplete or altered (nothing
switched), 2 a setting missing or nothing published yet.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from gateway.app import create_app
from gateway.services.cell_store.queries import ExpectedVersion, read_expected, record_publication
from gateway.state import app_state
from gateway.store.publication import VersionError, publish_version
from gateway.store.sync import SyncResult, sync_version

_PUBLISHED_HELP = "Emplacement publié (dossier local ou partage monté) ; défaut : "
_PUBLISHED_HELP += "GATEWAY_STORE_PUBLISHED."


def _published(app: Flask, option: Path | None) -> Path:
    """Return the published location: the option, else the setting; exit 2 without either."""
    location = option or app_state(app).settings.store_published
    if location is None:
        click.echo(
            "Erreur : aucun emplacement publié (GATEWAY_STORE_PUBLISHED ou --from/--to)", err=True
        )
        sys.exit(2)
    return location


def publish_and_record(app: Flask, published: Path, version: str | None) -> ExpectedVersion:
    """Publish a version of this host's store, then record it as the one every node serves."""
    state = app_state(app)
    release = publish_version(state.settings.cell_store_dir, published, version)
    with state.database.transaction() as session:
        return record_publication(session, release)


@click.command("publish-store")
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=Path), help=_PUBLISHED_HELP)
@click.option(
    "--version", "version", default=None, help="Version à publier ; défaut : la courante."
)
def publish_store(to: Path | None, version: str | None) -> None:
    """Publier une version de l'entrepôt local (la courante par défaut) à l'emplacement publié,
    avec ses sommes de contrôle, et l'enregistrer comme version attendue de tous les nœuds
    (aussi pour revenir à une version antérieure)."""
    app = create_app()
    published = _published(app, to)
    try:
        expected = publish_and_record(app, published, version)
    except VersionError as error:
        click.echo(f"Erreur : {error.detail}", err=True)
        sys.exit(1)
    finally:
        app_state(app).database.dispose()
    click.echo(
        f"Version {expected.version} publiée dans {published} et attendue sur tous les nœuds "
        "(python -m gateway sync-store sur chacun)."
    )


@click.command("sync-store")
@click.option(
    "--from", "source", type=click.Path(file_okay=False, path_type=Path), help=_PUBLISHED_HELP
)
def sync_store(source: Path | None) -> None:
    """Amener l'entrepôt local à la version attendue : copie depuis l'emplacement publié,
    vérification des sommes de contrôle, bascule atomique ; relancer ne change rien."""
    app = create_app()
    state = app_state(app)
    published = _published(app, source)
    started = time.perf_counter()
    try:
        expected = read_expected(state.database)
    except SQLAlchemyError:
        click.echo("Erreur : base de données injoignable : version attendue inconnue", err=True)
        sys.exit(2)
    finally:
        state.database.dispose()
    if expected is None:
        click.echo("Erreur : aucune version publiée (python -m gateway publish-store)", err=True)
        sys.exit(2)
    settings = state.settings
    try:
        result = sync_version(
            settings.cell_store_dir,
            published,
            expected.version,
            expected.checksums_sha256,
            settings.store_keep,
        )
    except VersionError as error:
        click.echo(f"Erreur : {error.detail} ; rien n'a été basculé.", err=True)
        sys.exit(1)
    click.echo(_summary(result, time.perf_counter() - started))


def _summary(result: SyncResult, seconds: float) -> str:
    """Say what the sync did, in French."""
    if not result.changed:
        return f"Entrepôt à jour : version {result.version} servie."
    parts = [f"{result.copied} fichier(s) copié(s), {result.linked} lié(s)"]
    if result.removed:
        parts.append(f"version(s) retirée(s) : {', '.join(result.removed)}")
    switched = "servie désormais" if result.switched else "déjà servie"
    return f"Version {result.version} {switched} ({'; '.join(parts)} ; {seconds:.1f} s)."
