"""The role x action matrix of the privacy services and the services several areas
share (timeline, attachments, merge, import, saved lists, search) through the service
layer: each forbidden action is refused with its one sentence and changes nothing (a
refused erase erases nothing, a refused export writes no file), each allowed one is
done; timeline entries and attachments go by the area of the record they hang on;
search leaves out the kinds a role may not view instead of refusing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from crasme_desktop.domain.models import (
    Activity,
    Attachment,
    Consent,
    Organization,
    Person,
    PrivacyRequest,
    Restriction,
    RetentionRun,
    SavedView,
)
from crasme_desktop.domain.permissions import (
    BUILTIN_ROLE_IDS,
    BUILTIN_ROLES,
    Actor,
    Permission,
    PermissionDenied,
    builtin_permissions,
)
from crasme_desktop.domain.validation_records import (
    EmailDraft,
    OrganizationDraft,
    PersonDraft,
)
from crasme_desktop.services import (
    attachments,
    audit,
    contacts,
    duplicates,
    importing,
    lists,
    merge,
    permissions,
    privacy_consent,
    privacy_erase,
    privacy_export,
    privacy_notice,
    privacy_overview,
    privacy_requests,
    processing_record,
    retention,
    search,
    timeline,
    users,
)
from crasme_desktop.services.lists import ListSpec
from sqlalchemy import func, select
from tests.support.sentences import assert_one_sentence


def owner_of(vault) -> str:
    return next(u.id for u in users.list_users(vault)
                if u.role_id == BUILTIN_ROLE_IDS["owner"])


def sign_in(vault, role: str) -> None:
    """Act as a user of a built-in role (the vault's own Owner for "owner")."""
    user = users.get_user(vault, owner_of(vault)) if role == "owner" else users.add_user(
        vault, f"User {role}", BUILTIN_ROLE_IDS[role])
    permissions.act_as(vault, user.id)


def sign_in_custom(vault, name: str, granted: list[str]) -> None:
    vault.actor = None
    role = users.create_role(vault, name, granted)
    permissions.act_as(vault, users.add_user(vault, f"{name} user", role.id).id)


def as_owner(vault, work: Callable[[], object]) -> object:
    """Do `work` as the vault's Owner, then act as before again."""
    acting, vault.actor = vault.actor, None
    try:
        return work()
    finally:
        vault.actor = acting


def count(vault, model: type, *where: object) -> int:
    with vault.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(model).where(*where))


def exists(vault, model: type, record_id: str) -> bool:
    with vault.unit_of_work() as uow:
        return uow.session.get(model, record_id) is not None


# ------------------------------------------------------------------------ the matrix


@dataclass(frozen=True)
class Operation:
    """One service call, what it needs (in the order the service checks), and a look
    at what it would change (the same before and after a refusal)."""

    name: str
    needs: tuple[str, ...]
    call: Callable[[], object]
    state: Callable[[], object]


def _operations(vault, tmp_path: Path) -> list[Operation]:
    """One call per action, on records the Owner made; each returns something true
    when it was done."""

    def person(given: str, family: str = "L") -> str:
        return contacts.create_person(vault, PersonDraft(given_name=given,
                                                         family_name=family)).id

    def made() -> dict[str, str]:
        return {
            "ada": person("Ada"),
            "doomed": person("Del"),
            "quiet": person("Res"),
            "keep": person("Max", "Muster"),
            "twin": person("Max", "Muster"),
            "co_keep": contacts.create_organization(vault, OrganizationDraft(name="Bau")).id,
            "co_twin": contacts.create_organization(vault, OrganizationDraft(name="Bau")).id,
            "file": attachments.add_attachment(vault, filename="scan.txt", data=b"scan",
                                               person_id=person("Fil")).id,
        }

    ids = as_owner(vault, made)
    ada = ids["ada"]
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("Given Name,Family Name\nIda,Pfeiffer\n", encoding="utf-8")

    def erased() -> bool:
        privacy_erase.erase_person(vault, ids["doomed"], confirmation="Del L")
        return not exists(vault, Person, ids["doomed"])

    def imported() -> int:
        plan = importing.plan_import(vault, csv_file)
        return importing.commit_import(vault, plan).people_created

    def person_zip() -> Path:
        return tmp_path / "person.zip"

    def vault_zip() -> Path:
        return tmp_path / "vault.zip"

    def activity_months() -> int:
        return next(r.months for r in retention.retention_rules(vault) if r.key == "activity")

    return [
        Operation("erase.preview", ("erase",),
                  lambda: privacy_erase.erase_preview(vault, ids["doomed"]).confirm_text,
                  lambda: exists(vault, Person, ids["doomed"])),
        Operation("erase.person", ("erase",), erased,
                  lambda: exists(vault, Person, ids["doomed"])),
        Operation("export.person", ("export", "contacts.view"),
                  lambda: privacy_export.export_person(vault, ada, person_zip()).size,
                  lambda: person_zip().exists()),
        Operation("export.vault", privacy_export.WHOLE_VAULT,
                  lambda: privacy_export.export_vault(vault, vault_zip()).size,
                  lambda: vault_zip().exists()),
        Operation("privacy_requests.open", ("privacy_requests",),
                  lambda: privacy_requests.open_request(vault, "access", ada).id,
                  lambda: count(vault, PrivacyRequest)),
        Operation("privacy_requests.consent", ("privacy_requests",),
                  lambda: privacy_consent.record_consent(
                      vault, ada, "newsletter", True, source="phone call") is None,
                  lambda: count(vault, Consent)),
        Operation("privacy_requests.restrict", ("privacy_requests",),
                  lambda: privacy_consent.restrict(vault, ids["quiet"], "asked by phone")
                  is None,
                  lambda: count(vault, Restriction)),
        Operation("privacy_requests.record_of_processing", ("privacy_requests",),
                  lambda: processing_record.processing_record(vault).activities,
                  lambda: None),
        Operation("read.privacy_choices", ("contacts.view",),
                  lambda: privacy_consent.privacy_choices(vault, ada).person.person_id,
                  lambda: None),
        Operation("read.requests", ("contacts.view",),
                  lambda: privacy_requests.list_requests(vault) is not None,
                  lambda: None),
        Operation("read.what_we_hold", ("contacts.view",),
                  lambda: privacy_overview.what_we_hold(vault, ada).person_id,
                  lambda: None),
        Operation("read.notice", (),
                  lambda: privacy_notice.notice_display(vault).notice.version,
                  lambda: None),
        Operation("settings.retention_rule", ("settings",),
                  lambda: retention.set_retention_rule(vault, "activity", 12, True).months,
                  activity_months),
        Operation("settings.retention_preview", ("settings",),
                  lambda: retention.preview_retention(vault, record=True).run_id,
                  lambda: count(vault, RetentionRun)),
        Operation("timeline.person_note", ("contacts.edit",),
                  lambda: timeline.add_note(vault, "Called back", person_id=ada).id,
                  lambda: count(vault, Activity)),
        Operation("timeline.invoice_note", ("invoices.edit",),
                  lambda: timeline.add_note(vault, "Paid late", subject_kind="invoice",
                                            subject_id="inv-1").id,
                  lambda: count(vault, Activity)),
        Operation("timeline.read", ("contacts.view",),
                  lambda: timeline.person_timeline(vault, ada) is not None,
                  lambda: None),
        Operation("attachment.person", ("contacts.edit",),
                  lambda: attachments.add_attachment(vault, filename="a.txt", data=b"a",
                                                     person_id=ada).id,
                  lambda: count(vault, Attachment)),
        Operation("attachment.ticket_message", ("tickets.edit",),
                  lambda: attachments.add_attachment(
                      vault, filename="b.txt", data=b"b", subject_kind="ticket_message",
                      subject_id="msg-1").id,
                  lambda: count(vault, Attachment)),
        Operation("attachment.read", ("contacts.view",),
                  lambda: attachments.read_attachment(vault, ids["file"]).data,
                  lambda: None),
        Operation("merge.people", ("contacts.edit", "contacts.delete"),
                  lambda: merge.merge_people(vault, ids["keep"], ids["twin"]).merge_id,
                  lambda: (exists(vault, Person, ids["keep"]),
                           exists(vault, Person, ids["twin"]))),
        Operation("merge.companies", ("companies.edit", "companies.delete"),
                  lambda: merge.merge_organizations(vault, ids["co_keep"],
                                                    ids["co_twin"]).merge_id,
                  lambda: (exists(vault, Organization, ids["co_keep"]),
                           exists(vault, Organization, ids["co_twin"]))),
        Operation("duplicates.people", ("contacts.view",),
                  lambda: duplicates.duplicate_people(vault, ada) is not None,
                  lambda: None),
        Operation("import.people", ("contacts.view", "contacts.create"), imported,
                  lambda: count(vault, Person)),
        Operation("lists.read", ("contacts.view",),
                  lambda: len(lists.ordered_ids(vault, "person", ListSpec())),
                  lambda: None),
        Operation("lists.save_view", ("contacts.edit",),
                  lambda: lists.save_view(vault, "contacts", "Mine", ListSpec()).id,
                  lambda: count(vault, SavedView)),
    ]


_ADMIN_ONLY = ["erase.preview", "erase.person", "settings.retention_rule",
               "settings.retention_preview"]
_PRIVACY_WORK = ["export.person", "export.vault", "privacy_requests.open",
                 "privacy_requests.consent", "privacy_requests.restrict",
                 "privacy_requests.record_of_processing"]
_CHANGES = ["timeline.person_note", "timeline.invoice_note", "attachment.person",
            "attachment.ticket_message", "merge.people", "merge.companies",
            "import.people", "lists.save_view"]
EXPECTED_REFUSED = {
    "owner": [],
    "admin": [],
    "manager": _ADMIN_ONLY,
    "staff": [*_ADMIN_ONLY, *_PRIVACY_WORK, "merge.people", "merge.companies"],
    "read_only": [*_ADMIN_ONLY, *_PRIVACY_WORK, *_CHANGES],
}


@pytest.mark.parametrize("role", list(BUILTIN_ROLES))
def test_each_role_may_do_exactly_what_the_matrix_says_in_privacy_and_shared_services(
        vault, tmp_path, role):
    sign_in(vault, role)
    allowed = builtin_permissions(role)
    role_name = BUILTIN_ROLES[role][0]
    operations = _operations(vault, tmp_path)
    refused = []
    for op in operations:
        needs = [Permission.parse(p) for p in op.needs]
        missing = [p for p in needs if p not in allowed]
        before = op.state()
        if not missing:
            assert op.call(), op.name
            continue
        with pytest.raises(PermissionDenied) as caught:
            op.call()
        message = str(caught.value)
        assert message == f"Your role ({role_name}) does not allow {missing[0].describe()}.", \
            op.name
        assert_one_sentence(message)
        assert op.state() == before, f"{op.name} changed something although refused"
        refused.append(op.name)
    order = [op.name for op in operations]
    assert refused == sorted(EXPECTED_REFUSED[role], key=order.index)
    vault.actor = None
    assert audit.verify_chain(vault).ok


def test_a_refused_erase_erases_nothing_and_a_refused_export_writes_no_file(vault, tmp_path):
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L")).id
    out = tmp_path / "out"
    out.mkdir()
    sign_in(vault, "staff")
    with pytest.raises(PermissionDenied, match=r"^Your role \(Staff\) does not allow "
                                               r"erasing a person's data\.$"):
        privacy_erase.erase_person(vault, ada, confirmation="Ada L")
    with pytest.raises(PermissionDenied, match="exporting data"):
        privacy_export.export_person(vault, ada, out / "ada.zip")
    with pytest.raises(PermissionDenied, match="exporting data"):
        privacy_export.export_vault(vault, out / "all.zip")
    assert exists(vault, Person, ada)
    assert list(out.iterdir()) == []
    vault.actor = None
    actions = [e.action for e in audit.events_for_record(vault, "person", ada)]
    assert actions == ["person.create"]


def test_exports_erases_and_saved_files_are_audited_with_ids_only(vault, tmp_path):
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L")).id
    file_id = attachments.add_attachment(vault, filename="cv.txt", data=b"cv",
                                         person_id=ada).id
    sign_in(vault, "admin")
    privacy_export.export_person(vault, ada, tmp_path / "ada.zip")
    attachments.save_attachment(vault, file_id, tmp_path / "cv.txt")
    privacy_erase.erase_person(vault, ada, confirmation="Ada L")
    acting = vault.actor.user_id
    vault.actor = None
    events = audit.events_for_record(vault, "person", ada)
    mine = [(e.action, e.record_id) for e in events if e.user_id == acting]
    assert mine == [("person.erase", ada), ("person.privacy_export", ada)]
    saved = audit.events_for_record(vault, "attachment", file_id)
    assert [(e.action, e.user_id) for e in saved] == [
        ("attachment.save", acting), ("attachment.create", owner_of(vault))]
    assert audit.verify_chain(vault).ok


def test_erasing_everything_with_the_vault_open_needs_erase_and_backups(vault):
    sign_in(vault, "manager")
    with pytest.raises(PermissionDenied, match=r"^Your role \(Manager\) does not allow "
                                               r"erasing a person's data\.$"):
        privacy_erase.erase_everything(vault.path, confirmation="ERASE EVERYTHING",
                                       vault=vault)
    assert vault.path.exists()
    assert not vault.closed


def test_the_daily_retention_run_applies_the_rules_whoever_is_signed_in(vault):
    sign_in(vault, "staff")
    with pytest.raises(PermissionDenied, match="changing settings"):
        retention.apply_retention(vault)
    assert count(vault, RetentionRun) == 0
    plan = retention.run_retention_if_due(vault)
    assert plan is not None and not plan.dry_run
    assert count(vault, RetentionRun) == 1
    assert [r.key for r in retention.retention_rules(vault)] == list(retention.RULE_KEYS)


def test_the_notice_is_read_and_acknowledged_by_any_role(vault):
    sign_in_custom(vault, "Bookkeeper", ["invoices.view"])
    shown = privacy_notice.notice_display(vault)
    assert shown.notice.version == privacy_notice.NOTICE_VERSION
    privacy_notice.acknowledge(vault)
    assert not privacy_notice.needs_acknowledgement(vault)


# --------------------------------------------- timeline and attachments by their record


def test_timeline_entries_and_files_go_by_the_area_of_their_record(vault):
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L")).id
    on_person = attachments.add_attachment(vault, filename="p.txt", data=b"p",
                                           person_id=ada).id
    note = timeline.add_note(vault, "About her", person_id=ada).id
    sign_in_custom(vault, "Helpdesk", ["tickets.view", "tickets.edit"])

    entry = timeline.add_note(vault, "Customer called", subject_kind="ticket",
                              subject_id="t-1")
    assert [e.id for e in timeline.subject_timeline(vault, "ticket", "t-1")] == [entry.id]
    timeline.update_entry(vault, entry.id, body="Customer called twice")
    sent = attachments.add_attachment(vault, filename="log.txt", data=b"log",
                                      subject_kind="ticket_message", subject_id="m-1")
    assert [a.id for a in attachments.list_attachments(
        vault, subject_kind="ticket_message", subject_id="m-1")] == [sent.id]
    assert attachments.read_attachment(vault, sent.id).data == b"log"

    people = "Your role (Helpdesk) does not allow {} people."
    refusals = [
        (lambda: timeline.add_note(vault, "Hi", person_id=ada), "editing"),
        (lambda: timeline.update_entry(vault, note, body="changed"), "editing"),
        (lambda: timeline.delete_entry(vault, note), "editing"),
        (lambda: timeline.person_timeline(vault, ada), "viewing"),
        (lambda: timeline.get_entry(vault, note), "viewing"),
        (lambda: attachments.add_attachment(vault, filename="x.txt", data=b"x",
                                            person_id=ada), "editing"),
        (lambda: attachments.read_attachment(vault, on_person), "viewing"),
        (lambda: attachments.list_attachments(vault, person_id=ada), "viewing"),
        (lambda: attachments.delete_attachment(vault, on_person), "editing"),
    ]
    for attempt, doing in refusals:
        with pytest.raises(PermissionDenied) as caught:
            attempt()
        assert str(caught.value) == people.format(doing)
    with pytest.raises(PermissionDenied, match=r"does not allow editing invoices\.$"):
        timeline.add_note(vault, "Paid", subject_kind="invoice", subject_id="i-1")
    vault.actor = None
    assert exists(vault, Attachment, on_person)
    assert timeline.get_entry(vault, note).body == "About her"


def test_a_timeline_and_a_file_list_leave_out_areas_the_role_may_not_see(vault):
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L")).id
    own = timeline.add_note(vault, "Met at the fair", person_id=ada).id
    invoice = timeline.add_note(vault, "Invoice sent", person_id=ada,
                                subject_kind="invoice", subject_id="i-1").id
    task = timeline.add_task(vault, "Send the invoice", person_id=ada,
                             subject_kind="invoice", subject_id="i-1",
                             due_at=vault.clock.now()).id
    cv = attachments.add_attachment(vault, filename="cv.txt", data=b"cv", person_id=ada).id
    bill = attachments.add_attachment(vault, filename="bill.txt", data=b"b", person_id=ada,
                                      subject_kind="invoice", subject_id="i-1").id
    assert {e.id for e in timeline.person_timeline(vault, ada)} == {own, invoice, task}
    assert [t.id for t in timeline.due_tasks(vault)] == [task]
    assert {a.id for a in attachments.list_attachments(vault, person_id=ada)} == {cv, bill}

    sign_in_custom(vault, "Front desk", ["contacts.view", "contacts.edit"])
    assert [e.id for e in timeline.person_timeline(vault, ada)] == [own]
    assert timeline.due_tasks(vault) == []
    assert [a.id for a in attachments.list_attachments(vault, person_id=ada)] == [cv]
    with pytest.raises(PermissionDenied, match=r"does not allow viewing invoices\.$"):
        timeline.subject_timeline(vault, "invoice", "i-1")
    with pytest.raises(PermissionDenied, match=r"does not allow editing invoices\.$"):
        timeline.complete_task(vault, task)


# ----------------------------------------------------------------------------- search


def test_search_finds_only_the_kinds_the_role_may_view(vault):
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="Lovelace"))
    company = contacts.create_organization(vault, OrganizationDraft(name="Ada Analytics"))
    found = search.search(vault, "Ada")
    assert {(h.kind, h.id) for h in found.hits} == {("person", ada.id),
                                                   ("organization", company.id)}

    sign_in(vault, "read_only")
    read_only = search.search(vault, "Ada")
    assert [h.id for h in read_only.hits if h.kind == "person"] == [ada.id]

    sign_in_custom(vault, "Bookkeeper", ["invoices.view"])
    books = search.search(vault, "Ada")
    assert books.empty and books.groups == ()
    assert search.search(vault, "Ada", kinds=("person",)).empty
    with pytest.raises(PermissionDenied, match=r"\(Bookkeeper\) does not allow viewing "
                                               r"people\.$"):
        privacy_overview.find_people(vault, "Ada")

    sign_in_custom(vault, "Company desk", ["companies.view"])
    assert [h.kind for h in search.search(vault, "Ada").hits] == ["organization"]


def test_a_search_kind_without_a_known_area_is_searched_only_by_a_role_seeing_all():
    kind = search.SearchKind("gadget", "Gadgets", lambda raw, ids: {})
    everything = permissions.NOBODY_OWNER
    reader = Actor("u", "Reader", frozenset({Permission("contacts", "view")}))
    assert search.viewable(everything, kind)
    assert not search.viewable(reader, kind)
    assert search.viewable(reader, search.SearchKind("x", "X", kind.describe, area="contacts"))


def test_the_request_register_is_read_with_contacts_view_and_counted_for_anyone(vault):
    ada = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L")).id
    privacy_requests.open_request(vault, "access", ada)
    late = privacy_requests.due_summary(vault, privacy_requests.due_date(
        vault.clock.now().date()) + timedelta(days=1))
    assert late.late == 1

    sign_in(vault, "read_only")
    assert [r.person_id for r in privacy_requests.list_requests(vault)] == [ada]
    with pytest.raises(PermissionDenied, match="handling privacy requests"):
        privacy_requests.set_status(vault, privacy_requests.list_requests(vault)[0].id,
                                    "in_progress")

    sign_in_custom(vault, "Bookkeeper", ["invoices.view"])
    with pytest.raises(PermissionDenied, match=r"does not allow viewing people\.$"):
        privacy_requests.list_requests(vault)
    hidden = privacy_requests.due_summary(vault, privacy_requests.due_date(
        vault.clock.now().date()) + timedelta(days=1))
    assert (hidden.late, hidden.due_soon) == (0, 0)


def test_an_import_that_adds_companies_or_changes_people_needs_those_permissions(
        vault, tmp_path):
    ida = contacts.create_person(vault, PersonDraft(
        given_name="Ida", family_name="Pfeiffer", emails=(EmailDraft("ida@example.com"),))).id
    with_company = tmp_path / "with_company.csv"
    with_company.write_text("Given Name,Family Name,Company\nOle,Hansen,Hansen ApS\n",
                            encoding="utf-8")
    richer = tmp_path / "richer.csv"
    richer.write_text("First Name,Last Name,Email,Job Title\nIda,Pfeiffer,ida@example.com,"
                      "Buyer\n", encoding="utf-8")
    plan = importing.plan_import(vault, with_company)  # the Owner's plan
    assert (plan.people_created, plan.organizations_created) == (1, 1)
    people, companies = count(vault, Person), count(vault, Organization)

    sign_in_custom(vault, "Typist", ["contacts.view", "contacts.create"])
    with pytest.raises(PermissionDenied, match=r"\(Typist\) does not allow creating "
                                               r"companies\.$"):
        importing.plan_import(vault, with_company)
    with pytest.raises(PermissionDenied, match="creating companies"):
        importing.commit_import(vault, plan)
    with pytest.raises(PermissionDenied, match=r"does not allow editing people\.$"):
        importing.plan_import(vault, richer)
    assert (count(vault, Person), count(vault, Organization)) == (people, companies)
    vault.actor = None
    assert importing.plan_import(vault, richer).people_merged == 1
    assert contacts.get_person(vault, ida).job_title == ""
