"""Whatever is typed into the search box, search answers and never raises."""

from __future__ import annotations

import pytest
from crasme_desktop.services import contacts, search
from crasme_desktop.services.contacts import EmailDraft, PersonDraft, PhoneDraft
from crasme_desktop.vault import open_vault
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

#: Text heavy in what FTS5 would read as syntax, mixed with any Unicode at all.
SYNTAX = st.sampled_from(['"', "*", "-", ":", "^", "(", ")", "{", "}", "+", "AND", "OR",
                          "NOT", "NEAR", " ", "\\", "'", ",", ".", "@", "0", "9"])
TYPED = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(SYNTAX, st.text(max_size=4)), max_size=20).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=100, max_size=400),
)


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain) as opened:
        contacts.create_person(opened, PersonDraft(
            given_name="Jonas", family_name="Kühnemann",
            emails=(EmailDraft("jonas@example.de"),), phones=(PhoneDraft("+49 30 1234567"),)))
        yield opened


@settings(max_examples=300,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED)
@example(typed='"\x00"')
@example(typed="\ud800")
@example(typed='NEAR("a" "b", 2)')
@example(typed="{name other}: jo*")
def test_search_never_raises(vault, typed):
    results = search.search(vault, typed, limit=5)
    assert all(h.kind in ("person", "organization") for h in results.hits)


@settings(max_examples=500)
@given(typed=TYPED)
def test_every_plan_quotes_all_user_text(typed):
    plan = search.plan_query(typed)
    if plan is None:
        return
    for _table, match in plan.tiers:
        # Outside quoted strings only our own operators and column filters remain.
        outside = "".join(part for i, part in enumerate(match.split('"')) if i % 2 == 0)
        leftover = outside.replace("AND", "").replace("name :", "").replace("other :", "")
        assert set(leftover) <= set(" *()"), match
