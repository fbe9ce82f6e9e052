"""The words of the messages people receive; the HTTP layer supplies the link."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from gateway.notify.mail import Message

PARIS = ZoneInfo("Europe/Paris")


def _until(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H h %M")


def invitation(to: str, name: str, organisation: str, link: str, expires_at: datetime) -> Message:
    """Invite a person to choose a password (the link opens the account)."""
    body = (
        f"Bonjour {name},\n\n"
        f"Un compte vous attend sur la passerelle de diffusion des données des Caf, pour "
        f"{organisation}. Pour l'ouvrir, choisissez votre mot de passe en suivant ce lien, "
        f"valable jusqu'au {_until(expires_at)} et une seule fois :\n\n{link}\n\n"
        "Si vous n'attendiez pas ce message, ignorez-le.\n"
    )
    return Message(to, "Votre compte sur la passerelle des Caf", body, link)


def reset(to: str, name: str, link: str, expires_at: datetime) -> Message:
    """Send a password-reset link."""
    body = (
        f"Bonjour {name},\n\n"
        "Pour choisir un nouveau mot de passe, suivez ce lien, valable jusqu'au "
        f"{_until(expires_at)} et une seule fois :\n\n{link}\n\n"
        "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe ne change pas.\n"
    )
    return Message(to, "Nouveau mot de passe sur la passerelle des Caf", body, link)


def rejection(to: str, name: str, organisation: str, reason: str) -> Message:
    """Tell an organisation's contact why its access request was refused."""
    body = (
        f"Bonjour {name},\n\n"
        f"La demande d'accès de {organisation} à la passerelle de diffusion des données des "
        f"Caf n'a pas été acceptée, pour le motif suivant :\n\n{reason}\n\n"
        "Vous pouvez présenter une nouvelle demande, ou contacter votre Caf.\n"
    )
    return Message(to, "Votre demande d'accès à la passerelle des Caf", body, "")
