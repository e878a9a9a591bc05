"""Fixtures for the schedule's tests (a pytest plugin: `pytest_plugins =
("tests.support.schedule_fixtures",)`): `office_vault`, a vault in the Europe/Berlin office
zone with a fake clock (Thursday 10 December 2026, 10:00) and the business's settings
(EUR, en_GB); a customer company with a billing and a work address; a customer person
with a phone and a home address; two staff members (Maria Rossi works Monday to Friday
08:00-17:00, Tomasz Nowak Tuesday to Saturday 07:00-15:00).

The other fixtures ask for `vault`: a test module defines it as `office_vault` (the
`vault` of tests/integration/conftest.py would win over a plugin's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.validation_records import AddressDraft, PhoneDraft
from crasme_desktop.services import business, contacts, office_time, staff
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.services.staff import StaffDraft
from tests.support.schedule_data import SELLER, START, ZONE


@pytest.fixture
def office_vault(created: Any, keychain: Any) -> Iterator[Any]:
    from crasme_desktop.vault import open_vault

    with open_vault(created.path, keychain=keychain, clock=FakeClock(START)) as opened:
        office_time.set_office_zone(opened, ZONE)
        business.save_business(opened, SELLER)
        yield opened


@pytest.fixture
def company(vault: Any) -> Any:
    return contacts.create_organization(vault, OrganizationDraft(
        "Kühnemann Bau", addresses=(
            AddressDraft(kind="billing", street="Postfach 12", postal_code="10001",
                         city="Berlin", country_code="DE"),
            AddressDraft(kind="work", street="Friedrichstraße 123", postal_code="10117",
                         city="Berlin", country_code="DE"),
        )))


@pytest.fixture
def ada(vault: Any, company: Any) -> Any:
    return contacts.create_person(vault, PersonDraft(
        given_name="Ada", family_name="Lovelace", organization_id=company.id,
        phones=(PhoneDraft("+49 30 9876543", primary=True),),
        addresses=(AddressDraft(kind="home", street="Gartenweg 5", postal_code="14467",
                                city="Potsdam", country_code="DE"),)))


@pytest.fixture
def maria(vault: Any) -> Any:
    return staff.create_staff(vault, StaffDraft("Maria Rossi", colour="#3b82f6"))


@pytest.fixture
def tomasz(vault: Any) -> Any:
    return staff.create_staff(vault, StaffDraft("Tomasz Nowak", work_days="0111110",
                                                day_start="07:00", day_end="15:00"))
