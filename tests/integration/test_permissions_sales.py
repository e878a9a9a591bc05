"""The role x action matrix of the sales areas through the service layer: deals (with
pipelines and stages), quotes, invoices, products, and printing a PDF; a custom
"Bookkeeper" role that reads invoices and nothing else; a refused call changes nothing;
a print leaves an audit event with ids only, and the chain still verifies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.permissions import (
    BUILTIN_ROLE_IDS,
    BUILTIN_ROLES,
    Permission,
    PermissionDenied,
    builtin_permissions,
)
from crasme_desktop.services import (
    audit,
    business,
    catalog,
    contacts,
    deals,
    invoice_lists,
    invoices,
    permissions,
    quotes,
    sales_files,
    users,
)
from crasme_desktop.services.business import BusinessSettings
from crasme_desktop.services.catalog import ProductDraft
from crasme_desktop.services.contacts import OrganizationDraft
from crasme_desktop.services.deals import DealDraft
from crasme_desktop.services.invoices import InvoiceDraft
from crasme_desktop.services.quotes import LineDraft, QuoteDraft
from crasme_desktop.vault import open_vault
from sqlalchemy import text

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
SELLER = BusinessSettings(
    name="Crasme Studio", address_lines=("Hauptstr. 1", "10115 Berlin"), country_code="DE",
    tax_id="DE136695976", iban="DE89 3704 0044 0532 0130 00", default_currency="EUR",
    payment_terms_days=14, locale="de_DE",
)
CUSTOMER = "Kühnemann Bau"
SALES_AREAS = ("deals", "quotes", "invoices", "products")
#: Every table a sales service writes, and the trail: a refused call leaves them as they were.
TABLES = ("pipeline", "deal_stage", "deal", "quote", "quote_line", "invoice", "invoice_line",
          "invoice_tax_total", "payment", "customer_credit", "recurring_invoice", "product",
          "number_counter", "activity", "audit_event")


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain, clock=FakeClock(START)) as opened:
        yield opened


def owner_of(vault) -> str:
    return next(u.id for u in users.list_users(vault) if u.role_id == BUILTIN_ROLE_IDS["owner"])


def _state(vault) -> dict[str, list[tuple]]:
    with vault.unit_of_work() as uow:
        return {t: [tuple(r) for r in uow.session.execute(
            text(f"SELECT * FROM {t} ORDER BY rowid"))] for t in TABLES}  # nosec B608


def _line(description: str = "Consulting", price: str = "100.00") -> LineDraft:
    return LineDraft(description, D(2), "h", D(price))


def _deal(title: str, company: str) -> DealDraft:
    return DealDraft(title=title, value="1000.00", currency="EUR", expected_close=TODAY,
                     organization_id=company)


def _operations(vault, tmp_path) -> tuple[dict[Permission, Callable[[], object]], dict]:
    """One service call per permission of the sales areas (and print), on records the
    Owner made; each returns something that shows it was done. Also the made ids."""
    actor = vault.actor
    vault.actor = None  # the vault's Owner sets the scene
    business.save_business(vault, SELLER)
    company = contacts.create_organization(vault, OrganizationDraft(CUSTOMER)).id
    deal = deals.create_deal(vault, _deal("Roof", company)).id
    doomed_deal = deals.create_deal(vault, _deal("Shed", company)).id
    quote_draft = QuoteDraft(customer_organization_id=company, lines=(_line(),))
    quote = quotes.save_quote(vault, quote_draft).id
    doomed_quote = quotes.save_quote(vault, quote_draft).id
    invoice_draft = InvoiceDraft(customer_organization_id=company, lines=(_line(),))
    draft = invoices.save_invoice_draft(vault, invoice_draft).id
    doomed_draft = invoices.save_invoice_draft(vault, invoice_draft).id
    issued = invoices.issue_invoice(
        vault, invoices.save_invoice_draft(vault, invoice_draft).id, today=TODAY)
    product = catalog.save_product(vault, ProductDraft("Hour", D("80.00"))).id
    doomed_product = catalog.save_product(vault, ProductDraft("Old hour", D("70.00"))).id
    vault.actor = actor

    def deleted(call: Callable[[object, str], None], record_id: str) -> Callable[[], bool]:
        def run() -> bool:
            call(vault, record_id)
            return True
        return run

    def printed() -> bool:
        target = tmp_path / "invoice.pdf"
        return sales_files.save_pdf(vault, "invoice", issued.id, target) == target \
            and target.read_bytes().startswith(b"%PDF")

    operations: dict[Permission, Callable[[], object]] = {
        Permission("deals", "view"): lambda: (
            deals.get_deal(vault, deal).id == deal and deals.list_deals(vault).rows
            and deals.board(vault).columns and deals.list_pipelines(vault)),
        Permission("deals", "create"): lambda: deals.create_deal(
            vault, _deal("New", company)).id,
        Permission("deals", "edit"): lambda: deals.mark_won(
            vault, deal, today=TODAY).status == "won",
        Permission("deals", "delete"): deleted(deals.delete_deal, doomed_deal),
        Permission("quotes", "view"): lambda: (
            quotes.get_quote(vault, quote).id == quote
            and len(quotes.ordered_quote_ids(vault)) >= 2),
        Permission("quotes", "create"): lambda: quotes.save_quote(vault, quote_draft).number,
        Permission("quotes", "edit"): lambda: quotes.set_quote_status(
            vault, quote, "sent", today=TODAY).status == "sent",
        Permission("quotes", "delete"): deleted(quotes.delete_quote, doomed_quote),
        Permission("invoices", "view"): lambda: (
            invoices.get_invoice(vault, issued.id).number == issued.number
            and len(invoice_lists.ordered_invoice_ids(vault)) >= 3),
        Permission("invoices", "create"): lambda: invoices.save_invoice_draft(
            vault, invoice_draft).id,
        Permission("invoices", "edit"): lambda: invoices.issue_invoice(
            vault, draft, today=TODAY).number,
        Permission("invoices", "delete"): deleted(invoices.delete_draft, doomed_draft),
        Permission("products", "view"): lambda: [
            p.name for p in catalog.list_products(vault)] == ["Hour", "Old hour"],
        Permission("products", "create"): lambda: catalog.save_product(
            vault, ProductDraft("Day", D("600.00"))).id,
        Permission("products", "edit"): lambda: catalog.save_product(
            vault, ProductDraft("Hour", D("90.00")), product).unit_price == D("90.00"),
        Permission("products", "delete"): lambda: catalog.archive_product(
            vault, doomed_product).archived,
        Permission("", "print"): printed,
    }
    return operations, {"company": company, "issued": issued, "draft": draft,
                        "quote": quote, "deal": deal}


def _wanted(allowed: frozenset[Permission], permission: Permission) -> bool:
    """Printing an invoice also needs reading invoices."""
    if permission.sensitive:
        return permission in allowed and Permission("invoices", "view") in allowed
    return permission in allowed


def _run_matrix(vault, tmp_path, allowed: frozenset[Permission], role_name: str):
    operations, made = _operations(vault, tmp_path)
    done, refused = [], []
    for permission, call in operations.items():
        if _wanted(allowed, permission):
            assert call(), permission
            done.append(str(permission))
            continue
        before = _state(vault)
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert str(caught.value) == (f"Your role ({role_name}) does not allow "
                                     f"{caught.value.permission.describe()}.")
        assert _state(vault) == before, f"refused {permission} changed something"
        refused.append(str(permission))
    return done, refused, made


@pytest.mark.parametrize("role", list(BUILTIN_ROLES))
def test_each_role_may_do_exactly_what_the_matrix_says_in_sales(vault, tmp_path, role):
    user = users.add_user(vault, f"User {role}", BUILTIN_ROLE_IDS[role]) \
        if role != "owner" else users.get_user(vault, owner_of(vault))
    permissions.act_as(vault, user.id)
    done, refused, made = _run_matrix(vault, tmp_path, builtin_permissions(role),
                                      BUILTIN_ROLES[role][0])
    expected_refused = {
        "owner": [], "admin": [], "manager": [],
        "staff": ["deals.delete", "quotes.delete", "invoices.delete", "products.create",
                  "products.edit", "products.delete"],
        "read_only": [f"{area}.{action}" for area in SALES_AREAS
                      for action in ("create", "edit", "delete")] + ["print"],
    }[role]
    assert sorted(refused) == sorted(expected_refused)
    assert len(done) + len(refused) == 17
    assert (tmp_path / "invoice.pdf").exists() == ("print" in done)
    vault.actor = None
    prints = [e for e in audit.events_for_record(vault, "invoice", made["issued"].id)
              if e.action == "invoice.print"]
    assert [e.user_id for e in prints] == ([user.id] if "print" in done else [])
    assert audit.verify_chain(vault).ok


def test_a_bookkeeper_reads_invoices_and_nothing_else_in_sales(vault, tmp_path):
    role = users.create_role(vault, "Bookkeeper", ["invoices.view"])
    petra = users.add_user(vault, "Petra Klein", role.id)
    permissions.act_as(vault, petra.id)
    done, refused, made = _run_matrix(vault, tmp_path, frozenset(
        {Permission("invoices", "view")}), "Bookkeeper")
    assert done == ["invoices.view"]
    assert len(refused) == 16
    # The whole invoice list, its totals and figures, one record, found by number.
    issued = made["issued"]
    rowids = invoice_lists.ordered_invoice_ids(vault)
    rows = invoice_lists.fetch_invoice_rows(vault, list(rowids))
    assert {r.id for r in rows} >= {issued.id, made["draft"]}
    assert [r.id for r in invoice_lists.first_invoice_rows(vault)] == [r.id for r in rows]
    assert invoice_lists.invoice_totals(vault).count == len(rows)
    assert invoices.find_invoice_by_number(vault, issued.number) == issued.id
    assert [c.id for c in invoices.creditable_lines(vault, issued.id)] == [
        line.id for line in invoices.get_invoice(vault, issued.id).lines]
    assert invoices.available_credit(vault, issued.id).amount == D(0)
    assert invoices.list_recurring(vault) == []
    assert invoice_lists.aging_summary(vault, TODAY).rows[0].total == issued.total
    # Not even the quote behind a document, nor the product list to pick from.
    for call, args in ((invoices.document_for, ("quote", made["quote"])),
                       (catalog.list_products, ()), (deals.forecast, ()),
                       (invoices.make_due_recurring, ()),
                       (quotes.quote_to_invoice, (made["quote"],))):
        with pytest.raises(PermissionDenied):
            call(vault, *args)
    vault.actor = None
    assert audit.verify_chain(vault).ok


def test_a_print_is_audited_with_the_user_and_ids_only(vault, tmp_path):
    staff = users.add_user(vault, "Tomasz Nowak", BUILTIN_ROLE_IDS["staff"])
    permissions.act_as(vault, staff.id)
    operations, made = _operations(vault, tmp_path)
    quote_pdf = sales_files.save_pdf(vault, "quote", made["quote"], tmp_path / "quote.pdf")
    assert operations[Permission("", "print")]()
    assert quote_pdf.read_bytes().startswith(b"%PDF")
    vault.actor = None
    with vault.unit_of_work() as uow:
        rows = uow.session.execute(text(
            "SELECT * FROM audit_event WHERE action LIKE '%.print' ORDER BY seq")).mappings().all()
    assert [(r["action"], r["record_type"], r["record_id"], r["user_id"]) for r in rows] == [
        ("quote.print", "quote", made["quote"], staff.id),
        ("invoice.print", "invoice", made["issued"].id, staff.id)]
    personal = (CUSTOMER, made["issued"].number, "Crasme Studio", "Consulting", "Tomasz")
    for row in rows:
        for value in row.values():
            assert not any(p in str(value) for p in personal), value
    assert audit.verify_chain(vault).ok


def test_reports_figures_need_invoices_or_reports_view_and_nothing_more(vault):
    reporter = users.create_role(vault, "Reporter", ["reports.view"])
    nobody = users.create_role(vault, "Contacts only", ["contacts.view"])
    for role, may_read in ((reporter, True), (nobody, False)):
        vault.actor = None
        user = users.add_user(vault, f"User {role.name}", role.id)
        permissions.act_as(vault, user.id)
        figures = (lambda: invoice_lists.aging_summary(vault, TODAY),
                   lambda: invoice_lists.revenue_by_month(vault, TODAY, TODAY))
        for figure in figures:
            if may_read:
                assert figure() is not None
            else:
                with pytest.raises(PermissionDenied, match=r"does not allow viewing invoices"):
                    figure()
        with pytest.raises(PermissionDenied, match=rf"^Your role \({role.name}\) does not "
                                                   r"allow viewing invoices\.$"):
            invoice_lists.ordered_invoice_ids(vault)

