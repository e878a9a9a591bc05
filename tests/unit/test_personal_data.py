"""The personal-data map tags every table and column of the schema, and nothing else."""

from __future__ import annotations

from crasme_desktop.domain import models, personal_data
from crasme_desktop.domain.personal_data import (
    CATEGORIES,
    PERSONAL,
    PURPOSES,
    RETENTION,
    personal_columns,
    staff_columns,
    untagged,
)


def schema_columns() -> dict[str, frozenset[str]]:
    return {name: frozenset(c.name for c in table.columns)
            for name, table in models.Base.metadata.tables.items()}


def test_every_table_and_column_of_the_schema_is_tagged():
    assert untagged(schema_columns()) == []


def test_the_map_names_no_table_the_schema_lacks():
    assert sorted(set(PERSONAL) - set(schema_columns())) == []


def test_a_new_column_or_table_is_reported():
    tables = schema_columns()
    tables["person"] = tables["person"] | {"birthday"}
    tables["loyalty_card"] = frozenset({"id", "number"})
    assert untagged(tables) == ["loyalty_card", "person.birthday"]
    tables = schema_columns()
    tables["person"] = tables["person"] - {"notes"}
    assert untagged(tables) == ["person.notes (no such column)"]


def test_tags_use_known_categories_purposes_and_rules():
    for name, tag in PERSONAL.items():
        assert tag.purpose in PURPOSES, name
        assert tag.retention in RETENTION, name
        assert set(tag.personal.values()) <= set(CATEGORIES), name
        assert tag.subject in ("", "self") or tag.subject in tag.columns, name


def test_people_hold_names_and_contact_details_and_owners_are_staff():
    assert "given_name" in personal_columns("person")
    assert personal_columns("person_email") == ("address", "address_key")
    assert staff_columns("activity") == ("owner",)
    assert staff_columns("person") == ("owner",)
    assert personal_columns("tax_rate") == ()
    assert personal_data.category_of("invoice", "billing_name") == "identity"
