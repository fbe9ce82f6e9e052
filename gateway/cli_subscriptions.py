"""`python -m gateway run-subscriptions`: deliver the subscriptions due now (cron, timer).

On SQLite (the embedded runner) nothing runs in the background between requests: an
operator's timer runs this command, every few minutes or hourly. On PostgreSQL the queue
worker's periodic task does it (`gateway.services.subscriptions.jobs`); the command still
works there (a delivery is claimed once, whoever runs it).
"""

from __future__ import annotations

import sys

import click

from gateway.app import create_app
from gateway.services.subscriptions.runner import run_due
from gateway.state import app_state


@click.command("run-subscriptions")
def run_subscriptions() -> None:
    """Livrer les abonnements dus maintenant (à lancer par cron ou une minuterie systemd) ;
    code 1 si une livraison a échoué."""
    app = create_app()
    state = app_state(app)
    with app.app_context():
        report = run_due(state)
    state.database.dispose()
    click.echo(
        f"Abonnements : {report.delivered} livré(s), {report.refused} refusé(s), "
        f"{report.failed} en échec, {report.skipped} laissé(s) pour plus tard"
        + (f", {report.announced_again} annonce(s) renvoyée(s)." if report.announced_again else ".")
    )
    if report.failed:
        sys.exit(1)
