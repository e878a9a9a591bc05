"""Sample data: realistic, valid by our own rules, deterministic, all or nothing."""

from __future__ import annotations

import unicodedata

import phonenumbers
import pytest
from crasme_desktop.domain.errors import Cancelled
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.validation import default_display_name, normalize_email, sort_key
from crasme_desktop.services import attachments, contacts, demo, timeline
from crasme_desktop.vault import open_vault
from sqlalchemy import text


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        yield opened


def rows(vault, sql: str) -> list[tuple]:
    with vault.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_demo_people_pass_our_own_validation(vault):
    result = demo.fill_demo(vault, contacts=600, seed=3)

    assert (result.people, result.organizations) == (600, 75)
    assert result.activities == rows(vault, "SELECT count(*) FROM activity")[0][0] > 300
    for number, in rows(vault, "SELECT number FROM person_phone"):
        parsed = phonenumbers.parse(number, None)
        assert phonenumbers.is_possible_number(parsed), number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    for address, key in rows(vault, "SELECT address, address_key FROM person_email"):
        assert normalize_email(address).key == key
    for given, family, display, key in rows(
        vault, "SELECT given_name, family_name, display_name, sort_key FROM person"
    ):
        assert display == default_display_name(given, family) and key == sort_key(display)
    for name, key in rows(vault, "SELECT name, sort_key FROM organization"):
        assert key == sort_key(name)
    assert rows(vault, "SELECT count(*) FROM person WHERE sort_key = ''") == [(0,)]


def test_every_person_has_exactly_one_primary_email_and_phone(vault):
    demo.fill_demo(vault, contacts=300)
    for table in ("person_email", "person_phone"):
        assert rows(vault, f"SELECT count(*) FROM person p WHERE (SELECT count(*) FROM {table}"
                           " c WHERE c.person_id = p.id AND c.is_primary) != 1") == [(0,)]


def test_names_come_from_several_scripts_and_countries(vault):
    demo.fill_demo(vault, contacts=2000)
    names = [r[0] for r in rows(vault, "SELECT display_name FROM person")]
    scripts = {unicodedata.name(c).split()[0] for n in names for c in n if c.isalpha()}
    assert {"LATIN", "GREEK", "CYRILLIC", "CJK", "HANGUL"} <= scripts
    countries = {r[0] for r in rows(vault, "SELECT DISTINCT country_code FROM postal_address")}
    assert len(countries) >= 10


def test_demo_records_read_back_through_the_services(vault):
    demo.fill_demo(vault, contacts=400)
    tagged_id = rows(vault, "SELECT person_id FROM person_tag LIMIT 1")[0][0]
    person = contacts.get_person(vault, tagged_id)
    assert person.tags and person.emails[0].primary and person.source
    org_id = rows(vault, "SELECT organization_id FROM person WHERE organization_id IS NOT NULL"
                         " LIMIT 1")[0][0]
    org = contacts.get_organization(vault, org_id)
    assert org.people_count >= 1 and org.addresses
    busy = rows(vault, "SELECT person_id FROM activity WHERE person_id IS NOT NULL"
                       " GROUP BY person_id ORDER BY count(*) DESC LIMIT 1")[0][0]
    entries = timeline.person_timeline(vault, busy)
    assert len(entries) >= 2
    assert [e.occurred_at for e in entries] == sorted((e.occurred_at for e in entries),
                                                      reverse=True)
    kinds = {r[0] for r in rows(vault, "SELECT DISTINCT kind FROM activity")}
    assert kinds == {"note", "call", "meeting", "email", "task"}


def test_some_entries_carry_an_attached_file(vault):
    demo.fill_demo(vault, contacts=3000)
    attached = rows(vault, "SELECT id, activity_id FROM attachment")
    assert attached, "about 2% of notes and meetings get a file"
    got = attachments.read_attachment(vault, attached[0][0])
    assert b"Measurements" in got.data and got.info.media_type == "text/plain"


def test_same_seed_same_people(created, keychain, tmp_path):
    from crasme_desktop.vault import create_vault

    other = create_vault(tmp_path / "other.crasme", passphrase=None, keychain=keychain)
    names = []
    for path in (created.path, other.path):
        with open_vault(path, keychain=keychain) as vault:
            demo.fill_demo(vault, contacts=100, seed=11)
            names.append(rows(vault, "SELECT given_name, family_name, job_title FROM person"
                                     " ORDER BY created_at, given_name, family_name"))
    assert names[0] == names[1]


def test_a_cancelled_fill_leaves_nothing(vault):
    usual_cache = rows(vault, "PRAGMA cache_size")
    progress = Progress(lambda done, total, _text: progress.cancel() if done >= 2000 else None)
    with pytest.raises(Cancelled):
        demo.fill_demo(vault, contacts=5000, progress=progress)
    for table in ("person", "organization", "person_email", "activity", "tag"):
        assert rows(vault, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert rows(vault, "PRAGMA cache_size") == usual_cache  # the big fill cache is undone


def test_every_phone_pattern_makes_possible_numbers_of_its_country():
    import random

    rng = random.Random(5)
    for country in demo.COUNTRIES:
        for pattern in country.phones:
            for _ in range(30):
                number = "".join(str(rng.randrange(10)) if c == "#" else c for c in pattern)
                parsed = phonenumbers.parse(number, None)
                assert phonenumbers.is_possible_number(parsed), number
                assert parsed.country_code == phonenumbers.country_code_for_region(
                    country.code), number
