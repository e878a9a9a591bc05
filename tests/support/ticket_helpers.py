"""Helpers for the Tickets page's GUI tests (the fixtures are in ticket_desk.py)."""

from __future__ import annotations

from typing import Any

WAIT = 20_000


def new_ticket(vault: Any, person: Any, subject: str, **more: Any) -> Any:
    from crasme_desktop.services import tickets
    from crasme_desktop.services.tickets import TicketDraft

    body = more.pop("body", "It is broken.")
    return tickets.create_ticket(vault, TicketDraft(subject=subject, requester_id=person.id,
                                                    **more), body=body)


def numbers(page: Any) -> list[int]:
    return [r.number for r in page.model.rows]


def attach(qtbot: Any, page: Any, vault: Any, queue: str = "all_open") -> None:
    page.attach(vault)
    qtbot.waitUntil(lambda: page.counts is not None and loaded(page), timeout=WAIT)
    if queue != "all_open":
        choose_queue(qtbot, page, queue)


def choose_queue(qtbot: Any, page: Any, queue: str) -> None:
    page.queues.setCurrentItem(page.queues.item_of(queue))
    qtbot.waitUntil(lambda: loaded(page), timeout=WAIT)


def loaded(page: Any) -> bool:
    """The first page of the list is in."""
    return not page.model.loading and (bool(page.model.rows) or page.model.complete)


def count_of(page: Any, queue: str) -> Any:
    from crasme_desktop.ui.pages.tickets import COUNT_ROLE

    return page.queues.item_of(queue).data(COUNT_ROLE)
