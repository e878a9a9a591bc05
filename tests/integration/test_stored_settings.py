"""Settings records kept as JSON in the vault read back field by field: a value of the
wrong type, an unknown key, or a damaged value falls back to the defaults."""

from __future__ import annotations

from dataclasses import dataclass

from crasme_desktop.domain.models import Setting
from crasme_desktop.services import stored


@dataclass(frozen=True)
class Example:
    host: str = ""
    port: int = 993
    mark_seen: bool = True


def read(vault, text):
    with vault.unit_of_work() as uow:
        uow.session.merge(Setting(key="example", value=text))
    with vault.unit_of_work() as uow:
        return stored.read_record(uow.session, "example", Example)


def test_fields_of_the_right_type_are_kept_and_the_rest_take_defaults(vault):
    assert read(vault, '{"host": "imap.example.org", "port": "143", "other": 1}') == \
        Example(host="imap.example.org")
    assert read(vault, '{"port": 143, "mark_seen": false}') == Example(port=143, mark_seen=False)


def test_nothing_stored_or_a_damaged_value_gives_the_defaults(vault):
    with vault.unit_of_work() as uow:
        assert stored.read_record(uow.session, "missing", Example) == Example()
    assert read(vault, "{not json") == Example()
    assert read(vault, '["a", "list"]') == Example()
