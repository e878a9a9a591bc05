"""The sidebar's list of pages says what the page classes say about themselves."""

from __future__ import annotations

import pytest
from crasme_desktop.ui.main_window import PAGES


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: e.key)
def test_each_entry_names_its_page_class_truly(entry):
    page_class = entry.load()
    assert (page_class.key, page_class.title, page_class.icon_name) == (
        entry.key, entry.title, entry.icon_name)


def test_keys_are_unique():
    keys = [entry.key for entry in PAGES]
    assert len(keys) == len(set(keys))
