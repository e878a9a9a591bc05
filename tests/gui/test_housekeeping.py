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


def test_unlocking_makes_the_recurring_invoices_that_are_due(qtbot, make_vault, make_controller):
    from datetime import date
    from decimal import Decimal

    from crasme_desktop.services import business, invoices
    from crasme_desktop.services.contacts import OrganizationDraft
    from crasme_desktop.services.quotes import LineDraft

    created = make_vault()
    with open_vault(created.path, passphrase=PASSPHRASE, use_keychain=False) as vault:
        business.save_business(vault, business.BusinessSettings(
            name="Crasme Test GmbH", address_lines=("Hauptstr. 1", "10115 Berlin"),
            country_code="DE"))
        customer = contacts.create_organization(vault, OrganizationDraft("Acme"))
        start = date.today().replace(day=1)
        start = start.replace(year=start.year - 1) if start.month == 1 else start.replace(
            month=start.month - 1)
        invoices.save_recurring(vault, invoices.RecurringDraft(
            "monthly", start, (LineDraft("Support", Decimal(1), "month", Decimal(90)),),
            customer_organization_id=customer.id))

    controller = make_controller(created.path, env_passphrase=PASSPHRASE)
    controller.start()
    qtbot.waitUntil(lambda: controller.vault is not None, timeout=WAIT)
    vault = controller.vault

    def drafts() -> int:
        with vault.unit_of_work() as uow:
            return uow.session.execute(text(
                "SELECT count(*) FROM invoice WHERE status = 'draft' "
                "AND recurring_id IS NOT NULL")).scalar()

    # Last month's first day and this month's first day are both due.
    qtbot.waitUntil(lambda: drafts() == 2, timeout=WAIT)
