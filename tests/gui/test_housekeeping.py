"""Housekeeping when a vault is unlocked in the app."""

from __future__ import annotations

from datetime import timedelta

from crasme_desktop.domain.clock import as_utc
from crasme_desktop.services import contacts, merge
from crasme_desktop.services.contacts import EmailDraft, PersonDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text
from tests.gui.conftest import PASSPHRASE

WAIT = 20_000


def _merge_count(path) -> int:
    with open_vault(path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        return _count(vault)


def test_unlocking_drops_merge_records_past_the_undo_period(qtbot, make_vault, make_controller):
    created = make_vault()
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        pairs = []
        for family in ("Old", "Recent"):
            keep = contacts.create_person(vault, PersonDraft(
                "Ada", family, emails=(EmailDraft(f"ada.{family}@example.org"),)))
            other = contacts.create_person(vault, PersonDraft(
                "Ada", family, emails=(EmailDraft(f"ADA.{family}@example.org"),)))
            pairs.append(merge.merge_people(vault, keep.id, other.id).merge_id)
        long_ago = as_utc(vault.clock.now()).replace(tzinfo=None) - timedelta(
            days=merge.UNDO_DAYS + 1)
        with vault.unit_of_work() as uow:
            uow.session.execute(text("UPDATE merge_record SET created_at = :t WHERE id = :id"),
                                {"t": long_ago, "id": pairs[0]})
    assert _merge_count(created.path) == 2

    controller = make_controller(created.path, env_passphrase=PASSPHRASE)
    controller.start()
    qtbot.waitUntil(lambda: controller.vault is not None, timeout=WAIT)
    vault = controller.vault
    qtbot.waitUntil(lambda: _count(vault) == 1, timeout=WAIT)
    with vault.unit_of_work() as uow:
        left = uow.session.execute(text("SELECT id FROM merge_record")).scalars().all()
    assert left == [pairs[1]]


def _count(vault) -> int:
    with vault.unit_of_work() as uow:
        return uow.session.execute(text("SELECT count(*) FROM merge_record")).scalar()
