"""The cheap schema-version check on open must agree with the migration scripts."""

from crasme_desktop.vault import migrate


def test_schema_head_constant_is_the_newest_migration():
    assert migrate.script_head() == migrate.SCHEMA_HEAD


def test_every_migration_is_known_and_unknown_ones_are_not():
    assert migrate.is_known_revision(migrate.SCHEMA_HEAD)
    assert migrate.is_known_revision(None)
    assert not migrate.is_known_revision("9999")
