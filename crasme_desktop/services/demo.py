"""Sample data, so a new office can try everything before typing its own.

Deterministic for a seed. Later areas (deals, invoices, tickets, jobs) add theirs here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.models import Activity, Organization, Person, PersonEmail, PersonPhone
from crasme_desktop.domain.progress import Progress
from crasme_desktop.services import audit
from crasme_desktop.vault import Vault

GIVEN = [
    "Maria",
    "Jonas",
    "Petra",
    "Tomasz",
    "Anna",
    "Lukas",
    "Sofia",
    "Jan",
    "Elena",
    "Mateo",
    "Lea",
    "Noah",
    "Aylin",
    "Emil",
    "Ines",
    "Karl",
    "Mia",
    "Felix",
    "Hanna",
    "Oskar",
    "Zoe",
    "Ben",
    "Clara",
    "Theo",
    "Nora",
    "Paul",
    "Lina",
    "Arne",
    "Ida",
    "Milan",
    "Greta",
    "Leon",
]
FAMILY = [
    "Kühnemann",
    "Schneider",
    "Nowak",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Dubois",
    "Rossi",
    "García",
    "Jansen",
    "Novák",
    "Kowalski",
    "Berg",
    "Lindqvist",
    "Brennan",
    "O'Neill",
    "Moreau",
    "Costa",
    "Horvat",
    "Varga",
    "Petrov",
    "Yılmaz",
    "Nielsen",
    "Andersen",
    "Müller",
    "Schäfer",
    "Koch",
    "Richter",
]
COMPANY_WORDS = [
    "Bau",
    "Haustechnik",
    "Sanitär",
    "Elektro",
    "Dach",
    "Holz",
    "Glas",
    "Garten",
    "Metall",
    "Fenster",
    "Solar",
    "Maler",
]
COMPANY_FORMS = ("GmbH", "KG", "& Söhne", "AG", "e.K.", "Ltd")
NOTES = (
    "Prefers calls in the morning.",
    "Invoices to the office address, please.",
    "Met at the trade fair.",
    "Has a second site across town.",
    "",
    "",
)
BATCH = 2000


@dataclass(frozen=True)
class DemoResult:
    people: int
    organizations: int
    activities: int


def fill_demo(
    vault: Vault, *, contacts: int, progress: Progress | None = None, seed: int = 7
) -> DemoResult:
    """Add `contacts` people in about contacts/8 companies, with a few timeline entries."""
    if contacts < 0:
        raise ValueError("contacts must not be negative")
    rng = random.Random(seed)
    progress = progress or Progress()
    now = datetime.now(UTC)
    n_orgs = max(1, contacts // 8) if contacts else 0
    orgs = [
        {
            "id": new_id(),
            "name": f"{rng.choice(FAMILY)} {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_FORMS)}",
            "tax_id": f"DE{rng.randrange(10**8, 10**9)}",
            "website": "",
            "notes": "",
            "created_at": now,
            "updated_at": now,
        }
        for _ in range(n_orgs)
    ]
    activities = 0
    # One transaction for all of it: a cancelled or failed fill leaves the vault as it was.
    with vault.unit_of_work() as uow:
        if orgs:
            uow.session.execute(insert(Organization), orgs)
        audit.add(uow.session, "demo.fill", "vault", "")
        for done in range(0, contacts, BATCH):
            progress.update(done, contacts, f"Adding sample people ({done} of {contacts})")
            people, emails, phones, acts = _people(
                rng, orgs, done, min(BATCH, contacts - done), now
            )
            uow.session.execute(insert(Person), people)
            uow.session.execute(insert(PersonEmail), emails)
            uow.session.execute(insert(PersonPhone), phones)
            if acts:
                uow.session.execute(insert(Activity), acts)
            activities += len(acts)
        progress.check()
    progress.update(contacts, contacts, "Sample data added")
    return DemoResult(contacts, len(orgs), activities)


Rows = list[dict[str, object]]


def _people(
    rng: random.Random, orgs: Rows, start: int, size: int, now: datetime
) -> tuple[Rows, Rows, Rows, Rows]:
    people: Rows = []
    emails: Rows = []
    phones: Rows = []
    acts: Rows = []
    for i in range(start, start + size):
        pid = new_id()
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        org = orgs[rng.randrange(len(orgs))] if orgs else None
        people.append(
            {
                "id": pid,
                "given_name": given,
                "family_name": family,
                "job_title": rng.choice(("Owner", "Office manager", "Buyer", "Site lead", "")),
                "organization_id": org["id"] if org else None,
                "notes": rng.choice(NOTES),
                "created_at": now,
                "updated_at": now,
            }
        )
        local = f"{given}.{family}".lower().replace("'", "")
        emails.append(_child(pid, now, address=f"{local}.{i}@example.com", kind="work"))
        phones.append(_child(pid, now, number=f"+49301{rng.randrange(10**6, 10**7)}"))
        if rng.random() < 0.3:
            acts.append(
                {
                    "id": new_id(),
                    "kind": rng.choice(("note", "call", "meeting", "email")),
                    "subject": rng.choice(("Quote follow-up", "Site visit", "Callback")),
                    "body": "",
                    "occurred_at": now - timedelta(days=rng.randrange(0, 365)),
                    "person_id": pid,
                    "organization_id": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    return people, emails, phones, acts


def _child(person_id: str, now: datetime, **values: str) -> dict[str, object]:
    return {
        "id": new_id(),
        "person_id": person_id,
        "kind": values.pop("kind", "work"),
        "position": 0,
        "created_at": now,
        "updated_at": now,
        **values,
    }
