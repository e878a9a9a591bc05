"""The audit trail: who did what, when, to which record. Never personal values.

Issue-level detail (hash chain, per-person views) comes with the users and roles
work; this records the events the foundation knows about.
"""

from __future__ import annotations

import getpass

from sqlalchemy.orm import Session

from crasme_desktop.domain.models import AuditEvent
from crasme_desktop.vault import Vault

_ALLOWED_DETAIL = {"keychain", "passphrase", "recovery", ""}


def current_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return ""


def add(session: Session, action: str, record_type: str = "", record_id: str = "") -> None:
    """Add an event inside the caller's transaction."""
    session.add(
        AuditEvent(
            actor=current_actor(), action=action, record_type=record_type, record_id=record_id
        )
    )


def record(vault: Vault, action: str, *, detail: str = "") -> None:
    """Record a vault-level event in its own transaction (detail is a fixed word, not data)."""
    if detail not in _ALLOWED_DETAIL:
        raise ValueError("audit detail must be a fixed word")
    with vault.unit_of_work() as uow:
        add(uow.session, action + (f":{detail}" if detail else ""), "vault", "")
