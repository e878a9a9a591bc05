"""Deals: pipelines with their stages, deals moving through them, the board, the list,
the weighted forecast, and a quote made from a deal in one step.

A pipeline is an ordered list of stages; a stage has a default probability in percent
and a kind: open, won or lost. A deal sits in one stage at a `position` (its place in
the board's column; positions keep gaps of `GAP`, so a move changes one row, and a
column is renumbered only when two neighbours leave no room). `deal.status` repeats
its stage's kind so lists and sums filter by an index.

Probability: a deal's own percent when it has one, else its stage's; won deals count
100 % and lost deals 0 %. Weighted value = value x probability / 100, summed exactly
in minor units x percent and rounded half up once per sum, always per currency: sums
never mix currencies.

Moving a deal into a won or lost stage stamps `closed_on` (today) and keeps a reason
(required for lost); moving it back to an open stage clears both. Creation, stage
moves, won and lost go on the timeline of the deal's person and company (entries with
subject "deal"), in the same transaction, as do the search index entry (kind "deal",
its title) and an audit event (ids only). Restricted people cannot get new deals and
their deals cannot be changed. Free text that holds a payment card number is refused.

Erasing a person deletes the deals that name them as the person (personal-data map:
`deal.subject = person_id`); trigger trg_deal_deleted (migration 0007) takes a deleted
deal out of the search index and cuts quotes' link to it, whichever way it goes.

Permissions (area "deals", checked first in every public function): reading pipelines,
stage counts, deals, the list, the board, the forecast and the sums needs deals.view;
adding a deal, a pipeline or a stage deals.create; changing, moving, winning or losing
a deal and renaming or reordering pipelines and stages deals.edit; deleting a deal, a
pipeline or a stage deals.delete. A quote from a deal needs deals.view and quotes.create.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select, tuple_, update
from sqlalchemy.orm import Session

from crasme_desktop.domain import sales as rules
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import (
    STAGE_KINDS,
    Deal,
    DealStage,
    Organization,
    Person,
    Pipeline,
    Quote,
)
from crasme_desktop.domain.money import from_minor, to_minor
from crasme_desktop.domain.validation import check_no_card_number, clean_text, quoted, sort_key
from crasme_desktop.services import (
    audit,
    business,
    permissions,
    privacy_consent,
    search_index,
)
from crasme_desktop.services.quotes import add_timeline, money_text, today_of
from crasme_desktop.vault import Vault

#: Room between two neighbouring cards of a column.
GAP = 1024
#: Cards per column the board shows (the column's totals count every deal).
BOARD_CARDS = 100
PAGE = 100
MAX_PAGE = 1000
TITLE_MAX, NAME_MAX, OWNER_MAX, NEXT_STEP_MAX, NOTES_MAX = 300, 100, 100, 300, 20000
MAX_VALUE = Decimal(10) ** 12
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
DEFAULT_STAGES = (("Lead", 10, "open"), ("Qualified", 25, "open"), ("Proposal", 50, "open"),
                  ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost"))
#: List orders: name -> the column, each ended by `id`.
SORTS: dict[str, Any] = {
    "expected_close": Deal.expected_close,
    "title": Deal.title_key,
    "value": Deal.value_minor,
    "created": Deal.created_at,
}
STATUS_WORDS = {"open": "open", "won": "won", "lost": "lost"}

__all__ = [
    "BOARD_CARDS",
    "GAP",
    "SORTS",
    "Board",
    "BoardColumn",
    "CurrencyTotal",
    "DealCard",
    "DealDraft",
    "DealFilter",
    "DealPage",
    "DealRecord",
    "DealRow",
    "Forecast",
    "ForecastMonth",
    "PeriodSummary",
    "PipelineRecord",
    "StageRecord",
    "add_pipeline",
    "add_stage",
    "board",
    "create_deal",
    "delete_deal",
    "delete_pipeline",
    "delete_stage",
    "forecast",
    "get_deal",
    "list_deals",
    "list_pipelines",
    "mark_lost",
    "mark_won",
    "move_deal",
    "pipeline_summary",
    "pipeline_this_month",
    "quote_from_deal",
    "rename_pipeline",
    "reorder_stages",
    "stage_deal_counts",
    "update_deal",
    "update_stage",
]


# -- what callers get ------------------------------------------------------------------
@dataclass(frozen=True)
class StageRecord:
    id: str
    pipeline_id: str
    name: str
    position: int
    probability: int
    kind: str  # open | won | lost


@dataclass(frozen=True)
class PipelineRecord:
    id: str
    name: str
    position: int
    is_default: bool
    stages: tuple[StageRecord, ...]

    def stage(self, stage_id: str) -> StageRecord | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def stage_of_kind(self, kind: str) -> StageRecord | None:
        return next((s for s in self.stages if s.kind == kind), None)


@dataclass(frozen=True)
class DealDraft:
    """A deal as a form gives it. `value` is typed text or a Decimal in `currency`
    ("" = the business's default); `expected_close` a date or ISO text ("2026-12-31");
    `pipeline_id`/`stage_id` None: the default pipeline's first stage;
    `probability` None: the stage's."""

    title: str
    value: Decimal | str | int = Decimal(0)
    currency: str = ""
    expected_close: date | str | None = None
    pipeline_id: str | None = None
    stage_id: str | None = None
    person_id: str | None = None
    organization_id: str | None = None
    owner: str = ""
    next_step: str = ""
    probability: int | str | None = None
    close_reason: str = ""
    notes: str = ""


@dataclass(frozen=True)
class QuoteLink:
    id: str
    number: str
    status: str


@dataclass(frozen=True)
class DealRecord:
    id: str
    title: str
    pipeline_id: str
    pipeline_name: str
    stage_id: str
    stage_name: str
    status: str  # open | won | lost
    position: int
    value: Decimal
    currency: str
    expected_close: date
    owner: str
    next_step: str
    person_id: str | None
    person_name: str
    organization_id: str | None
    organization_name: str
    probability: int | None  # the deal's own percent, None: the stage's
    effective_probability: int
    weighted: Decimal
    closed_on: date | None
    close_reason: str
    notes: str
    quotes: tuple[QuoteLink, ...]
    created_at: datetime
    updated_at: datetime

    @property
    def customer(self) -> str:
        return self.organization_name or self.person_name

    def draft(self) -> DealDraft:
        return DealDraft(
            title=self.title, value=self.value, currency=self.currency,
            expected_close=self.expected_close, pipeline_id=self.pipeline_id,
            stage_id=self.stage_id, person_id=self.person_id,
            organization_id=self.organization_id, owner=self.owner, next_step=self.next_step,
            probability=self.probability, close_reason=self.close_reason, notes=self.notes,
        )


@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    count: int
    value: Decimal
    weighted: Decimal


@dataclass(frozen=True)
class DealCard:
    id: str
    title: str
    customer: str  # the company, else the person ("" when neither)
    value: Decimal
    currency: str
    expected_close: date
    probability: int
    owner: str
    next_step: str
    status: str
    position: int
    closed_on: date | None = None


@dataclass(frozen=True)
class BoardColumn:
    stage: StageRecord
    count: int
    totals: tuple[CurrencyTotal, ...]  # per currency, most deals first
    cards: tuple[DealCard, ...]  # the first BOARD_CARDS by position

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


@dataclass(frozen=True)
class Board:
    pipeline: PipelineRecord
    pipelines: tuple[PipelineRecord, ...]
    columns: tuple[BoardColumn, ...]


@dataclass(frozen=True)
class DealFilter:
    """Which deals a list shows (fields combine with AND; empty means any).
    close_from/close_to: the expected close date, both ends included."""

    pipeline_id: str = ""
    stage_id: str = ""
    owner: str = ""
    status: str = ""  # "" | open | won | lost
    close_from: date | None = None
    close_to: date | None = None
    person_id: str = ""
    organization_id: str = ""


@dataclass(frozen=True)
class DealRow:
    id: str
    title: str
    customer: str
    stage_name: str
    status: str
    value: Decimal
    currency: str
    probability: int
    weighted: Decimal
    expected_close: date
    owner: str
    next_step: str
    #: This row's place in its order: pass it as `after` to read the next page.
    key: tuple[Any, str]


@dataclass(frozen=True)
class DealPage:
    rows: tuple[DealRow, ...]
    #: The key to pass as `after` for the next page; None when this was the last.
    next_after: tuple[Any, str] | None


@dataclass(frozen=True)
class ForecastMonth:
    month: date  # the first day of the month
    currency: str
    count: int
    value: Decimal
    weighted: Decimal
    won: Decimal  # won in that month (closed_on), for comparison


@dataclass(frozen=True)
class Forecast:
    start: date
    months: tuple[date, ...]
    rows: tuple[ForecastMonth, ...]  # only (month, currency) pairs with deals
    #: Open deals whose expected close is before `start` (slipped), per currency.
    overdue: tuple[CurrencyTotal, ...]

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(sorted({r.currency for r in self.rows} | {t.currency for t in self.overdue}))


@dataclass(frozen=True)
class PeriodSummary:
    start: date
    end: date
    count: int
    totals: tuple[CurrencyTotal, ...]


# -- pipelines and stages --------------------------------------------------------------
def list_pipelines(vault: Vault) -> list[PipelineRecord]:
    """Every pipeline with its stages, in order (a default one is made if none is left)."""
    permissions.require(vault, "deals.view")
    with vault.unit_of_work() as uow:
        s = uow.session
        _ensure_pipeline(s, vault.clock.now())
        return _pipelines(s)


def add_pipeline(vault: Vault, name: str) -> PipelineRecord:
    """A new pipeline with the usual stages (rename, reorder or delete them after)."""
    permissions.require(vault, "deals.create")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        clean = _name(name, "pipeline")
        if any(p.name.casefold() == clean.casefold() for p in _pipelines(s)):
            raise UserError(f"There is already a pipeline called {quoted(clean)}; choose "
                            "another name.")
        top = s.scalar(select(func.max(Pipeline.position))) or 0
        pipeline = _make_pipeline(s, clean, top + 1, is_default=False, now=now)
        audit.add(s, "pipeline.create", "pipeline", pipeline.id)
        return _pipeline_record(s, pipeline)


def rename_pipeline(vault: Vault, pipeline_id: str, name: str) -> PipelineRecord:
    permissions.require(vault, "deals.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        pipeline = _load_pipeline(s, pipeline_id)
        clean = _name(name, "pipeline")
        if any(p.name.casefold() == clean.casefold() for p in _pipelines(s)
               if p.id != pipeline.id):
            raise UserError(f"There is already a pipeline called {quoted(clean)}; choose "
                            "another name.")
        pipeline.name = clean
        pipeline.updated_at = vault.clock.now()
        audit.add(s, "pipeline.update", "pipeline", pipeline.id)
        return _pipeline_record(s, pipeline)


def delete_pipeline(vault: Vault, pipeline_id: str) -> None:
    """Delete an empty pipeline (never the last one)."""
    permissions.require(vault, "deals.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        pipeline = _load_pipeline(s, pipeline_id)
        if (s.scalar(select(func.count()).select_from(Pipeline)) or 0) <= 1:
            raise UserError("This is the only pipeline; add another before deleting it.")
        if s.scalar(select(func.count()).select_from(Deal).where(
                Deal.pipeline_id == pipeline_id)):
            raise UserError(f"The pipeline {quoted(pipeline.name)} still has deals; move or "
                            "delete them first.")
        was_default = pipeline.is_default
        s.delete(pipeline)
        s.flush()
        if was_default:
            first = s.scalars(select(Pipeline).order_by(Pipeline.position, Pipeline.id)).first()
            if first is not None:
                first.is_default = True
        audit.add(s, "pipeline.delete", "pipeline", pipeline_id)


def add_stage(
    vault: Vault, pipeline_id: str, name: str, probability: int | str, *,
    kind: str = "open", position: int | None = None,
) -> StageRecord:
    """Add a stage at `position` (0 = first; None: before the won and lost stages)."""
    permissions.require(vault, "deals.create")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        _load_pipeline(s, pipeline_id)
        if kind not in STAGE_KINDS:
            raise ValueError(f"unknown stage kind {kind!r}")
        stages = _stage_rows(s, pipeline_id)
        clean = _name(name, "stage")
        _check_unique_stage(stages, clean)
        if position is None:
            position = next((i for i, st in enumerate(stages) if st.kind != "open"),
                            len(stages)) if kind == "open" else len(stages)
        position = max(0, min(position, len(stages)))
        stage = DealStage(pipeline_id=pipeline_id, name=clean,
                          probability=_percent(probability, "stage's probability"),
                          kind=kind, created_at=now, updated_at=now)
        s.add(stage)
        stages.insert(position, stage)
        _renumber_stages(stages)
        s.flush()
        audit.add(s, "deal_stage.create", "deal_stage", stage.id)
        return _stage_record(stage)


def update_stage(
    vault: Vault, stage_id: str, *, name: str | None = None,
    probability: int | str | None = None, kind: str | None = None,
) -> StageRecord:
    """Rename a stage, change its default probability, or make it an open, won or lost
    stage. The kind changes only while the stage holds no deals (their status repeats
    it), never leaves its pipeline without an open stage, and sets a won stage's
    probability to 100 and a lost one's to 0."""
    permissions.require(vault, "deals.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        stage = _load_stage(s, stage_id)
        if name is not None:
            clean = _name(name, "stage")
            _check_unique_stage([st for st in _stage_rows(s, stage.pipeline_id)
                                 if st.id != stage.id], clean)
            stage.name = clean
        if probability is not None:
            stage.probability = _percent(probability, "stage's probability")
        if kind is not None and kind != stage.kind:
            _change_kind(s, stage, kind)
        stage.updated_at = vault.clock.now()
        audit.add(s, "deal_stage.update", "deal_stage", stage.id)
        return _stage_record(stage)


def stage_deal_counts(vault: Vault, pipeline_id: str | None = None) -> dict[str, int]:
    """How many deals sit in each stage (of one pipeline, or of all); stages without
    deals are left out."""
    permissions.require(vault, "deals.view")
    query = select(Deal.stage_id, func.count()).group_by(Deal.stage_id)
    if pipeline_id:
        query = query.where(Deal.pipeline_id == pipeline_id)
    with vault.unit_of_work() as uow:
        return {stage_id: int(n) for stage_id, n in uow.session.execute(query)}


def reorder_stages(vault: Vault, pipeline_id: str, stage_ids: Sequence[str]) -> PipelineRecord:
    """Put the pipeline's stages in this order (every stage once)."""
    permissions.require(vault, "deals.edit")
    with vault.unit_of_work() as uow:
        s = uow.session
        pipeline = _load_pipeline(s, pipeline_id)
        stages = {st.id: st for st in _stage_rows(s, pipeline_id)}
        if sorted(stage_ids) != sorted(stages):
            raise UserError("The stages changed meanwhile; look at the pipeline again and "
                            "put them in order once more.")
        _renumber_stages([stages[i] for i in stage_ids])
        audit.add(s, "pipeline.reorder", "pipeline", pipeline.id)
        s.flush()
        return _pipeline_record(s, pipeline)


def delete_stage(vault: Vault, stage_id: str, *, move_to: str | None = None) -> None:
    """Delete a stage. One that holds deals goes only with `move_to`, another stage of
    the same pipeline its deals move to (a pipeline keeps one open stage at least)."""
    permissions.require(vault, "deals.delete")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        stage = _load_stage(s, stage_id)
        stages = _stage_rows(s, stage.pipeline_id)
        if stage.kind == "open" and sum(st.kind == "open" for st in stages) <= 1:
            raise UserError("A pipeline needs at least one open stage; add another before "
                            "deleting this one.")
        ids = list(s.scalars(select(Deal.id).where(
            Deal.pipeline_id == stage.pipeline_id, Deal.stage_id == stage.id)))
        if ids:
            if not move_to:
                raise UserError(f"The stage {quoted(stage.name)} still has {len(ids)} "
                                f"deal{'s' if len(ids) != 1 else ''}; move "
                                f"{'them' if len(ids) != 1 else 'it'} to another stage "
                                "first.")
            target = _load_stage(s, move_to)
            if target.pipeline_id != stage.pipeline_id or target.id == stage.id:
                raise UserError("Move the deals to another stage of the same pipeline.")
            top = _edge(s, target, last=True)
            for n, deal in enumerate(s.scalars(select(Deal).where(Deal.id.in_(ids))
                                              .order_by(Deal.position, Deal.id))):
                _place(s, deal, target, top + GAP * (n + 1), now, reason="")
        s.delete(stage)
        s.flush()
        _renumber_stages([st for st in stages if st.id != stage.id])
        audit.add(s, "deal_stage.delete", "deal_stage", stage_id)


# -- deals -----------------------------------------------------------------------------
def create_deal(vault: Vault, draft: DealDraft, *, today: date | None = None) -> DealRecord:
    permissions.require(vault, "deals.create")
    now = vault.clock.now()
    day = today_of(vault, today)
    with vault.unit_of_work() as uow:
        s = uow.session
        _ensure_pipeline(s, now)
        clean = _clean(s, draft)
        privacy_consent.ensure_not_restricted(s, clean["person_id"], "given new deals")
        stage: DealStage = clean.pop("stage")
        reason = clean.pop("close_reason")
        position = _end_position(s, stage, top=stage.kind != "open")
        deal = Deal(**clean, stage_id=stage.id, status=stage.kind, position=position,
                    created_at=now, updated_at=now)
        s.add(deal)
        _close_fields(deal, stage, reason, day)
        s.flush()
        _note(s, deal, f"Deal created: {deal.title} ({_money(s, deal)}, {stage.name})", now)
        if stage.kind != "open":
            _note(s, deal, _closed_subject(deal), now, body=deal.close_reason)
        audit.add(s, "deal.create", "deal", deal.id)
        index_deals(s, [deal.id])
        return _record(s, deal)


def update_deal(
    vault: Vault, deal_id: str, draft: DealDraft, *, today: date | None = None
) -> DealRecord:
    """Replace the deal's fields with the draft's (start from `DealRecord.draft()`). A new
    stage moves the deal as `move_deal` does (to the end of the new stage's column)."""
    permissions.require(vault, "deals.edit")
    now = vault.clock.now()
    day = today_of(vault, today)
    with vault.unit_of_work() as uow:
        s = uow.session
        deal = _load(s, deal_id)
        privacy_consent.ensure_not_restricted(s, deal.person_id, "given deal updates")
        clean = _clean(s, draft, current=deal)
        if clean["person_id"] != deal.person_id:
            privacy_consent.ensure_not_restricted(s, clean["person_id"], "given new deals")
        stage: DealStage = clean.pop("stage")
        reason = clean.pop("close_reason")
        for name, value in clean.items():
            setattr(deal, name, value)
        if stage.id != deal.stage_id:
            _place(s, deal, stage, _end_position(s, stage, top=stage.kind != "open"), now,
                   reason=reason, today=day)
        elif deal.status != "open":
            deal.close_reason = _reason(reason, deal.status)
        deal.updated_at = now
        s.flush()
        audit.add(s, "deal.update", "deal", deal.id)
        index_deals(s, [deal.id])
        return _record(s, deal)


def move_deal(
    vault: Vault, deal_id: str, stage_id: str, index: int | None = None, *,
    reason: str = "", today: date | None = None,
) -> DealRecord:
    """Move a deal to `stage_id` (of its pipeline) at `index` among that column's other
    cards (0 = top; None: the end of an open column, the top of won or lost). Into won
    or lost: `reason` is kept (required for lost) and today is the close date."""
    permissions.require(vault, "deals.edit")
    now = vault.clock.now()
    day = today_of(vault, today)
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        deal = _load(s, deal_id)
        privacy_consent.ensure_not_restricted(s, deal.person_id, "given deal updates")
        stage = _load_stage(s, stage_id)
        if stage.pipeline_id != deal.pipeline_id:
            raise UserError("That stage belongs to another pipeline; choose one of the "
                            "stages of this deal's pipeline.")
        if index is None:
            position = _end_position(s, stage, top=stage.kind != "open", skip=deal.id)
        else:
            position = _position_at(s, stage, max(0, int(index)), deal.id)
        _place(s, deal, stage, position, now, reason=reason, today=day)
        s.flush()
        audit.add(s, "deal.move", "deal", deal.id)
        return _record(s, deal)


def mark_won(vault: Vault, deal_id: str, *, reason: str = "",
             today: date | None = None) -> DealRecord:
    """Move the deal to its pipeline's won stage (the first one)."""
    permissions.require(vault, "deals.edit")
    return move_deal(vault, deal_id, _closing_stage(vault, deal_id, "won"), reason=reason,
                     today=today)


def mark_lost(vault: Vault, deal_id: str, reason: str, *,
              today: date | None = None) -> DealRecord:
    """Move the deal to its pipeline's lost stage; the reason is required."""
    permissions.require(vault, "deals.edit")
    return move_deal(vault, deal_id, _closing_stage(vault, deal_id, "lost"), reason=reason,
                     today=today)


def get_deal(vault: Vault, deal_id: str) -> DealRecord:
    permissions.require(vault, "deals.view")
    with vault.unit_of_work() as uow:
        return _record(uow.session, _load(uow.session, deal_id))


def delete_deal(vault: Vault, deal_id: str) -> None:
    """Delete a deal (its quotes stay, unlinked; timeline entries about it stay)."""
    permissions.require(vault, "deals.delete")
    with vault.unit_of_work() as uow:
        s = uow.session
        deal = _load(s, deal_id)
        privacy_consent.ensure_not_restricted(s, deal.person_id, "given deal updates")
        s.delete(deal)  # trg_deal_deleted unlinks quotes and unindexes it
        s.flush()
        audit.add(s, "deal.delete", "deal", deal_id)


def quote_from_deal(vault: Vault, deal_id: str) -> Any:
    """A draft quote for the deal's customer with one line: the deal's title at its
    value, in its currency. The quote links back to the deal; the customer's timeline
    says so. Returns the `QuoteRecord`."""
    from crasme_desktop.services import quotes

    permissions.require(vault, "deals.view")
    permissions.require(vault, "quotes.create")
    with vault.unit_of_work() as uow:
        s = uow.session
        deal = _load(s, deal_id)
        privacy_consent.ensure_not_restricted(s, deal.person_id, "sent a quote")
        if not (deal.person_id or deal.organization_id):
            raise UserError("Choose a person or a company for the deal before making a "
                            "quote from it.")
        draft = quotes.QuoteDraft(
            customer_person_id=deal.person_id,
            customer_organization_id=deal.organization_id,
            currency=deal.currency,
            lines=(quotes.LineDraft(description=deal.title, quantity=Decimal(1), unit="",
                                    unit_price=from_minor(deal.value_minor, deal.currency)),),
            deal_id=deal.id,
        )
    return quotes.save_quote(vault, draft)


# -- the list ------------------------------------------------------------------------
def list_deals(
    vault: Vault, filt: DealFilter | None = None, *, sort: str = "expected_close",
    descending: bool = False, after: tuple[Any, str] | Sequence[Any] | None = None,
    limit: int = PAGE,
) -> DealPage:
    """One page of the filtered list in `sort` order (then id), read by key: pass the
    previous page's `next_after` as `after` (never OFFSET)."""
    permissions.require(vault, "deals.view")
    filt = filt or DealFilter()
    if sort not in SORTS:
        raise ValueError(f"unknown deal sort {sort!r}")
    limit = max(1, min(int(limit), MAX_PAGE))
    column = SORTS[sort]
    with vault.unit_of_work() as uow:
        s = uow.session
        query = _rows_query().where(*_filters(filt))
        if after is not None:
            key, last_id = _key_value(sort, after[0]), str(after[1])
            pair = tuple_(column, Deal.id)
            query = query.where(pair < tuple_(key, last_id) if descending
                                else pair > tuple_(key, last_id))
        order = (column.desc(), Deal.id.desc()) if descending else (column, Deal.id)
        rows = [_row(r, sort) for r in s.execute(query.order_by(*order).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    return DealPage(tuple(rows), rows[-1].key if more and rows else None)


# -- the board -----------------------------------------------------------------------
def board(vault: Vault, pipeline_id: str | None = None, *, owner: str = "",
          cards: int = BOARD_CARDS) -> Board:
    """The pipeline's columns: per stage the number of deals, value and weighted value
    per currency, and the first `cards` deals by position."""
    permissions.require(vault, "deals.view")
    now = vault.clock.now()
    with vault.unit_of_work() as uow:
        s = uow.session
        _ensure_pipeline(s, now)
        pipelines = _pipelines(s)
        chosen = next((p for p in pipelines if p.id == pipeline_id), None) or next(
            (p for p in pipelines if p.is_default), pipelines[0])
        owner_filter = [Deal.owner == owner] if owner else []
        sums: dict[str, list[tuple[str, int, int, int]]] = {}
        for stage_id, currency, count, value, weighted in s.execute(
            select(Deal.stage_id, Deal.currency, func.count(), func.sum(Deal.value_minor),
                   func.sum(Deal.value_minor * _probability_sql()))
            .join(DealStage, DealStage.id == Deal.stage_id)
            .where(Deal.pipeline_id == chosen.id, *owner_filter)
            .group_by(Deal.stage_id, Deal.currency)
        ):
            sums.setdefault(stage_id, []).append((currency, count, value or 0, weighted or 0))
        columns = []
        for stage in chosen.stages:
            rows = s.execute(
                _card_query().where(Deal.pipeline_id == chosen.id, Deal.stage_id == stage.id,
                                    *owner_filter)
                .order_by(Deal.position, Deal.id).limit(max(0, cards))
            ).all()
            totals = _totals(sums.get(stage.id, []))
            columns.append(BoardColumn(stage, sum(t.count for t in totals), totals,
                                       tuple(_card(r) for r in rows)))
        return Board(chosen, tuple(pipelines), tuple(columns))


# -- forecast and sums ---------------------------------------------------------------
def forecast(
    vault: Vault, *, start: date | None = None, months: int = 6, pipeline_id: str = "",
    owner: str = "",
) -> Forecast:
    """Open deals by the month of their expected close, from `start`'s month for
    `months` months: count, value and weighted value per currency (never mixed), and
    what was won in each month. Open deals whose close date is already past are
    `overdue`."""
    permissions.require(vault, "deals.view")
    first = (start or today_of(vault, None)).replace(day=1)
    months = max(1, min(int(months), 60))
    month_list = [_add_months(first, i) for i in range(months)]
    end = _add_months(first, months) - timedelta(days=1)
    where = []
    if pipeline_id:
        where.append(Deal.pipeline_id == pipeline_id)
    if owner:
        where.append(Deal.owner == owner)
    month_sql = func.substr(Deal.expected_close, 1, 7)
    with vault.unit_of_work() as uow:
        s = uow.session
        grid: dict[tuple[str, str], dict[str, Any]] = {}
        for month, currency, count, value, weighted in s.execute(
            select(month_sql, Deal.currency, func.count(), func.sum(Deal.value_minor),
                   func.sum(Deal.value_minor * _probability_sql()))
            .join(DealStage, DealStage.id == Deal.stage_id)
            .where(Deal.status == "open", Deal.expected_close.between(first, end), *where)
            .group_by(month_sql, Deal.currency)
        ):
            grid[(month, currency)] = {"count": count, "value": value or 0,
                                       "weighted": weighted or 0, "won": 0}
        closed_sql = func.substr(Deal.closed_on, 1, 7)
        for month, currency, value in s.execute(
            select(closed_sql, Deal.currency, func.sum(Deal.value_minor))
            .where(Deal.status == "won", Deal.closed_on.between(first, end), *where)
            .group_by(closed_sql, Deal.currency)
        ):
            cell = grid.setdefault((month, currency),
                                   {"count": 0, "value": 0, "weighted": 0, "won": 0})
            cell["won"] = value or 0
        overdue = s.execute(
            select(Deal.currency, func.count(), func.sum(Deal.value_minor),
                   func.sum(Deal.value_minor * _probability_sql()))
            .join(DealStage, DealStage.id == Deal.stage_id)
            .where(Deal.status == "open", Deal.expected_close < first, *where)
            .group_by(Deal.currency)
        ).all()
    rows = []
    for (month, currency), cell in sorted(grid.items()):
        rows.append(ForecastMonth(
            month=date.fromisoformat(f"{month}-01"), currency=currency, count=cell["count"],
            value=from_minor(cell["value"], currency),
            weighted=_weighted(cell["weighted"], currency),
            won=from_minor(cell["won"], currency)))
    return Forecast(first, tuple(month_list), tuple(rows),
                    _totals([(c, n, v or 0, w or 0) for c, n, v, w in overdue]))


def pipeline_summary(vault: Vault, start: date, end: date, *, status: str = "open",
                     owner: str = "") -> PeriodSummary:
    """Deals of `status` whose expected close is in [start, end]: count and per currency
    value and weighted value (what the list filtered the same way holds)."""
    permissions.require(vault, "deals.view")
    where = [Deal.expected_close.between(start, end)]
    if status:
        where.append(Deal.status == status)
    if owner:
        where.append(Deal.owner == owner)
    with vault.unit_of_work() as uow:
        rows = uow.session.execute(
            select(Deal.currency, func.count(), func.sum(Deal.value_minor),
                   func.sum(Deal.value_minor * _probability_sql()))
            .join(DealStage, DealStage.id == Deal.stage_id)
            .where(*where).group_by(Deal.currency)
        ).all()
    totals = _totals([(c, n, v or 0, w or 0) for c, n, v, w in rows])
    return PeriodSummary(start, end, sum(t.count for t in totals), totals)


def pipeline_this_month(vault: Vault, today: date | None = None) -> PeriodSummary:
    """Open deals expected to close this month (the dashboard's tile)."""
    permissions.require(vault, "deals.view")
    day = today_of(vault, today)
    start = day.replace(day=1)
    return pipeline_summary(vault, start, _add_months(start, 1) - timedelta(days=1))


def month_filter(today: date) -> DealFilter:
    """The list filter behind `pipeline_this_month`."""
    start = today.replace(day=1)
    return DealFilter(status="open", close_from=start,
                      close_to=_add_months(start, 1) - timedelta(days=1))


# -- search --------------------------------------------------------------------------
def index_deals(session: Session, ids: Sequence[str]) -> None:
    """(Re)index these deals by their title (see services.search_index)."""
    search_index.index_deals(session, ids)


# -- inside: checking input -------------------------------------------------------------
def _name(value: str, what: str) -> str:
    text = clean_text(value)
    if not text:
        raise UserError(f"Give the {what} a name.")
    if len(text) > NAME_MAX:
        raise UserError(f"Keep the {what}'s name under {NAME_MAX} characters.")
    return check_no_card_number(text, f"{what}'s name")


def _percent(value: int | str | None, what: str) -> int:
    try:
        number = Decimal(str(value).strip().rstrip("%").strip())
    except ArithmeticError:
        number = Decimal(-1)
    if not number.is_finite() or number != number.to_integral_value() or not 0 <= number <= 100:
        raise UserError(f"The {what} must be a whole number from 0 to 100 percent; "
                        f"{quoted(str(value))} is not.")
    return int(number)


def _date(value: date | str | None) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        day = value
    else:
        text = (value or "").strip()
        if not text:
            raise UserError("Give the deal an expected close date.")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise UserError(f"The expected close date {quoted(text)} is not a date; use a "
                            "date such as 2026-12-31.") from None
    if not EARLIEST <= day <= LATEST:
        raise UserError(f"The expected close date {day.isoformat()} is not a likely date; "
                        "check the year.")
    return day


def _value(value: Decimal | str | int, currency: str) -> int:
    amount = rules.parse_decimal(value if value != "" else Decimal(0), "deal value")
    if amount < 0:
        raise UserError("A deal's value cannot be negative; enter 0 or more.")
    if amount >= MAX_VALUE:
        raise UserError("That value is too large for a deal.")
    rules.check_price_digits(amount, currency, "deal value")
    return to_minor(amount, currency)


def _text(value: str, limit: int, what: str, *, one_line: bool = True) -> str:
    text = clean_text(value) if one_line else (value or "").strip()
    if len(text) > limit:
        raise UserError(f"Keep the {what} under {limit} characters.")
    return check_no_card_number(text, what)


def _clean(s: Session, d: DealDraft, current: Deal | None = None) -> dict[str, Any]:
    title = _text(d.title, TITLE_MAX, "deal's title")
    if not title:
        raise UserError("Give the deal a title, such as what you hope to sell.")
    currency = rules.normalize_currency(d.currency or business.load_business(s).default_currency)
    pipeline = _load_pipeline(s, d.pipeline_id) if d.pipeline_id else (
        _load_pipeline(s, current.pipeline_id) if current is not None else _default_pipeline(s))
    if d.stage_id:
        stage = _load_stage(s, d.stage_id)
        if stage.pipeline_id != pipeline.id:
            raise UserError(f"That stage belongs to another pipeline; choose one of the "
                            f"stages of {pipeline.name}.")
    elif current is not None and current.pipeline_id == pipeline.id:
        stage = _load_stage(s, current.stage_id)
    else:
        stages = _stage_rows(s, pipeline.id)
        stage = next((st for st in stages if st.kind == "open"), stages[0])
    person_id = d.person_id or None
    organization_id = d.organization_id or None
    if person_id and s.get(Person, person_id) is None:
        raise UserError("That person no longer exists; choose the person again.")
    if organization_id and s.get(Organization, organization_id) is None:
        raise UserError("That company no longer exists; choose the company again.")
    if not (person_id or organization_id):
        raise UserError("Choose a person or a company for the deal.")
    probability = None if d.probability in (None, "") else _percent(
        d.probability, "deal's probability")
    return {
        "title": title,
        "title_key": sort_key(title)[:TITLE_MAX],
        "pipeline_id": pipeline.id,
        "stage": stage,
        "value_minor": _value(d.value, currency),
        "currency": currency,
        "expected_close": _date(d.expected_close),
        "owner": _text(d.owner, OWNER_MAX, "owner"),
        "next_step": _text(d.next_step, NEXT_STEP_MAX, "next step"),
        "person_id": person_id,
        "organization_id": organization_id,
        "probability": probability,
        "close_reason": _text(d.close_reason, 2000, "reason", one_line=False),
        "notes": _text(d.notes, NOTES_MAX, "deal's notes", one_line=False),
    }


def _reason(reason: str, kind: str) -> str:
    text = _text(reason, 2000, "reason", one_line=False)
    if kind == "lost" and not text:
        raise UserError("Say why the deal was lost; the reason helps with the next one.")
    return text


# -- inside: pipelines -----------------------------------------------------------------
def _ensure_pipeline(s: Session, now: datetime) -> None:
    if s.scalar(select(func.count()).select_from(Pipeline)):
        return
    _make_pipeline(s, "Sales", 0, is_default=True, now=now)


def _make_pipeline(s: Session, name: str, position: int, *, is_default: bool,
                   now: datetime) -> Pipeline:
    pipeline = Pipeline(name=name, position=position, is_default=is_default, created_at=now,
                        updated_at=now)
    s.add(pipeline)
    s.flush()
    for i, (stage_name, probability, kind) in enumerate(DEFAULT_STAGES):
        s.add(DealStage(pipeline_id=pipeline.id, name=stage_name, position=i,
                        probability=probability, kind=kind, created_at=now, updated_at=now))
    s.flush()
    return pipeline


def _pipelines(s: Session) -> list[PipelineRecord]:
    return [_pipeline_record(s, p) for p in
            s.scalars(select(Pipeline).order_by(Pipeline.position, Pipeline.id))]


def _pipeline_record(s: Session, p: Pipeline) -> PipelineRecord:
    return PipelineRecord(p.id, p.name, p.position, p.is_default,
                          tuple(_stage_record(st) for st in _stage_rows(s, p.id)))


def _stage_rows(s: Session, pipeline_id: str) -> list[DealStage]:
    return list(s.scalars(select(DealStage).where(DealStage.pipeline_id == pipeline_id)
                          .order_by(DealStage.position, DealStage.id)))


def _stage_record(st: DealStage) -> StageRecord:
    return StageRecord(st.id, st.pipeline_id, st.name, st.position, st.probability, st.kind)


def _renumber_stages(stages: Sequence[DealStage]) -> None:
    for i, st in enumerate(stages):
        if st.position != i:
            st.position = i


def _change_kind(s: Session, stage: DealStage, kind: str) -> None:
    if kind not in STAGE_KINDS:
        raise ValueError(f"unknown stage kind {kind!r}")
    held = s.scalar(select(func.count()).select_from(Deal).where(
        Deal.pipeline_id == stage.pipeline_id, Deal.stage_id == stage.id)) or 0
    if held:
        raise UserError(f"The stage {quoted(stage.name)} still has {held} "
                        f"deal{'s' if held != 1 else ''}; move "
                        f"{'them' if held != 1 else 'it'} to another stage before making "
                        f"it {'an' if kind == 'open' else 'a'} {kind} stage.")
    others_open = sum(st.kind == "open" for st in _stage_rows(s, stage.pipeline_id)
                      if st.id != stage.id)
    if stage.kind == "open" and not others_open:
        raise UserError("A pipeline needs at least one open stage; add another before "
                        "changing this one.")
    stage.kind = kind
    if kind != "open":
        stage.probability = 100 if kind == "won" else 0


def _check_unique_stage(stages: Sequence[DealStage], name: str) -> None:
    if any(st.name.casefold() == name.casefold() for st in stages):
        raise UserError(f"This pipeline already has a stage called {quoted(name)}; choose "
                        "another name.")


def _default_pipeline(s: Session) -> Pipeline:
    pipeline = s.scalars(select(Pipeline).order_by(
        Pipeline.is_default.desc(), Pipeline.position, Pipeline.id)).first()
    if pipeline is None:
        raise UserError("There is no pipeline yet; add one on the Deals page.")
    return pipeline


def _load_pipeline(s: Session, pipeline_id: str | None) -> Pipeline:
    pipeline = s.get(Pipeline, pipeline_id) if pipeline_id else None
    if pipeline is None:
        raise UserError("That pipeline no longer exists; choose another one.")
    return pipeline


def _load_stage(s: Session, stage_id: str | None) -> DealStage:
    stage = s.get(DealStage, stage_id) if stage_id else None
    if stage is None:
        raise UserError("That stage no longer exists; choose another one.")
    return stage


def _closing_stage(vault: Vault, deal_id: str, kind: str) -> str:
    with vault.unit_of_work() as uow:
        s = uow.session
        deal = _load(s, deal_id)
        stage = next((st for st in _stage_rows(s, deal.pipeline_id) if st.kind == kind), None)
        if stage is None:
            raise UserError(f"This pipeline has no {kind} stage; add one in the pipeline "
                            "settings.")
        return stage.id


# -- inside: positions and moves ---------------------------------------------------------
def _edge(s: Session, stage: DealStage, *, last: bool, skip: str = "") -> int:
    column = func.max(Deal.position) if last else func.min(Deal.position)
    value = s.scalar(select(column).where(Deal.pipeline_id == stage.pipeline_id,
                                          Deal.stage_id == stage.id, Deal.id != skip))
    return int(value) if value is not None else 0


def _end_position(s: Session, stage: DealStage, *, top: bool = False, skip: str = "") -> int:
    s.flush()
    has_any = s.scalar(select(func.count()).select_from(Deal).where(
        Deal.pipeline_id == stage.pipeline_id, Deal.stage_id == stage.id, Deal.id != skip))
    if not has_any:
        return 0
    return _edge(s, stage, last=not top, skip=skip) + (-GAP if top else GAP)


def _position_at(s: Session, stage: DealStage, index: int, skip: str) -> int:
    """A position that puts a card at `index` among the column's other cards, renumbering
    the column (in steps of GAP) when its neighbours leave no room."""
    for _attempt in range(2):
        s.flush()
        before = s.execute(
            select(Deal.position).where(Deal.pipeline_id == stage.pipeline_id,
                                        Deal.stage_id == stage.id, Deal.id != skip)
            .order_by(Deal.position, Deal.id).limit(index + 1)
        ).scalars().all()
        if not before:
            return 0
        if index >= len(before):
            return before[-1] + GAP
        after = before[index]
        if index == 0:
            return after - GAP
        prev = before[index - 1]
        if after - prev >= 2:
            return (prev + after) // 2
        _renumber_column(s, stage, skip)
    raise AssertionError("a renumbered column always has room")


def _renumber_column(s: Session, stage: DealStage, skip: str) -> None:
    ids = s.execute(select(Deal.id).where(Deal.pipeline_id == stage.pipeline_id,
                                          Deal.stage_id == stage.id, Deal.id != skip)
                    .order_by(Deal.position, Deal.id)).scalars().all()
    for n, deal_id in enumerate(ids):
        s.execute(update(Deal).where(Deal.id == deal_id).values(position=(n + 1) * GAP))


def _place(s: Session, deal: Deal, stage: DealStage, position: int, now: datetime, *,
           reason: str, today: date | None = None) -> None:
    """Put the deal in `stage` at `position`, with close date and reason and the
    timeline entries a stage change brings."""
    moved = stage.id != deal.stage_id
    old_status = deal.status
    if moved and stage.kind != "open":
        reason = _reason(reason, stage.kind)
    deal.position = position
    if not moved:
        deal.updated_at = now
        return
    old_stage = s.get(DealStage, deal.stage_id)
    deal.stage_id = stage.id
    deal.pipeline_id = stage.pipeline_id
    deal.status = stage.kind
    deal.updated_at = now
    _close_fields(deal, stage, reason, today or now.date(), keep=old_status == stage.kind)
    s.flush()
    if stage.kind == "open":
        _note(s, deal, f"Deal moved to {stage.name}: {deal.title}"
              + (f" (from {old_stage.name})" if old_stage is not None else ""), now)
    else:
        _note(s, deal, _closed_subject(deal), now, body=deal.close_reason)
    audit.add(s, f"deal.stage:{stage.kind}", "deal", deal.id)


def _close_fields(deal: Deal, stage: DealStage, reason: str, today: date, *,
                  keep: bool = False) -> None:
    if stage.kind == "open":
        deal.closed_on, deal.close_reason = None, ""
    elif not keep or deal.closed_on is None:
        deal.closed_on = today
        deal.close_reason = _reason(reason, stage.kind)


def _closed_subject(deal: Deal) -> str:
    word = "won" if deal.status == "won" else "lost"
    return f"Deal {word}: {deal.title}"


def _note(s: Session, deal: Deal, subject: str, now: datetime, body: str = "") -> None:
    if deal.person_id or deal.organization_id:
        add_timeline(s, "deal", deal.id, deal.person_id, deal.organization_id, subject, now,
                     body)


def _money(s: Session, deal: Deal) -> str:
    return money_text(deal.value_minor, deal.currency, business.load_business(s).locale)


# -- inside: reading ---------------------------------------------------------------------
def _probability_sql() -> Any:
    """The effective percent of a deal joined with its stage."""
    return case((Deal.status == "won", 100), (Deal.status == "lost", 0),
                else_=func.coalesce(Deal.probability, DealStage.probability))


def _weighted(value_times_percent: int, currency: str) -> Decimal:
    minor = (Decimal(int(value_times_percent)) / 100).quantize(Decimal(1),
                                                              rounding=ROUND_HALF_UP)
    return from_minor(int(minor), currency)


def _totals(rows: Sequence[tuple[str, int, int, int]]) -> tuple[CurrencyTotal, ...]:
    merged: dict[str, list[int]] = {}
    for currency, count, value, weighted in rows:
        cell = merged.setdefault(currency, [0, 0, 0])
        cell[0] += count
        cell[1] += int(value)
        cell[2] += int(weighted)
    out = [CurrencyTotal(c, n, from_minor(v, c), _weighted(w, c))
           for c, (n, v, w) in merged.items()]
    return tuple(sorted(out, key=lambda t: (-t.count, t.currency)))


def _effective(deal_probability: int | None, stage_probability: int, status: str) -> int:
    if status == "won":
        return 100
    if status == "lost":
        return 0
    return stage_probability if deal_probability is None else deal_probability


def _customer_columns() -> tuple[Any, Any]:
    return (func.coalesce(Organization.name, "").label("org_name"),
            func.coalesce(Person.display_name, "").label("person_name"))


def _card_query() -> Any:
    org, person = _customer_columns()
    return (select(Deal.id, Deal.title, org, person, Deal.value_minor, Deal.currency,
                   Deal.expected_close, Deal.probability, DealStage.probability,
                   Deal.owner, Deal.next_step, Deal.status, Deal.position, Deal.closed_on)
            .join(DealStage, DealStage.id == Deal.stage_id)
            .outerjoin(Organization, Organization.id == Deal.organization_id)
            .outerjoin(Person, Person.id == Deal.person_id))


def _card(r: Sequence[Any]) -> DealCard:
    (deal_id, title, org, person, value, currency, close, own, stage_p, owner, next_step,
     status, position, closed_on) = r
    return DealCard(deal_id, title, org or person, from_minor(value, currency), currency,
                    close, _effective(own, stage_p, status), owner, next_step, status, position,
                    closed_on)


def _rows_query() -> Any:
    org, person = _customer_columns()
    return (select(Deal.id, Deal.title, org, person, DealStage.name, Deal.status,
                   Deal.value_minor, Deal.currency, Deal.probability, DealStage.probability,
                   Deal.expected_close, Deal.owner, Deal.next_step, Deal.title_key,
                   Deal.created_at)
            .join(DealStage, DealStage.id == Deal.stage_id)
            .outerjoin(Organization, Organization.id == Deal.organization_id)
            .outerjoin(Person, Person.id == Deal.person_id))


def _row(r: Sequence[Any], sort: str) -> DealRow:
    (deal_id, title, org, person, stage_name, status, value, currency, own, stage_p, close,
     owner, next_step, title_key, created) = r
    probability = _effective(own, stage_p, status)
    key_value = {"expected_close": close, "title": title_key, "value": value,
                 "created": created}[sort]
    return DealRow(deal_id, title, org or person, stage_name, status,
                   from_minor(value, currency), currency, probability,
                   _weighted(value * probability, currency), close, owner, next_step,
                   (key_value, deal_id))


def _key_value(sort: str, value: Any) -> Any:
    """A page key as given back (JSON from the command line gives text for dates)."""
    if sort == "expected_close" and isinstance(value, str):
        return date.fromisoformat(value)
    if sort == "created" and isinstance(value, str):
        return datetime.fromisoformat(value)
    if sort == "value":
        return int(value)
    return value


def _filters(f: DealFilter) -> list[Any]:
    where: list[Any] = []
    if f.pipeline_id:
        where.append(Deal.pipeline_id == f.pipeline_id)
    if f.stage_id:
        where.append(Deal.stage_id == f.stage_id)
    if f.owner:
        where.append(Deal.owner == f.owner)
    if f.status:
        if f.status not in STAGE_KINDS:
            raise ValueError(f"unknown deal status {f.status!r}")
        where.append(Deal.status == f.status)
    if f.close_from is not None:
        where.append(Deal.expected_close >= f.close_from)
    if f.close_to is not None:
        where.append(Deal.expected_close <= f.close_to)
    if f.person_id:
        where.append(Deal.person_id == f.person_id)
    if f.organization_id:
        where.append(Deal.organization_id == f.organization_id)
    return where


def _load(s: Session, deal_id: str) -> Deal:
    deal = s.get(Deal, deal_id) if deal_id else None
    if deal is None:
        raise UserError("That deal no longer exists (it may have been deleted meanwhile).")
    return deal


def _record(s: Session, deal: Deal) -> DealRecord:
    stage = s.get(DealStage, deal.stage_id)
    pipeline = s.get(Pipeline, deal.pipeline_id)
    person = s.get(Person, deal.person_id) if deal.person_id else None
    org = s.get(Organization, deal.organization_id) if deal.organization_id else None
    probability = _effective(deal.probability, stage.probability if stage else 0, deal.status)
    links = tuple(QuoteLink(q.id, q.number, q.status) for q in s.scalars(
        select(Quote).where(Quote.deal_id == deal.id).order_by(Quote.created_at, Quote.id)))
    return DealRecord(
        id=deal.id, title=deal.title, pipeline_id=deal.pipeline_id,
        pipeline_name=pipeline.name if pipeline else "", stage_id=deal.stage_id,
        stage_name=stage.name if stage else "", status=deal.status, position=deal.position,
        value=from_minor(deal.value_minor, deal.currency), currency=deal.currency,
        expected_close=deal.expected_close, owner=deal.owner, next_step=deal.next_step,
        person_id=deal.person_id, person_name=person.display_name if person else "",
        organization_id=deal.organization_id, organization_name=org.name if org else "",
        probability=deal.probability, effective_probability=probability,
        weighted=_weighted(deal.value_minor * probability, deal.currency),
        closed_on=deal.closed_on, close_reason=deal.close_reason, notes=deal.notes,
        quotes=links, created_at=deal.created_at, updated_at=deal.updated_at,
    )


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)

