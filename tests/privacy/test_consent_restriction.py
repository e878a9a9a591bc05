"""Consent per purpose (opt-in, kept as history) and restriction of processing,
enforced by the services themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import AuditEvent, Consent
from crasme_desktop.services import (
    attachments,
    contacts,
    contacts_export,
    mailing,
    privacy_consent,
    privacy_notice,
    timeline,
)
from crasme_desktop.services.contacts import EmailDraft, OrganizationDraft, PersonDraft
from crasme_desktop.services.privacy_consent import PersonRestricted
from sqlalchemy import select

RESTRICTED = "is restricted and cannot be"
LIFT = "lift the restriction on the Privacy page first."


@pytest.fixture
def ann(vault):
    return contacts.create_person(vault, PersonDraft(
        given_name="Ann", family_name="Example", notes="first note",
        emails=(EmailDraft("ann@example.org"),)))


def audit_actions(vault, person_id):
    with vault.unit_of_work() as uow:
        return [a for a, in uow.session.execute(
            select(AuditEvent.action).where(AuditEvent.record_id == person_id)
            .order_by(AuditEvent.at, AuditEvent.id))]


# -- consent -----------------------------------------------------------------------------
@pytest.mark.promise("opt-out")
def test_nobody_is_contacted_without_a_newest_yes(vault, ann, clock):
    def may(purpose):
        with vault.unit_of_work() as uow:
            return privacy_consent.may_contact(uow.session, ann.id, purpose)

    assert privacy_consent.current_consents(vault, ann.id) == {
        "marketing_email": False, "sms": False, "newsletter": False}
    assert not may("newsletter")  # opt-in: no row is no
    privacy_consent.record_consent(vault, ann.id, "newsletter", True, source="web form")
    assert may("newsletter") and not may("sms") and not may("marketing_email")
    clock.advance(60)
    privacy_consent.record_consent(vault, ann.id, "newsletter", False, source="phone call")
    assert not may("newsletter")  # withdrawal counts at once
    clock.advance(60)
    privacy_consent.record_consent(vault, ann.id, "sms", True, source="signed form")
    assert may("sms")
    privacy_consent.restrict(vault, ann.id, "Disputes the accuracy of her data")
    assert not may("sms")  # a restricted person is never contacted


@pytest.mark.promise("consent-history")
def test_every_choice_is_kept_with_time_source_and_notice_version(vault, ann, clock):
    first = clock.now()
    privacy_consent.record_consent(vault, ann.id, "marketing_email", True, source="web form")
    clock.advance(3600)
    privacy_consent.record_consent(vault, ann.id, "marketing_email", False,
                                   source="email of 3 March")
    history = privacy_consent.consent_history(vault, ann.id)
    assert [(c.purpose, c.granted, c.source) for c in history] == [
        ("marketing_email", False, "email of 3 March"),
        ("marketing_email", True, "web form"),
    ]
    assert history[1].at == first and history[0].at == first + timedelta(hours=1)
    assert {c.notice_version for c in history} == {privacy_notice.NOTICE_VERSION}
    with vault.unit_of_work() as uow:  # rows are added, never changed
        assert uow.session.scalar(select(Consent.id).where(Consent.granted.is_(True)))
    actions = audit_actions(vault, ann.id)
    assert "consent.grant:marketing_email" in actions
    assert "consent.withdraw:marketing_email" in actions


def test_a_choice_needs_its_source_and_a_known_purpose(vault, ann):
    with pytest.raises(UserError, match="where this choice came from"):
        privacy_consent.record_consent(vault, ann.id, "sms", True, source="  ")
    with pytest.raises(ValueError):
        privacy_consent.record_consent(vault, ann.id, "telepathy", True, source="x")
    assert privacy_consent.consent_history(vault, ann.id) == []


# -- restriction ---------------------------------------------------------------------------
@pytest.mark.promise("restriction")
def test_a_restricted_person_can_be_read_but_not_changed(vault, ann, tmp_path):
    company = contacts.create_organization(vault, OrganizationDraft("Example Ltd"))
    entry = timeline.add_note(vault, "before the restriction", person_id=ann.id)
    privacy_consent.restrict(vault, ann.id, "Asked us to stop using her data")
    assert contacts.get_person(vault, ann.id).notes == "first note"  # reading works

    attempts = {
        "update": lambda: contacts.update_person(vault, ann.id, PersonDraft(given_name="X")),
        "save": lambda: contacts.save_person(vault, ann.id, PersonDraft(given_name="X")),
        "link": lambda: contacts.link_person_to_organization(vault, ann.id, company.id),
        "tag": lambda: contacts.add_tags(vault, "person", ann.id, ["vip"]),
        "untag": lambda: contacts.remove_tags(vault, "person", ann.id, ["vip"]),
        "delete": lambda: contacts.delete_person(vault, ann.id),
        "note": lambda: timeline.add_note(vault, "more", person_id=ann.id),
        "edit note": lambda: timeline.update_entry(vault, entry.id, body="changed"),
        "delete note": lambda: timeline.delete_entry(vault, entry.id),
        "attach": lambda: attachments.add_attachment(
            vault, filename="a.txt", data=b"x", person_id=ann.id),
        "attach to note": lambda: attachments.add_attachment(
            vault, filename="a.txt", data=b"x", activity_id=entry.id),
    }
    for what, attempt in attempts.items():
        with pytest.raises(PersonRestricted) as refused:
            attempt()
        assert RESTRICTED in refused.value.message and LIFT in refused.value.message, what
    record = contacts.get_person(vault, ann.id)
    assert (record.given_name, record.organization_id, record.tags) == ("Ann", None, ())
    assert len(timeline.person_timeline(vault, ann.id)) == 1

    privacy_consent.lift_restriction(vault, ann.id, "She confirmed the corrected address")
    contacts.update_person(vault, ann.id, PersonDraft(given_name="Anne"))
    assert contacts.get_person(vault, ann.id).given_name == "Anne"
    history = privacy_consent.restriction_history(vault, ann.id)
    assert [(r.start_reason, r.lift_reason) for r in history] == [
        ("Asked us to stop using her data", "She confirmed the corrected address")]
    actions = audit_actions(vault, ann.id)
    assert actions.index("person.restrict") < actions.index("person.unrestrict")


@pytest.mark.promise("restriction")
def test_a_restriction_starts_and_ends_only_with_a_reason(vault, ann):
    with pytest.raises(UserError, match="Give a reason"):
        privacy_consent.restrict(vault, ann.id, "   ")
    privacy_consent.restrict(vault, ann.id, "objection")
    with pytest.raises(UserError, match="already restricted"):
        privacy_consent.restrict(vault, ann.id, "again")
    with pytest.raises(UserError, match="Give a reason"):
        privacy_consent.lift_restriction(vault, ann.id, "")
    with vault.unit_of_work() as uow:
        assert privacy_consent.is_restricted(uow.session, ann.id)
    privacy_consent.lift_restriction(vault, ann.id, "resolved")
    with pytest.raises(UserError, match="is not restricted"):
        privacy_consent.lift_restriction(vault, ann.id, "resolved")


@pytest.mark.promise("restriction")
def test_restricted_people_are_left_out_of_list_exports_and_counted(vault, ann, tmp_path):
    bob = contacts.create_person(vault, PersonDraft(given_name="Bob", family_name="Other"))
    privacy_consent.restrict(vault, ann.id, "objection")
    out = tmp_path / "people.csv"
    outcome = contacts_export.export_people(vault, [ann.id, bob.id], out)
    assert (outcome.count, outcome.left_out) == (1, 1)
    text = out.read_text(encoding="utf-8")
    assert "Bob" in text and "Ann" not in text and "ann@example.org" not in text
    vcf = contacts_export.export_people(vault, [ann.id, bob.id], tmp_path / "p.vcf", "vcard")
    assert vcf.left_out == 1 and "Ann" not in (tmp_path / "p.vcf").read_text(encoding="utf-8")


@pytest.mark.promise("restriction")
def test_a_restricted_person_is_not_emailed(vault, ann):
    from tests.support.smtp_server import running_smtp_server

    privacy_consent.restrict(vault, ann.id, "objection")
    with running_smtp_server("none") as server:
        mailing.save_mail_settings(vault, mailing.MailSettings(
            host=server.host, port=server.port, security="none",
            from_address="office@example.org"))
        with pytest.raises(PersonRestricted, match=RESTRICTED):
            mailing.send_message(vault, "other@example.org, Ann@Example.org", "Hello", "Hi")
        assert server.messages == []
        with vault.unit_of_work() as uow:  # her addresses are not offered either
            assert mailing.customer_addresses(uow.session, ann.id, None) == ()
        privacy_consent.lift_restriction(vault, ann.id, "resolved")
        mailing.send_message(vault, "ann@example.org", "Hello", "Hi")
        assert len(server.messages) == 1
