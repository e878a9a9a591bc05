"""The company pane on a real vault: its card, its people as links, its timeline."""

from __future__ import annotations

import pytest
from crasme_desktop.services import contacts, timeline
from crasme_desktop.services.contacts import AddressDraft, OrganizationDraft, PersonDraft
from crasme_desktop.ui.company_detail import CompanyDetail
from tests.support.clicks import click

pytest_plugins = ("tests.support.records",)  # the `vault` and `runner` fixtures

WAIT = 20_000


@pytest.fixture
def office(vault):
    org = contacts.create_organization(vault, OrganizationDraft(
        "Kühnemann Bau GmbH", tax_id="DE123456789", website="kuehnemann-bau.example",
        addresses=(AddressDraft("work", "Hauptstraße 5", "10115", "Berlin", "", "DE"),),
        tags=("supplier",), owner="Grace", notes="Builds roofs.",
    ))
    jonas = contacts.create_person(vault, PersonDraft("Jonas", "Weber", job_title="Foreman",
                                                      organization_id=org.id))
    mia = contacts.create_person(vault, PersonDraft("Mia", "Albers", organization_id=org.id))
    return org, jonas, mia


@pytest.fixture
def detail(qtbot, runner):
    pane = CompanyDetail(runner)
    qtbot.addWidget(pane)
    pane.resize(620, 1100)
    pane.show()
    return pane


def shown(qtbot, pane, record_id):
    qtbot.waitUntil(lambda: pane.record is not None and pane.record.id == record_id
                    and not pane.loading, timeout=WAIT)


def test_the_card_shows_the_company_and_its_people(qtbot, detail, vault, office):
    org, _jonas, _mia = office
    detail.show_record(vault, org.id)
    shown(qtbot, detail, org.id)

    assert detail.name.text() == "Kühnemann Bau GmbH"
    assert 'href="https://kuehnemann-bau.example"' in detail.website.text()
    assert ">kuehnemann-bau.example<" in detail.website.text()
    assert detail.tax_id.text() == "DE123456789"
    assert "Hauptstraße 5" in detail.addresses.text() and "Germany" in detail.addresses.text()
    assert detail.tags.tags == ("supplier",)
    assert detail.owner.text() == "Grace" and detail.notes.text() == "Builds roofs."
    # In name order (as shown), each a link.
    assert [b.text() for b in detail.person_links()] == ["Jonas Weber", "Mia Albers"]
    assert not detail.people_count.isVisible()


def test_a_person_link_opens_that_person(qtbot, detail, vault, office):
    org, jonas, _mia = office
    detail.show_record(vault, org.id)
    shown(qtbot, detail, org.id)
    link = next(b for b in detail.person_links() if b.text() == "Jonas Weber")
    with qtbot.waitSignal(detail.open_record, timeout=WAIT) as opened:
        click(qtbot, link)
    assert opened.args == ["person", jonas.id]


def test_the_timeline_holds_the_company_and_its_people(qtbot, detail, vault, office):
    org, jonas, _mia = office
    timeline.add_call(vault, "Asked for a quote", person_id=jonas.id)
    detail.show_record(vault, org.id)
    shown(qtbot, detail, org.id)
    panel = detail.timeline
    qtbot.waitUntil(lambda: len(panel.entry_rows()) == 1, timeout=WAIT)
    assert "With Jonas Weber" in panel.entry_rows()[0].details.text()

    panel.quick_add.set_kind("meeting")
    panel.quick_add.subject.setText("Site visit")
    click(qtbot, panel.quick_add.add_button)
    qtbot.waitUntil(lambda: len(panel.entry_rows()) == 2, timeout=WAIT)
    stored = timeline.organization_timeline(vault, org.id, include_people=False)
    assert [(e.kind, e.subject) for e in stored] == [("meeting", "Site visit")]


def test_a_company_without_people_says_so(qtbot, detail, vault):
    org = contacts.create_organization(vault, OrganizationDraft("Empty Ltd"))
    detail.show_record(vault, org.id)
    shown(qtbot, detail, org.id)
    assert detail.person_links() == []
    assert detail.people_count.text() == "Nobody is linked to this company yet."
    assert detail.nothing.isVisible() and not detail.website.isVisible()


def test_clear_forgets_the_company(qtbot, detail, vault, office):
    org, _jonas, _mia = office
    detail.show_record(vault, org.id)
    shown(qtbot, detail, org.id)
    detail.clear()
    assert detail.record is None and detail.name.text() == ""
    assert detail.person_links() == [] or all(not b.isVisible() for b in detail.person_links())
    assert detail.stack.currentWidget() is detail.placeholder
