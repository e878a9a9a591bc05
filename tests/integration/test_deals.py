"""Deals on a real SQCipher vault: pipelines and stages, moves on the board, won and lost,
the forecast per currency, a quote from a deal, search, the list read by key, and bad
input refused with one clear sentence."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D  # noqa: N817 - short amounts

import pytest
from crasme_desktop.domain.clock import FakeClock
from crasme_desktop.domain.errors import UserError
from crasme_desktop.services import (
    contacts,
    deals,
    privacy_consent,
    privacy_erase,
    quotes,
    search,
    timeline,
)
from crasme_desktop.services.contacts import OrganizationDraft, PersonDraft
from crasme_desktop.services.deals import DealDraft, DealFilter
from crasme_desktop.vault import open_vault
from sqlalchemy import text
from tests.support.sentences import assert_one_sentence

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


@pytest.fixture
def vault(created, keychain):
    with open_vault(created.path, keychain=keychain, clock=FakeClock(START)) as opened:
        yield opened


@pytest.fixture
def company(vault):
    return contacts.create_organization(vault, OrganizationDraft("Kühnemann Bau"))


@pytest.fixture
def ada(vault, company):
    return contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="Lovelace",
                                                     organization_id=company.id))


@pytest.fixture
def pipeline(vault):
    return deals.list_pipelines(vault)[0]


def stage(pipeline, name):
    return next(s for s in pipeline.stages if s.name == name)


def new(vault, company, title="Roof", value="1000.00", close=date(2026, 3, 20), **more):
    return deals.create_deal(vault, DealDraft(title=title, value=value, currency="EUR",
                                              expected_close=close,
                                              organization_id=company.id, **more),
                             today=TODAY)


def refused(call, *args, match, **kwargs):
    with pytest.raises(UserError) as caught:
        call(*args, **kwargs)
    if "card number" not in match:  # the shared card-number refusal has its own wording
        assert_one_sentence(caught.value.message)
    assert match in caught.value.message, caught.value.message
    return caught.value.message


def column_titles(vault, pipeline, name):
    board = deals.board(vault, pipeline.id)
    return [c.title for c in next(col for col in board.columns
                                  if col.stage.name == name).cards]


def test_the_default_pipeline_has_the_usual_stages(vault, pipeline):
    assert pipeline.is_default
    assert [(s.name, s.probability, s.kind) for s in pipeline.stages] == [
        ("Lead", 10, "open"), ("Qualified", 25, "open"), ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]


def test_a_new_deal_lands_in_the_first_stage_with_its_probability(vault, company, ada):
    deal = new(vault, company, person_id=ada.id, owner="Sam", next_step="Send plans")
    assert (deal.stage_name, deal.status, deal.effective_probability) == ("Lead", "open", 10)
    assert deal.value == D("1000.00") and deal.weighted == D("100.00")
    assert deal.customer == "Kühnemann Bau" and deal.person_name == "Ada Lovelace"
    entries = timeline.person_timeline(vault, ada.id)
    assert any(e.subject.startswith("Deal created: Roof") and e.subject_kind == "deal"
               and e.subject_id == deal.id for e in entries)


def test_cards_move_between_and_within_columns(vault, company, pipeline):
    a, b, c = (new(vault, company, title=t) for t in ("A", "B", "C"))
    assert column_titles(vault, pipeline, "Lead") == ["A", "B", "C"]
    deals.move_deal(vault, c.id, stage(pipeline, "Lead").id, 0)
    assert column_titles(vault, pipeline, "Lead") == ["C", "A", "B"]
    deals.move_deal(vault, b.id, stage(pipeline, "Lead").id, 1)
    assert column_titles(vault, pipeline, "Lead") == ["C", "B", "A"]
    moved = deals.move_deal(vault, a.id, stage(pipeline, "Proposal").id, 0)
    assert (moved.stage_name, moved.effective_probability) == ("Proposal", 50)
    assert column_titles(vault, pipeline, "Lead") == ["C", "B"]
    assert column_titles(vault, pipeline, "Proposal") == ["A"]


def test_many_moves_into_one_gap_renumber_the_column(vault, company, pipeline):
    lead = stage(pipeline, "Lead").id
    made = [new(vault, company, title=f"D{i}") for i in range(3)]
    # Always between the first and the second card: the gap halves until renumbering.
    extra = [new(vault, company, title=f"X{i}") for i in range(14)]
    for deal in extra:
        deals.move_deal(vault, deal.id, lead, 1)
    titles = column_titles(vault, pipeline, "Lead")
    assert titles[0] == "D0"
    assert titles[1:15] == [f"X{i}" for i in reversed(range(14))]
    assert titles[15:] == ["D1", "D2"]
    assert len(made) == 3


def test_won_and_lost_stamp_the_date_and_keep_the_reason(vault, company, ada, pipeline):
    deal = new(vault, company, person_id=ada.id)
    refused(deals.mark_lost, vault, deal.id, "  ", match="Say why the deal was lost")
    lost = deals.mark_lost(vault, deal.id, "Went with a cheaper offer", today=TODAY)
    assert (lost.status, lost.closed_on, lost.close_reason) == (
        "lost", TODAY, "Went with a cheaper offer")
    assert lost.effective_probability == 0 and lost.weighted == 0
    reopened = deals.move_deal(vault, deal.id, stage(pipeline, "Negotiation").id)
    assert (reopened.status, reopened.closed_on, reopened.close_reason) == ("open", None, "")
    won = deals.mark_won(vault, deal.id, today=date(2026, 3, 5))
    assert (won.status, won.closed_on, won.weighted) == ("won", date(2026, 3, 5), D("1000.00"))
    subjects = [e.subject for e in timeline.person_timeline(vault, ada.id)]
    assert "Deal lost: Roof" in subjects and "Deal won: Roof" in subjects
    assert "Deal moved to Negotiation: Roof (from Lost)" in subjects


def test_board_totals_per_stage_and_currency(vault, company, pipeline):
    new(vault, company, title="A", value="1000")
    new(vault, company, title="B", value="500.50", probability=50)
    deals.create_deal(vault, DealDraft(title="C", value="3000", currency="JPY",
                                       expected_close=date(2026, 4, 1),
                                       organization_id=company.id))
    lead = next(c for c in deals.board(vault, pipeline.id).columns if c.stage.name == "Lead")
    assert lead.count == 3
    by = {t.currency: t for t in lead.totals}
    assert (by["EUR"].count, by["EUR"].value, by["EUR"].weighted) == (
        2, D("1500.50"), D("350.25"))  # 1000 x 10 % + 500.50 x 50 %
    assert (by["JPY"].value, by["JPY"].weighted) == (D("3000"), D("300"))


def test_forecast_by_month_never_mixes_currencies(vault, company):
    new(vault, company, title="March", value="1000", close=date(2026, 3, 30))
    new(vault, company, title="April", value="2000", close=date(2026, 4, 2), probability=40)
    new(vault, company, title="Slipped", value="100", close=date(2026, 2, 1))
    deals.create_deal(vault, DealDraft(title="Dollars", value="999.99", currency="USD",
                                       expected_close=date(2026, 4, 15),
                                       organization_id=company.id, probability=33))
    won = new(vault, company, title="Done", value="700", close=date(2026, 3, 10))
    deals.mark_won(vault, won.id, today=date(2026, 3, 11))
    result = deals.forecast(vault, start=TODAY, months=3)
    assert result.months == (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1))
    rows = {(r.month, r.currency): r for r in result.rows}
    march = rows[(date(2026, 3, 1), "EUR")]
    assert (march.count, march.value, march.weighted, march.won) == (
        1, D("1000.00"), D("100.00"), D("700.00"))
    april = rows[(date(2026, 4, 1), "EUR")]
    assert (april.value, april.weighted) == (D("2000.00"), D("800.00"))
    dollars = rows[(date(2026, 4, 1), "USD")]
    assert (dollars.value, dollars.weighted) == (D("999.99"), D("330.00"))  # 329.9967
    assert result.currencies == ("EUR", "USD")
    assert [(t.currency, t.count, t.value) for t in result.overdue] == [("EUR", 1, D("100.00"))]


def test_pipeline_this_month_matches_the_filtered_list(vault, company):
    new(vault, company, title="In", value="100", close=date(2026, 3, 31))
    new(vault, company, title="Also", value="50", close=date(2026, 3, 1))
    new(vault, company, title="Out", value="999", close=date(2026, 4, 1))
    summary = deals.pipeline_this_month(vault, TODAY)
    listed = deals.list_deals(vault, deals.month_filter(TODAY), limit=50).rows
    assert summary.count == len(listed) == 2
    assert summary.totals[0].value == sum(r.value for r in listed) == D("150.00")
    assert summary.totals[0].weighted == sum(r.weighted for r in listed)


def test_a_quote_from_a_deal_links_back(vault, company, ada):
    deal = new(vault, company, person_id=ada.id, title="Loft conversion", value="12500.00")
    quote = deals.quote_from_deal(vault, deal.id)
    assert quote.deal_id == deal.id
    assert quote.customer_organization_id == company.id
    assert [(li.description, li.quantity, li.unit_price) for li in quote.lines] == [
        ("Loft conversion", D(1), D("12500.00"))]
    assert quote.net == D("12500.00")
    again = deals.get_deal(vault, deal.id)
    assert [q.number for q in again.quotes] == [quote.number]
    subjects = [e.subject for e in timeline.organization_timeline(vault, company.id)]
    assert f"Quote {quote.number} made from the deal" in subjects
    deals.delete_deal(vault, deal.id)
    assert quotes.get_quote(vault, quote.id).deal_id is None


def test_search_finds_deals_and_forgets_deleted_ones(vault, company):
    deal = new(vault, company, title="Solar panels for the barn")
    hits = search.search(vault, "barn", kinds=["deal"]).hits
    assert [(h.kind, h.id, h.title) for h in hits] == [
        ("deal", deal.id, "Solar panels for the barn")]
    assert "Kühnemann Bau" in hits[0].subtitle and "Lead" in hits[0].subtitle
    deals.update_deal(vault, deal.id, deal.draft().__class__(
        **{**deal.draft().__dict__, "title": "Heat pump"}))
    assert search.search(vault, "barn", kinds=["deal"]).empty
    assert search.search(vault, "heat pu", kinds=["deal"]).hits[0].id == deal.id
    deals.delete_deal(vault, deal.id)
    assert search.search(vault, "heat", kinds=["deal"]).empty


def test_the_list_pages_by_key_beyond_one_page(vault, company):
    for i in range(23):
        new(vault, company, title=f"Deal {i:02d}", value=str(100 + i),
            close=date(2026, 3 + i % 3, 1 + i))
    seen, after, pages = [], None, 0
    while True:
        page = deals.list_deals(vault, sort="expected_close", after=after, limit=10)
        seen += [(r.expected_close, r.id) for r in page.rows]
        pages += 1
        if page.next_after is None:
            break
        after = page.next_after
    assert pages == 3 and len(seen) == 23 == len(set(seen))
    assert seen == sorted(seen)
    values, after = [], None
    while True:
        page = deals.list_deals(vault, sort="value", descending=True, after=after, limit=7)
        values += [r.value for r in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert values == sorted(values, reverse=True) and len(values) == 23


def test_list_filters(vault, company, pipeline):
    a = new(vault, company, title="A", owner="Sam")
    new(vault, company, title="B", owner="Kim")
    deals.mark_lost(vault, a.id, "No budget")
    assert [r.title for r in deals.list_deals(vault, DealFilter(owner="Kim")).rows] == ["B"]
    assert [r.title for r in deals.list_deals(vault, DealFilter(status="lost")).rows] == ["A"]
    lead = stage(pipeline, "Lead").id
    assert [r.title for r in deals.list_deals(vault, DealFilter(stage_id=lead)).rows] == ["B"]


@pytest.mark.parametrize(("field", "value", "match"), [
    ("value", "-5", "cannot be negative"),
    ("value", "12.345", "more decimals than EUR allows"),
    ("value", "lots", "is not a number"),
    ("expected_close", "2026-02-30", "is not a date"),
    ("expected_close", "next week", "is not a date"),
    ("expected_close", date(1066, 10, 14), "check the year"),
    ("expected_close", "", "expected close date"),
    ("probability", "150", "from 0 to 100 percent"),
    ("probability", "12.5", "from 0 to 100 percent"),
    ("title", "   ", "Give the deal a title"),
    ("next_step", "Charge 4111 1111 1111 1111", "card number"),
    ("notes", "card 5500-0000-0000-0004", "card number"),
])
def test_bad_input_is_refused_with_a_sentence(vault, company, field, value, match):
    values = {"title": "Roof", "value": "10", "currency": "EUR",
              "expected_close": date(2026, 4, 1), "organization_id": company.id}
    values[field] = value
    refused(deals.create_deal, vault, DealDraft(**values), match=match)
    assert deals.list_deals(vault).rows == ()


def test_a_stage_of_another_pipeline_is_refused(vault, company, pipeline):
    other = deals.add_pipeline(vault, "Renovations")
    foreign = other.stages[1].id
    refused(deals.create_deal, vault, DealDraft(
        title="Roof", value="10", expected_close=date(2026, 4, 1),
        organization_id=company.id, pipeline_id=pipeline.id, stage_id=foreign),
        match="belongs to another pipeline")
    deal = new(vault, company)
    refused(deals.move_deal, vault, deal.id, foreign, match="belongs to another pipeline")
    assert deals.get_deal(vault, deal.id).stage_name == "Lead"


def test_no_customer_and_restricted_people_are_refused(vault, company, ada):
    refused(deals.create_deal, vault, DealDraft(title="Roof", value="1",
                                                expected_close=date(2026, 4, 1)),
            match="Choose a person or a company")
    privacy_consent.restrict(vault, ada.id, "Asked to stop processing")
    refused(deals.create_deal, vault, DealDraft(title="Roof", value="1",
                                                expected_close=date(2026, 4, 1),
                                                person_id=ada.id),
            match="is restricted and cannot be given new deals")


def test_stages_are_configurable(vault, company, pipeline):
    survey = deals.add_stage(vault, pipeline.id, "Site survey", "40")
    after = deals.list_pipelines(vault)[0]
    assert [s.name for s in after.stages][4] == "Site survey"  # before Won and Lost
    deals.update_stage(vault, survey.id, name="Survey", probability=45)
    refused(deals.add_stage, vault, pipeline.id, "survey", 10, match="already has a stage")
    order = [s.id for s in reversed(deals.list_pipelines(vault)[0].stages)]
    assert [s.id for s in deals.reorder_stages(vault, pipeline.id, order).stages] == order
    deal = new(vault, company, stage_id=survey.id)
    assert deal.effective_probability == 45
    refused(deals.delete_stage, vault, survey.id,
            match="still has 1 deal; move it to another stage first")
    deals.delete_stage(vault, survey.id, move_to=stage(pipeline, "Lead").id)
    moved = deals.get_deal(vault, deal.id)
    assert moved.stage_name == "Lead"
    assert "Survey" not in [s.name for s in deals.list_pipelines(vault)[0].stages]


def test_stage_kinds_change_only_while_the_stage_is_empty(vault, company, pipeline):
    survey = deals.add_stage(vault, pipeline.id, "Site survey", 40)
    signed = deals.update_stage(vault, survey.id, kind="won")
    assert (signed.kind, signed.probability) == ("won", 100)
    dropped = deals.update_stage(vault, survey.id, kind="lost")
    assert (dropped.kind, dropped.probability) == ("lost", 0)
    reopened = deals.update_stage(vault, survey.id, kind="open", probability=30)
    assert (reopened.kind, reopened.probability) == ("open", 30)
    deal = new(vault, company, stage_id=survey.id)
    refused(deals.update_stage, vault, survey.id, kind="won",
            match="still has 1 deal; move it to another stage before making it a won stage")
    assert deals.get_deal(vault, deal.id).status == "open"
    for st in pipeline.stages:  # every other open stage becomes a closing one
        if st.kind == "open":
            deals.update_stage(vault, st.id, kind="lost")
    deals.move_deal(vault, deal.id, stage(pipeline, "Won").id, 0)
    refused(deals.update_stage, vault, survey.id, kind="won",
            match="needs at least one open stage")
    kinds = {s.name: s.kind for s in deals.list_pipelines(vault)[0].stages}
    assert kinds["Site survey"] == "open" and kinds["Lead"] == "lost"


def test_stage_deal_counts_and_pipeline_names(vault, company, pipeline):
    other = deals.add_pipeline(vault, "Renovations")
    new(vault, company, "Roof")
    new(vault, company, "Barn")
    new(vault, company, "Shed", stage_id=stage(pipeline, "Proposal").id)
    new(vault, company, "Attic", pipeline_id=other.id)
    lead, proposal = stage(pipeline, "Lead").id, stage(pipeline, "Proposal").id
    assert deals.stage_deal_counts(vault, pipeline.id) == {lead: 2, proposal: 1}
    assert deals.stage_deal_counts(vault) == {lead: 2, proposal: 1, other.stages[0].id: 1}
    assert deals.rename_pipeline(vault, other.id, "  Repairs ").name == "Repairs"
    refused(deals.rename_pipeline, vault, other.id, "sales",
            match="already a pipeline called")
    assert deals.rename_pipeline(vault, other.id, "REPAIRS").name == "REPAIRS"  # itself
    refused(deals.rename_pipeline, vault, other.id, "  ", match="pipeline")
    assert [p.name for p in deals.list_pipelines(vault)] == ["Sales", "REPAIRS"]


def test_erasing_a_person_deletes_their_deals_and_search_entries(vault, ada, company):
    own = deals.create_deal(vault, DealDraft(title="Ada's analytical engine", value="5",
                                             expected_close=date(2026, 4, 1),
                                             person_id=ada.id), today=TODAY)
    preview = privacy_erase.erase_preview(vault, ada.id)
    privacy_erase.erase_person(vault, ada.id, confirmation=preview.confirm_text)
    with vault.unit_of_work() as uow:
        left = uow.session.execute(text("SELECT count(*) FROM deal")).scalar_one()
        docs = uow.session.execute(text(
            "SELECT count(*) FROM search_doc WHERE record_id = :d"), {"d": own.id}).scalar_one()
    assert (left, docs) == (0, 0)
    assert search.search(vault, "analytical", kinds=["deal"]).empty


def test_the_demo_fills_deals_in_proportion_to_its_contacts(vault):
    from crasme_desktop.services import demo

    demo.fill_demo(vault, contacts=80)
    with vault.unit_of_work() as uow:
        count, statuses = uow.session.execute(text(
            "SELECT count(*), count(DISTINCT status) FROM deal")).one()
    assert count == 16 and statuses >= 2
    board = deals.board(vault)
    assert sum(c.count for c in board.columns) == 16
    title = deals.list_deals(vault, limit=1).rows[0].title
    assert search.search(vault, title, kinds=["deal"]).hits
