"""The crash-test worker: real writes through the services until it is killed.

    python -m tests.crash.worker VAULT LOGFILE SEED

opens VAULT with the passphrase in $CRASME_CRASH_PASSPHRASE (no keychain) and loops
for ever: creates, edits and erases people, imports a small CSV, issues invoices,
makes backups (into $CRASME_CRASH_BACKUPS, default "<vault> crash backups") and now
and then rotates the vault's key. Around every operation it appends a line to
LOGFILE and fsyncs it:

    begin <op> <args...>        before the service is called
    committed <op> <args...>    only after the service call returned

so that the parent (tests/crash/test_crash_kill.py), which kills this process with
SIGKILL at a random moment, knows what must be in the vault ("committed") and what
may or may not be ("begin" without "committed"), and can check nothing else is.

    python -m tests.crash.worker --serve

is the same worker behind a fork server, to keep 200+ kills within CI's time: it
imports everything once, then for each line `VAULT LOGFILE SEED` on stdin forks a
child that runs the loop above, prints the child's pid, and, once the child has
ended, prints `ended <wait status>`. A forked child is a fresh process as far as
the vault is concerned: the server itself never opens a vault.
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

PASSPHRASE_ENV = "CRASME_CRASH_PASSPHRASE"
BACKUPS_ENV = "CRASME_CRASH_BACKUPS"
#: Operations and how often each is picked.
OPERATIONS = {
    "create": 30,
    "update": 20,
    "delete": 10,
    "import": 8,
    "invoice": 20,
    "backup": 6,
    "rekey": 2,
}
CUSTOMER = "Crash Customer GmbH"
SELLER_NAME = "Crash Test Seller"
ISSUE_DAY = date(2026, 3, 2)


class Log:
    """An append-only log whose every line is on disk before `write` returns."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    def write(self, *words: object) -> None:
        os.write(self._fd, (" ".join(map(str, words)) + "\n").encode("utf-8"))
        os.fsync(self._fd)


def backups_folder(vault_path: Path) -> Path:
    return Path(os.environ.get(BACKUPS_ENV) or vault_path.with_name(
        f"{vault_path.stem} crash backups"))


def prepare(vault_path: Path, passphrase: str) -> None:
    """What the vault needs before the loop (run once by the parent, not killed):
    the business settings that issuing needs and one customer."""
    from crasme_desktop.services import business, contacts
    from crasme_desktop.services.contacts import OrganizationDraft
    from crasme_desktop.vault import open_vault

    with open_vault(vault_path, passphrase=passphrase, use_keychain=False) as vault:
        business.save_business(vault, business.BusinessSettings(
            name=SELLER_NAME, address_lines=("Kantstraße 3", "10623 Berlin"),
            country_code="DE"))
        contacts.create_organization(vault, OrganizationDraft(CUSTOMER))


def run(vault_path: Path, log_path: Path, seed: int) -> None:
    from crasme_desktop.domain.models import Person
    from crasme_desktop.services import backups, contacts, importing, invoices
    from crasme_desktop.services.contacts import EmailDraft, PersonDraft
    from crasme_desktop.services.invoices import InvoiceDraft
    from crasme_desktop.services.quotes import LineDraft
    from crasme_desktop.vault import open_vault
    from sqlalchemy import func, select

    passphrase = os.environ[PASSPHRASE_ENV]
    rng = random.Random(seed)
    log = Log(log_path)
    work = log_path.parent / "worker-files"
    work.mkdir(exist_ok=True)
    folder = backups_folder(vault_path)
    log.write("begin open", seed)
    vault = open_vault(vault_path, passphrase=passphrase, use_keychain=False)
    log.write("committed open", seed)
    customer = contacts.find_organizations(vault, CUSTOMER)[0].id
    ops, weights = zip(*OPERATIONS.items(), strict=True)
    serial = 0

    def some_person() -> str | None:
        with vault.unit_of_work() as uow:
            s = uow.session
            # Only people made by "create": the imported ones stay as imported, so that
            # the parent can check every import is whole.
            made = Person.given_name == "Crash"
            count = s.scalar(select(func.count()).select_from(Person).where(made)) or 0
            if not count:
                return None
            return s.scalar(select(Person.id).where(made).order_by(Person.id)
                            .offset(rng.randrange(count)).limit(1))

    while True:
        serial += 1
        tag = f"s{seed}n{serial}"
        op = rng.choices(ops, weights)[0]
        if op == "create":
            email = f"{tag}@crash.example"
            log.write("begin create", email)
            made = contacts.create_person(vault, PersonDraft(
                given_name="Crash", family_name=f"Made {tag}",
                emails=(EmailDraft(email), EmailDraft(f"{tag}.home@crash.example", "home")),
                notes=f"note {tag}"))
            log.write("committed create", made.id, email)
        elif op == "update":
            person_id = some_person()
            if person_id is None:
                continue
            name = f"Edited-{tag}"
            log.write("begin update", person_id, name)
            draft = contacts.get_person(vault, person_id).draft()
            contacts.update_person(vault, person_id,
                                   replace(draft, family_name=name, display_name=""))
            log.write("committed update", person_id, name)
        elif op == "delete":
            person_id = some_person()
            if person_id is None:
                continue
            log.write("begin delete", person_id)
            contacts.delete_person(vault, person_id)
            log.write("committed delete", person_id)
        elif op == "import":
            rows = rng.randint(2, 6)
            csv = work / f"{tag}.csv"
            csv.write_text("First Name,Last Name,Email\n" + "".join(
                f"Imported,Row {i} {tag},imp{i}-{tag}@crash.example\n" for i in range(rows)),
                encoding="utf-8")
            log.write("begin import", tag, rows)
            outcome = importing.commit_import(vault, importing.plan_import(vault, csv))
            log.write("committed import", tag, outcome.people_created)
            csv.unlink()
        elif op == "invoice":
            draft = invoices.save_invoice_draft(vault, InvoiceDraft(
                customer_organization_id=customer,
                lines=(LineDraft(f"Work {tag}", Decimal(rng.randint(1, 9)), "h",
                                 Decimal("80.00")),)))
            log.write("begin issue", draft.id)
            issued = invoices.issue_invoice(vault, draft.id, today=ISSUE_DAY)
            log.write("committed issue", issued.id, issued.number)
        elif op == "backup":
            log.write("begin backup")
            info = backups.make_backup(vault, folder=folder)
            log.write("committed backup", info.path.name)
        elif op == "rekey":
            log.write("begin rekey")
            vault.rekey(passphrase)
            log.write("committed rekey")


def serve() -> None:
    """The fork server (see the module's text)."""
    # Everything the children need, imported once here.
    import crasme_desktop.services.backups
    import crasme_desktop.services.contacts
    import crasme_desktop.services.importing
    import crasme_desktop.services.invoices
    import crasme_desktop.vault  # noqa: F401

    for line in sys.stdin:
        vault, log, seed = line.rstrip("\n").split("\t")
        pid = os.fork()
        if pid == 0:
            _child(Path(vault), Path(log), int(seed))
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"ended {status}", flush=True)


def _child(vault: Path, log: Path, seed: int) -> None:
    code = 0
    try:
        sys.stdin.close()
        run(vault, log, seed)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        code = 3
    os._exit(code)


def main(argv: list[str]) -> int:
    if argv == ["--serve"]:
        serve()
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    run(Path(argv[0]), Path(argv[1]), int(argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
