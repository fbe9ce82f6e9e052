"""Command line of the gateway: `python -m gateway <command>` (init, migrate, imports...)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click
from flask import Flask, url_for
from sqlalchemy.orm import Session

from gateway.app import create_app
from gateway.cli_store import publish_and_record, publish_store, sync_store
from gateway.cli_subscriptions import run_subscriptions
from gateway.config import ConfigurationError, write_key_file
from gateway.db import migrate as migrations
from gateway.pipeline import queue
from gateway.reference.geography import load_geography
from gateway.services import upkeep
from gateway.services.access.seed import seed_access_rules
from gateway.services.accounts import people
from gateway.services.accounts.demo import write_demo_accounts
from gateway.services.accounts.passwords import Passwords
from gateway.services.accounts.values import PersonRole
from gateway.services.audit import heads
from gateway.services.audit.queries import seal, verify
from gateway.services.catalogue import queries as catalogue_service
from gateway.services.cell_store.startup import StoreNotReady, check_store_at_start
from gateway.services.conventions.lifecycle import expire_due_conventions
from gateway.services.demo.conventions import seed_demo_conventions
from gateway.services.demo.requesters import ensure_demo_requesters, write_demo_keys
from gateway.services.pricing.schedules import seed_default_schedule
from gateway.services.requesters import registry
from gateway.services.territories import queries as reference
from gateway.state import app_state
from gateway.store.demo import ensure_demo_store
from gateway.store.importers import import_file
from policies.domain import RequesterType
from policies.errors import DomainError

T = TypeVar("T")


def _app() -> Flask:
    return create_app()


def _in_one_transaction(work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction of a new app's database, then close its connections."""
    database = app_state(_app()).database
    with database.transaction() as session:
        result = work(session)
    database.dispose()
    return result


@click.group()
def cli() -> None:
    """Administration de la passerelle de diffusion des données des Caf."""


@cli.command()
@click.option(
    "--demo", is_flag=True, help="Charger aussi les données et demandeurs de démonstration."
)
def init(demo: bool) -> None:
    """Préparer la base (migrations, géographie, catalogue) ; réutiliser ce qui existe."""
    _create_audit_key_file()
    app = _app()
    settings = app_state(app).settings
    with app.app_context():
        migrations.upgrade(settings.database_url)
        _seal_audit_chain(app)
        with app_state(app).database.transaction() as session:
            if not reference.geography_is_loaded(session):
                rows = reference.seed_geography(
                    session, load_geography(settings.data_dir / "reference")
                )
                click.echo(f"Géographie de référence chargée ({rows} lignes).")
            if not catalogue_service.catalogue_is_loaded(session):
                count = catalogue_service.seed_catalogue(
                    session, settings.data_dir / "catalogue.yaml"
                )
                click.echo(f"Catalogue chargé ({count} indicateurs).")
            for message in seed_access_rules(session, settings.data_dir):
                click.echo(message)
            if seed_default_schedule(session, settings.data_dir):
                click.echo("Barème tarifaire par défaut chargé.")
        if demo:
            _init_demo(app)


def _create_audit_key_file() -> None:
    """Create the audit key file GATEWAY_AUDIT_KEY_FILE names, if missing (mode 0600)."""
    path = os.environ.get("GATEWAY_AUDIT_KEY_FILE")
    if path and not os.environ.get("GATEWAY_AUDIT_KEY") and write_key_file(Path(path)):
        click.echo(f"Clé du journal d'audit créée : {path} (à sauvegarder hors de la base).")


def _seal_audit_chain(app: Flask) -> None:
    """Sign the audit chain's head with the current key (after an upgrade or a rotation)."""
    with app_state(app).database.transaction() as session:
        entry = seal(session)
    if entry is not None:
        click.echo(f"Journal d'audit scellé avec sa clé (entrée n° {entry.id}).")


def _init_demo(app: Flask) -> None:
    """Create the demonstration store and requesters (development only)."""
    state = app_state(app)
    settings = state.settings
    if not settings.is_development:
        raise click.ClickException("Les données de démonstration sont réservées au développement.")
    if ensure_demo_store(settings.cell_store_dir, settings.data_dir / "reference"):
        click.echo(f"Données de démonstration générées dans {settings.cell_store_dir}.")
    keys_path = settings.instance_dir / "demo-keys.json"
    with state.database.transaction() as session:
        keys = write_demo_keys(session, keys_path)
    click.echo(f"Clés de démonstration ({len(keys)} demandeurs) : {keys_path}")
    accounts_path = settings.instance_dir / "demo-accounts.json"
    with state.database.transaction() as session:
        requesters = ensure_demo_requesters(session)
        passwords = Passwords.for_environment(settings.env)
        people = write_demo_accounts(session, passwords, requesters, accounts_path)
    click.echo(f"Comptes de démonstration ({len(people)} personnes) : {accounts_path}")
    with state.database.transaction() as session:
        created = seed_demo_conventions(session)
    if created:
        click.echo(f"Conventions de démonstration actives : {', '.join(created)}.")
    _publish_socle(app, only_if_missing=True)


def _publish_socle(app: Flask, *, only_if_missing: bool) -> None:
    """Publish the socle commun of the current store version (before any extract of it)."""
    runner = app_state(app).pipeline
    started = time.perf_counter()
    publisher, store = runner.publisher, runner.store
    found = publisher.ensure(store) if only_if_missing else publisher.publish(store)
    click.echo(
        f"Socle commun publié pour la version {store.version()} : publication {found} "
        f"({time.perf_counter() - started:.1f} s)."
    )


@cli.command("publish-socle")
def publish_socle() -> None:
    """Republier le socle commun de la version courante des données (après un changement de
    palier ou de matrice) ; la publication précédente reste enregistrée."""
    _publish_socle(_app(), only_if_missing=False)


@cli.command()
@click.argument("revision", default="head")
def migrate(revision: str) -> None:
    """Appliquer les migrations jusqu'à REVISION (par défaut : la dernière)."""
    app = _app()
    migrations.upgrade(app_state(app).settings.database_url, revision)
    if revision == "head":
        _seal_audit_chain(app)
    app_state(app).database.dispose()


@cli.command()
@click.argument("revision", default="-1")
def downgrade(revision: str) -> None:
    """Revenir à REVISION (par défaut : la précédente)."""
    migrations.downgrade(app_state(_app()).settings.database_url, revision)


@cli.command("load-geography")
@click.option("--data-dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def load_geography_command(data_dir: Path | None) -> None:
    """Recharger la géographie de référence depuis les fichiers livrés."""
    app = _app()
    state = app_state(app)
    directory = data_dir or state.settings.data_dir / "reference"
    with state.database.transaction() as session:
        rows = reference.seed_geography(session, load_geography(directory))
    click.echo(f"Géographie de référence chargée ({rows} lignes).")


@cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--microdata", is_flag=True, help="Fichier d'unités (une ligne par foyer).")
def import_command(path: Path, microdata: bool) -> None:
    """Importer un fichier de cellules (CSV ou Parquet) dans l'entrepôt, tout ou rien."""
    app = _app()
    state = app_state(app)
    with state.database.transaction() as session:
        catalogue = catalogue_service.current_catalogue(session)
    settings = state.settings
    summary = import_file(
        catalogue,
        path,
        store_dir=settings.cell_store_dir,
        reference_dir=settings.data_dir / "reference",
        microdata=microdata,
    )
    cells = sum(summary.rows.values())
    click.echo(
        f"Import réussi : {cells} cellules, {len(summary.rows)} indicateurs, "
        f"version {summary.version}."
    )
    if settings.store_published is not None:  # the nodes copy it from there (sync-store)
        publish_and_record(app, settings.store_published, summary.version)
        click.echo(f"Version publiée dans {settings.store_published}, attendue sur tous les nœuds.")
    # No extract of the new version is protected before its socle: the pipeline would publish
    # it first anyway; publishing now keeps the first requester from waiting for it. On
    # PostgreSQL a worker publishes it (a job, taken up again if its worker dies).
    if upkeep.defer_socle_publication(state, summary.version):
        click.echo("Publication du socle commun confiée à la file des travaux (socle.publier).")
    else:
        _publish_socle(app, only_if_missing=True)


@cli.command("audit-verify")
@click.option(
    "--against",
    "against",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Fichier des têtes exportées : une réécriture faite avec la clé y est détectée.",
)
def audit_verify(against: Path | None) -> None:
    """Vérifier la chaîne du journal d'audit ; code 1 à la première entrée altérée."""
    if against is not None and not against.is_file():
        click.echo(f"Erreur : fichier des têtes exportées introuvable : {against}", err=True)
        sys.exit(2)
    if against is None:
        report = _in_one_transaction(verify)
    else:
        database = app_state(_app()).database
        report = heads.verify_against(database, against)
        database.dispose()
    if report.ok:
        suffix = ", conforme aux têtes exportées" if against is not None else ""
        entries = "entrée" if report.checked == 1 else "entrées"
        click.echo(f"Chaîne intègre ({report.checked} {entries}{suffix})")
        return
    where = f"à l'entrée n° {report.first_bad_id}" if report.first_bad_id else "en fin de journal"
    click.echo(f"Chaîne altérée {where} : {report.reason} ({report.checked} entrées saines avant)")
    sys.exit(1)


@cli.command("audit-export-head")
def audit_export_head() -> None:
    """Exporter la tête du journal d'audit hors de la base (GATEWAY_AUDIT_HEAD_EXPORT) ;
    à lancer périodiquement (cron, minuterie systemd) ; code 1 si la chaîne est altérée."""
    state = app_state(_app())
    directory = state.settings.audit_head_export
    if directory is None:
        click.echo("Erreur : GATEWAY_AUDIT_HEAD_EXPORT (dossier d'export) non défini", err=True)
        sys.exit(2)
    export = heads.export_head(state.database, directory)
    state.database.dispose()
    if export.exported is None:
        report = export.report
        where = f" à l'entrée n° {report.first_bad_id}" if report.first_bad_id else ""
        click.echo(f"Tête non exportée : chaîne altérée{where} : {report.reason}")
        sys.exit(1)
    head = export.exported
    click.echo(f"Tête exportée : entrée n° {head.entry_id}, {head.head[:16]}…, dans {export.path}")


@cli.command("create-admin")
@click.option("--caf", "caf_code", default=None, help="Code de la Caf ; absent : national.")
@click.option("--organisation", required=True, help="Nom de l'administration (demandeur).")
@click.option("--name", required=True, help="Prénom et nom de la personne invitée.")
@click.option("--email", required=True, help="Son adresse électronique (son identifiant).")
@click.option("--portal-url", required=True, help="Adresse publique du portail (le lien).")
def create_admin(
    caf_code: str | None, organisation: str, name: str, email: str, portal_url: str
) -> None:
    """Créer une administration (Caf ou nationale) et inviter sa première personne."""
    # The first administrator of a new instance: production has no demonstration accounts and
    # may have no mail transport yet. The link is printed for the operator to hand over: it
    # is a credential, never written to the log.
    app = _app()
    kind = RequesterType.ADMIN_CAF if caf_code else RequesterType.ADMIN_NATIONAL
    fields = {"name": organisation, "type": kind.value, "caf_code": caf_code}
    with app.app_context(), app_state(app).database.transaction() as session:
        requester = registry.create_requester(session, None, fields)
        person = {"email": email, "name": name, "role": PersonRole.GESTIONNAIRE.value}
        invitation = people.invite_person(session, None, requester.id, person)
    with app.test_request_context(base_url=portal_url.rstrip("/")):
        link = url_for("compte.invitation", token=invitation.token, _external=True)
    valid = invitation.expires_at.strftime("%d/%m/%Y à %H:%M UTC")
    click.echo(f"Administration créée : {requester.name} (demandeur n° {requester.id}).")
    click.echo(f"Lien d'invitation de {invitation.person.email}, valable jusqu'au {valid} :")
    click.echo(link)


@cli.command("expire-conventions")
def expire_conventions() -> None:
    """Passer au statut « expirée » les conventions dont la date de fin est passée."""
    expired = _in_one_transaction(expire_due_conventions)
    click.echo(
        f"Conventions expirées : {len(expired)}" + (f" ({', '.join(expired)})" if expired else "")
    )


@cli.command()
@click.option("--concurrency", default=1, show_default=True, help="Travaux menés de front.")
@click.option("--until-empty", is_flag=True, help="S'arrêter quand la file est vide.")
def worker(concurrency: int, until_empty: bool) -> None:
    """Mener les travaux de la file PostgreSQL : extraits en arrière-plan (et reprise des
    travaux d'un processus disparu), abonnements dus, socle après un import, expiration des
    conventions ; arrêt propre sur SIGINT ou SIGTERM."""
    state = app_state(_app())
    if state.settings.job_runner != "queue":
        raise click.ClickException(
            "Pas de file de travaux : elle demande PostgreSQL (GATEWAY_JOB_RUNNER=queue) ; "
            "sur SQLite, les extraits en arrière-plan sont livrés par le serveur lui-même."
        )
    try:
        check_store_at_start(state.settings)
    except StoreNotReady as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Travailleur de la file démarré ({concurrency} travail(s) à la fois).")
    queue.work(upkeep.worker_app(state), wait=not until_empty, concurrency=concurrency)


cli.add_command(publish_store)
cli.add_command(sync_store)
cli.add_command(run_subscriptions)


def main() -> None:
    """Run the CLI, turning domain errors into a French message and exit code 2."""
    try:
        cli.main(standalone_mode=False)
    except DomainError as error:
        click.echo(f"Erreur : {error.detail}", err=True)
        sys.exit(2)
    except ConfigurationError as error:  # a setting missing or wrong: said, not a traceback
        click.echo(f"Configuration : {error}", err=True)
        sys.exit(2)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        sys.exit(1)
