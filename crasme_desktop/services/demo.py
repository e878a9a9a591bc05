"""Sample data, so a new office can try everything before typing its own.

Deterministic for a seed. People come from several countries and scripts, work at
companies in their country, and have typed emails, E.164 phones, addresses, tags and
a timeline of notes, calls, meetings, emails and tasks (a few with attachments).
Rows go in with bulk `insert()` (executemany) in one transaction, so 100k people
take seconds and a cancelled fill leaves nothing behind. Later areas (deals,
invoices, tickets, jobs, users) add theirs here.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from crasme_desktop.domain.ids import new_id
from crasme_desktop.domain.models import (
    Activity,
    AppUser,
    Attachment,
    AttachmentContent,
    Organization,
    Person,
    PersonEmail,
    PersonPhone,
    PostalAddress,
    Role,
    RolePermission,
    Tag,
    organization_tag,
    person_tag,
)
from crasme_desktop.domain.permissions import BUILTIN_ROLE_IDS
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.search_text import organization_text, person_text
from crasme_desktop.domain.validation import default_display_name, sort_key
from crasme_desktop.services import audit, demo_jobs, demo_tickets, search_index
from crasme_desktop.vault import Vault

BATCH = 2000
FILL_CACHE_KIB = 128 * 1024
SOURCE = "sample data"


@dataclass(frozen=True)
class Country:
    """Names and places of one country. Names are (as written, in Latin letters)."""

    code: str
    given: tuple[tuple[str, str], ...]
    family: tuple[tuple[str, str], ...]
    #: (postal code pattern, city, region); "#" is a random digit.
    cities: tuple[tuple[str, str, str], ...]
    streets: tuple[str, ...]
    #: Phone number patterns in E.164, "#" is a random digit; the last is a mobile.
    phones: tuple[str, ...]
    company_words: tuple[str, ...]
    company_forms: tuple[str, ...]
    tld: str
    tax_id: str
    weight: int


def _latin(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((n, n) for n in names)


COUNTRIES = (
    Country(
        "DE",
        _latin("Jonas", "Petra", "Lukas", "Hanna", "Felix", "Greta", "Jürgen", "Sören", "Mia"),
        _latin("Kühnemann", "Schneider", "Fischer", "Weber", "Müller", "Schäfer", "Koch",
               "Becker", "Groß"),
        (("10###", "Berlin", "Berlin"), ("80###", "München", "Bayern"),
         ("50###", "Köln", "Nordrhein-Westfalen"), ("20###", "Hamburg", "Hamburg")),
        ("Hauptstraße", "Gartenweg", "Bahnhofstraße", "Lindenallee", "Schulstraße"),
        ("+4930#######", "+4989#######", "+49151########"),
        ("Bau", "Haustechnik", "Sanitär", "Elektro", "Dach", "Holz", "Fenster", "Solar"),
        ("GmbH", "KG", "& Söhne", "AG", "e.K."),
        "de", "DE#########", 30,
    ),
    Country(
        "FR",
        _latin("Élodie", "Mathéo", "Chloé", "Hugo", "Inès", "Léa", "Théo", "Zoé"),
        _latin("Dubois", "Moreau", "Lefèvre", "Girard", "Bonnet", "Rousseau", "Faure"),
        (("750##", "Paris", "Île-de-France"), ("690##", "Lyon", "Auvergne-Rhône-Alpes"),
         ("130##", "Marseille", "Provence-Alpes-Côte d'Azur")),
        ("rue de la République", "avenue Jean Jaurès", "boulevard Voltaire", "rue Victor Hugo"),
        ("+331########", "+334########", "+336########"),
        ("Bâtiment", "Plomberie", "Menuiserie", "Électricité", "Toiture"),
        ("SARL", "SAS", "SA", "et Fils"),
        "fr", "FR###########", 10,
    ),
    Country(
        "ES",
        _latin("Mateo", "Lucía", "Sofía", "Martín", "Álvaro", "Paula", "Iñigo"),
        _latin("García", "Fernández", "López", "Martínez", "Sánchez", "Muñoz", "Núñez"),
        (("280##", "Madrid", "Madrid"), ("080##", "Barcelona", "Cataluña"),
         ("410##", "Sevilla", "Andalucía")),
        ("Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Paseo del Prado"),
        ("+3491#######", "+3493#######", "+346########"),
        ("Construcciones", "Fontanería", "Reformas", "Carpintería"),
        ("S.L.", "S.A."),
        "es", "ESB########", 8,
    ),
    Country(
        "PL",
        _latin("Tomasz", "Agnieszka", "Małgorzata", "Paweł", "Zofia", "Łukasz", "Krzysztof"),
        _latin("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowski"),
        (("00-###", "Warszawa", "mazowieckie"), ("30-###", "Kraków", "małopolskie"),
         ("80-###", "Gdańsk", "pomorskie")),
        ("ul. Długa", "ul. Kwiatowa", "ul. Polna", "ul. Leśna"),
        ("+4822#######", "+4812#######", "+4850#######"),
        ("Budownictwo", "Instalacje", "Dachy", "Stolarka"),
        ("Sp. z o.o.", "S.A."),
        "pl", "PL##########", 6,
    ),
    Country(
        "TR",
        _latin("Aylin", "Emre", "Zeynep", "Mehmet", "Elif", "Çağrı", "Gül"),
        _latin("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın"),
        (("34###", "İstanbul", "İstanbul"), ("06###", "Ankara", "Ankara"),
         ("35###", "İzmir", "İzmir")),
        ("Atatürk Caddesi", "Cumhuriyet Sokak", "İstiklal Caddesi"),
        ("+90212#######", "+90312#######", "+90532#######"),
        ("İnşaat", "Tesisat", "Yapı", "Elektrik"),
        ("A.Ş.", "Ltd. Şti."),
        "com.tr", "##########", 5,
    ),
    Country(
        "GR",
        (("Γιώργος", "Giorgos"), ("Μαρία", "Maria"), ("Νίκος", "Nikos"),
         ("Ελένη", "Eleni"), ("Δημήτρης", "Dimitris")),
        (("Παπαδόπουλος", "Papadopoulos"), ("Οικονόμου", "Oikonomou"),
         ("Γεωργίου", "Georgiou"), ("Νικολάου", "Nikolaou")),
        (("10# ##", "Αθήνα", "Αττική"), ("54# ##", "Θεσσαλονίκη", "Κεντρική Μακεδονία")),
        ("Οδός Ερμού", "Λεωφόρος Συγγρού", "Οδός Πατησίων"),
        ("+30210#######", "+30231#######", "+3069########"),
        ("Κατασκευές", "Τεχνική", "Ηλεκτρολογική"),
        ("Α.Ε.", "Ε.Π.Ε."),
        "gr", "EL#########", 3,
    ),
    Country(
        "UA",
        (("Олександр", "Oleksandr"), ("Олена", "Olena"), ("Андрій", "Andrii"),
         ("Ірина", "Iryna"), ("Дмитро", "Dmytro")),
        (("Шевченко", "Shevchenko"), ("Коваленко", "Kovalenko"), ("Бондаренко", "Bondarenko"),
         ("Ткаченко", "Tkachenko")),
        (("01###", "Київ", "Київ"), ("79###", "Львів", "Львівська область")),
        ("вул. Хрещатик", "вул. Січових Стрільців", "просп. Свободи"),
        ("+38044#######", "+38032#######", "+38067#######"),
        ("Будівництво", "Сантехніка", "Електромонтаж"),
        ("ТОВ",),
        "com.ua", "##########", 3,
    ),
    Country(
        "JP",
        (("太郎", "taro"), ("花子", "hanako"), ("健太", "kenta"), ("さくら", "sakura"),
         ("翔", "sho")),
        (("山田", "yamada"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"),
         ("田中", "tanaka")),
        (("100-####", "千代田区", "東京都"), ("530-####", "大阪市", "大阪府")),
        ("丸の内1-1", "梅田2-4", "銀座3-7"),
        ("+813########", "+816########", "+8190########"),
        ("建設", "工務店", "設備"),
        ("株式会社",),
        "co.jp", "T#############", 4,
    ),
    Country(
        "CN",
        (("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("强", "qiang"), ("静", "jing")),
        (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen")),
        (("100###", "北京", "北京市"), ("200###", "上海", "上海市")),
        ("长安街1号", "南京路88号", "人民路12号"),
        ("+8610########", "+8621########", "+86138########"),
        ("建筑", "装修", "机电"),
        ("有限公司",),
        "cn", "91##############", 3,
    ),
    Country(
        "KR",
        (("민준", "minjun"), ("서연", "seoyeon"), ("지호", "jiho"), ("하은", "haeun")),
        (("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi")),
        (("04###", "서울", "서울특별시"), ("48###", "부산", "부산광역시")),
        ("세종대로 110", "테헤란로 152", "해운대로 264"),
        ("+822########", "+8251#######", "+8210########"),
        ("건설", "설비", "전기"),
        ("주식회사",),
        "co.kr", "###-##-#####", 2,
    ),
    Country(
        "GB",
        _latin("Oliver", "Amelia", "Harry", "Isla", "George", "Siobhán", "Rhys"),
        _latin("Smith", "Jones", "Brennan", "O'Neill", "Taylor", "Evans", "Davies"),
        (("SW1A #AA", "London", "England"), ("M1 #AB", "Manchester", "England"),
         ("EH1 #BB", "Edinburgh", "Scotland")),
        ("High Street", "Station Road", "Church Lane", "Victoria Road"),
        ("+44207946####", "+44161496####", "+447700900###"),
        ("Builders", "Plumbing", "Roofing", "Electrical"),
        ("Ltd", "& Sons", "plc"),
        "co.uk", "GB#########", 5,
    ),
    Country(
        "US",
        _latin("James", "Emily", "Michael", "Olivia", "Daniel", "Ava", "José"),
        _latin("Johnson", "Williams", "Brown", "Miller", "Davis", "Rodriguez", "Nguyen"),
        (("100##", "New York", "NY"), ("606##", "Chicago", "IL"), ("787##", "Austin", "TX")),
        ("Main Street", "Oak Avenue", "Maple Drive", "Park Place"),
        ("+1212555####", "+1312555####", "+1512555####"),
        ("Construction", "Plumbing", "Home Services", "Electric"),
        ("Inc.", "LLC", "Co."),
        "com", "##-#######", 6,
    ),
    Country(
        "SE",
        _latin("Erik", "Astrid", "Björn", "Ingrid", "Måns", "Linnéa"),
        _latin("Lindqvist", "Andersson", "Johansson", "Ström", "Åberg"),
        (("111 ##", "Stockholm", "Stockholms län"), ("411 ##", "Göteborg", "Västra Götaland")),
        ("Drottninggatan", "Storgatan", "Kungsgatan"),
        ("+468#######", "+4631######", "+4670#######"),
        ("Bygg", "VVS", "El", "Måleri"),
        ("AB",),
        "se", "SE############", 3,
    ),
)

TAGS = ("Customer", "Lead", "Supplier", "Partner", "VIP", "Newsletter", "Follow up",
        "Trade fair", "Key account", "Inactive")
OWNERS = ("", "anna", "ben", "carla", "deniz")
SOURCES = ("Website", "Referral", "Trade fair", "Phone", "Walk-in", "Import")
JOB_TITLES = ("Owner", "Office manager", "Buyer", "Site lead", "Accountant",
              "Project manager", "Managing director", "")
NOTES = (
    "Prefers calls in the morning.",
    "Invoices to the office address, please.",
    "Met at the trade fair.",
    "Has a second site across town.",
    "",
    "",
    "",
)
CALLS = ("Callback about the quote", "Asked for a site visit", "Questions about the invoice",
         "Follow-up after the fair", "Complaint about a delay")
MEETINGS = ("Site visit", "Kick-off on site", "Annual review", "Showroom visit")
EMAILS = ("Quote sent", "Order confirmation", "Photos of the site", "Dates for next week")
TASKS = ("Send the quote", "Call back", "Check the measurements", "Order materials",
         "Book the scaffolding")
NOTE_BODIES = ("Wants the work done before the holidays.", "Keys are with the neighbour.",
               "Parking in the yard is fine.", "Pays by bank transfer only.")


@dataclass(frozen=True)
class DemoResult:
    people: int
    organizations: int
    activities: int


Rows = list[dict[str, object]]


class _Batch:
    """Rows of one batch, per table."""

    def __init__(self) -> None:
        self.people: Rows = []
        self.emails: Rows = []
        self.phones: Rows = []
        self.addresses: Rows = []
        self.person_tags: Rows = []
        self.activities: Rows = []
        self.attachments: Rows = []
        self.contents: Rows = []


def fill_demo(
    vault: Vault, *, contacts: int, progress: Progress | None = None, seed: int = 7
) -> DemoResult:
    """Add `contacts` people in about contacts/8 companies, with timelines."""
    if contacts < 0:
        raise ValueError("contacts must not be negative")
    rng = random.Random(seed)  # nosec B311  # sample data for the demo, not security
    progress = progress or Progress()
    maker = _Maker(rng, vault.clock.now().astimezone(UTC))
    n_orgs = max(1, contacts // 8) if contacts else 0
    # One transaction for all of it: a cancelled or failed fill leaves the vault as it was.
    with vault.unit_of_work() as uow:
        s = uow.session
        # A large fill touches index pages at random; a bigger cache for this one
        # transaction saves reading (and decrypting) them again: a quarter of the time.
        usual_cache = int(s.execute(text("PRAGMA cache_size")).scalar_one())
        s.execute(text(f"PRAGMA cache_size = -{FILL_CACHE_KIB}"))
        try:
            activities = _fill(s, maker, contacts, n_orgs, progress)
            progress.update(contacts, contacts, "Adding sample invoices")
            activities += _fill_sales(s, random.Random(seed + 1), maker.now, contacts)  # nosec B311  # sample data for the demo, not security
            activities += _fill_deals(s, random.Random(seed + 2), maker.now, contacts)  # nosec B311  # sample data for the demo, not security
            if contacts:  # staff before tickets, so that tickets have people to go to
                demo_jobs.fill_staff(s, random.Random(seed + 4), maker.now)  # nosec B311  # sample data for the demo, not security
            _fill_users(s, maker.now)
            activities += demo_tickets.fill_tickets(s, random.Random(seed + 3), maker.now,  # nosec B311  # sample data for the demo, not security
                                                    contacts)
            activities += demo_jobs.fill_jobs(s, random.Random(seed + 5), maker.now,  # nosec B311  # sample data for the demo, not security
                                              contacts)
        finally:
            s.execute(text(f"PRAGMA cache_size = {usual_cache}"))
    progress.update(contacts, contacts, "Sample data added")
    return DemoResult(contacts, n_orgs, activities)


#: Sample users: (name, built-in role key, or "" for the custom Bookkeeper role).
DEMO_USERS = (
    ("Maria Rossi", "manager"),  # the office manager
    ("Tomasz Nowak", "staff"),
    ("Petra Klein", ""),  # the part-time bookkeeper: reads invoices and nothing else
)
BOOKKEEPER_ROLE = ("Bookkeeper", ("invoices.view",))


def _fill_users(s: Session, now: datetime) -> int:
    """A few users beside the vault's Owner, each with another role, and the custom role
    "Bookkeeper" (read invoices, nothing else). Nothing is added when the vault already
    has more than its first user. Returns how many users were added."""
    if (s.scalar(select(func.count()).select_from(AppUser)) or 0) > 1:
        return 0
    name, granted = BOOKKEEPER_ROLE
    bookkeeper = s.scalars(select(Role).where(Role.name_key == sort_key(name))).first()
    if bookkeeper is None:
        bookkeeper = Role(name=name, name_key=sort_key(name), builtin="", description="",
                          created_at=now, updated_at=now)
        s.add(bookkeeper)
        s.flush()
        s.add_all(RolePermission(role_id=bookkeeper.id, permission=p) for p in granted)
        audit.add(s, "role.create", "role", bookkeeper.id)
    taken = set(s.scalars(select(AppUser.name_key)))
    added = 0
    for user_name, role in DEMO_USERS:
        if sort_key(user_name) in taken:
            continue
        user = AppUser(display_name=user_name, name_key=sort_key(user_name),
                       role_id=BUILTIN_ROLE_IDS[role] if role else bookkeeper.id,
                       active=True, created_at=now, updated_at=now)
        s.add(user)
        s.flush()
        audit.add(s, "user.create", "app_user", user.id)
        added += 1
    return added


def _fill(s: Session, maker: _Maker, contacts: int, n_orgs: int, progress: Progress) -> int:
    activities = 0
    progress.update(0, contacts, f"Adding sample people (0 of {contacts})")
    if contacts:
        # A second run reuses the tags the first one made (their names are unique).
        existing = {key: tid for key, tid in s.execute(select(Tag.name_key, Tag.id))}
        maker.tag_ids = [existing.get(name.casefold(), tid)
                         for tid, name in zip(maker.tag_ids, TAGS, strict=True)]
        new_tags = [t for t in maker.tags() if t["name_key"] not in existing]
        if new_tags:
            s.execute(_insert(Tag), new_tags)
    orgs = [maker.organization() for _ in range(n_orgs)]
    for start in range(0, len(orgs), BATCH):
        progress.check()
        chunk = orgs[start : start + BATCH]
        s.execute(_insert(Organization), [o.row for o in chunk])
        s.execute(_insert(PostalAddress), [o.address for o in chunk])
        tags = [t for o in chunk for t in o.tags]
        if tags:
            s.execute(_insert(organization_tag), tags)
        acts = [a for o in chunk for a in o.activities]
        if acts:
            s.execute(_insert(Activity), acts)
        activities += len(acts)
        search_index.add_documents(s, [_organization_document(o.row) for o in chunk])
    audit.add(s, "demo.fill", "vault", "")
    for done in range(0, contacts, BATCH):
        progress.update(done, contacts, f"Adding sample people ({done} of {contacts})")
        batch = _Batch()
        for i in range(done, min(done + BATCH, contacts)):
            maker.person(batch, i, orgs[maker.rng.randrange(len(orgs))])
        s.execute(_insert(Person), batch.people)
        for model, rows in (
            (PersonEmail, batch.emails),
            (PersonPhone, batch.phones),
            (PostalAddress, batch.addresses),
            (person_tag, batch.person_tags),
            (Activity, batch.activities),
            (Attachment, batch.attachments),
            (AttachmentContent, batch.contents),
        ):
            if rows:
                s.execute(_insert(model), rows)
        search_index.add_documents(s, _people_documents(batch))
        activities += len(batch.activities)
    progress.check()
    return activities


@dataclass
class _Org:
    row: dict[str, object]
    country: Country
    domain: str
    address: dict[str, object]
    tags: Rows
    activities: Rows


class _Maker:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.tag_ids = [new_id() for _ in TAGS]
        self.countries = COUNTRIES
        self.weights = [c.weight for c in COUNTRIES]

    def tags(self) -> Rows:
        return [
            {"id": tid, "name": name, "name_key": name.casefold(),
             "created_at": self.now, "updated_at": self.now}
            for tid, name in zip(self.tag_ids, TAGS, strict=True)
        ]

    def _digits(self, pattern: str) -> str:
        rng = self.rng
        return "".join(str(rng.randrange(10)) if c == "#" else c for c in pattern)

    def _created(self) -> datetime:
        # Spread over the last three years, so "created in period" filters have work.
        return self.now - timedelta(seconds=self.rng.randrange(3 * 365 * 86400))

    def organization(self) -> _Org:
        rng = self.rng
        country = rng.choices(self.countries, self.weights)[0]
        family = rng.choice(country.family)
        word = rng.choice(country.company_words)
        form = rng.choice(country.company_forms)
        name = f"{family[0]} {word} {form}"
        slug = "".join(c for c in _ascii_fold(f"{family[1]}-{word}".lower()) if c.isascii() and
                       (c.isalnum() or c == "-")).strip("-") or "firma"
        domain = f"{slug}{rng.randrange(1, 999)}.example.{country.tld.split('.')[-1]}"
        oid = new_id()
        created = self._created()
        row = {
            "id": oid, "name": name, "sort_key": _key(name),
            "tax_id": self._digits(country.tax_id) if rng.random() < 0.8 else "",
            "website": f"https://www.{domain}" if rng.random() < 0.7 else "",
            "owner": rng.choice(OWNERS), "notes": rng.choice(NOTES),
            "created_at": created, "updated_at": created,
        }
        tags = [{"organization_id": oid, "tag_id": t}
                for t in rng.sample(self.tag_ids, rng.choice((0, 1, 1, 2)))]
        acts = []
        if rng.random() < 0.4:
            acts.append(self._activity(rng.choice(("note", "meeting")), None, oid, created))
        return _Org(row, country, domain, self._address(country, None, oid, "work"), tags,
                    acts)

    def _address(
        self, country: Country, person_id: str | None, org_id: str | None, kind: str
    ) -> dict[str, object]:
        rng = self.rng
        code, city, region = rng.choice(country.cities)
        street = rng.choice(country.streets)
        number = str(rng.randrange(1, 200))
        line = f"{street} {number}" if country.code not in ("JP", "CN", "KR") else street
        if country.code in ("FR", "GB", "US"):
            line = f"{number} {street}"
        return {
            "id": new_id(), "person_id": person_id, "organization_id": org_id, "kind": kind,
            "street": line, "postal_code": self._digits(code), "city": city, "region": region,
            "country_code": country.code, "position": 0,
            "created_at": self.now, "updated_at": self.now,
        }

    def person(self, b: _Batch, i: int, org: _Org) -> None:
        rng = self.rng
        # Most people share their company's country; some work abroad.
        country = org.country if rng.random() < 0.85 else rng.choices(
            self.countries, self.weights)[0]
        given, family = rng.choice(country.given), rng.choice(country.family)
        display, key = _names(given[0], family[0])
        pid = new_id()
        created = self._created()
        at_org = rng.random() < 0.9
        b.people.append({
            "id": pid, "given_name": given[0], "family_name": family[0],
            "display_name": display, "sort_key": key,
            "job_title": rng.choice(JOB_TITLES) if at_org else "",
            "organization_id": org.row["id"] if at_org else None,
            "owner": rng.choice(OWNERS), "source": rng.choice(SOURCES),
            "notes": rng.choice(NOTES), "created_at": created, "updated_at": created,
        })
        local = f"{given[1]}.{family[1]}".lower().replace("'", "").replace(" ", "")
        local = "".join(c for c in _ascii_fold(local) if c.isascii()) or "info"
        work = f"{local}.{i}@{org.domain}" if at_org else f"{local}.{i}@mail.example.com"
        b.emails.append(_child(pid, created, address=work, address_key=work.lower(),
                               kind="work", is_primary=True, position=0))
        if rng.random() < 0.3:
            home = f"{local}{rng.randrange(10, 99)}.{i}@home.example.net"
            b.emails.append(_child(pid, created, address=home, address_key=home,
                                   kind="home", is_primary=False, position=1))
        phones = country.phones
        b.phones.append(_child(pid, created, number=self._digits(rng.choice(phones[:-1])),
                               kind="work", is_primary=True, position=0, extension=""))
        if rng.random() < 0.4:
            b.phones.append(_child(pid, created, number=self._digits(phones[-1]),
                                   kind="mobile", is_primary=False, position=1, extension=""))
        if rng.random() < 0.5:
            b.addresses.append(self._address(country, pid, None, rng.choice(("home", "work"))))
        for tag in rng.sample(self.tag_ids, rng.choice((0, 0, 1, 1, 2))):
            b.person_tags.append({"person_id": pid, "tag_id": tag})
        self._timeline(b, pid, created)

    def _timeline(self, b: _Batch, pid: str, created: datetime) -> None:
        rng = self.rng
        count = rng.choices((0, 1, 2, 3), (45, 30, 15, 10))[0]
        for _ in range(count):
            kind = rng.choices(("note", "call", "meeting", "email", "task"),
                               (25, 30, 10, 20, 15))[0]
            act = self._activity(kind, pid, None, created)
            b.activities.append(act)
            if kind in ("meeting", "note") and rng.random() < 0.02:
                self._attachment(b, act)

    def _activity(
        self, kind: str, pid: str | None, oid: str | None, created: datetime
    ) -> dict[str, object]:
        rng = self.rng
        span = max(1, int((self.now - created).total_seconds()))
        occurred = created + timedelta(seconds=rng.randrange(span))
        subject = {"call": CALLS, "meeting": MEETINGS, "email": EMAILS, "task": TASKS}.get(
            kind, ("",))
        row: dict[str, object] = {
            "id": new_id(), "kind": kind, "subject": rng.choice(subject),
            "body": rng.choice(NOTE_BODIES) if kind in ("note", "call", "meeting") else "",
            "occurred_at": occurred, "due_at": None, "remind_at": None, "done_at": None,
            "owner": rng.choice(OWNERS), "person_id": pid, "organization_id": oid,
            "subject_kind": "", "subject_id": "", "created_at": occurred,
            "updated_at": occurred,
        }
        if kind == "task":
            due = occurred + timedelta(days=rng.randrange(1, 30))
            row["due_at"] = due
            if due < self.now and rng.random() < 0.7:
                row["done_at"] = due - timedelta(hours=rng.randrange(0, 48))
            elif rng.random() < 0.5:
                row["remind_at"] = due - timedelta(days=1)
        return row

    def _attachment(self, b: _Batch, act: dict[str, object]) -> None:
        text = (
            f"{act['subject'] or 'Notes'}\n\n{act['body']}\n"
            "Measurements: 4.20 m x 3.15 m, ceiling 2.60 m.\n"
        ).encode()
        aid = new_id()
        b.attachments.append({
            "id": aid, "filename": "site-notes.txt", "media_type": "text/plain",
            "size": len(text), "sha256": hashlib.sha256(text).hexdigest(),
            "activity_id": act["id"], "person_id": None, "organization_id": None,
            "subject_kind": "", "subject_id": "",
            "created_at": act["created_at"], "updated_at": act["created_at"],
        })
        b.contents.append({"attachment_id": aid, "data": text})


def _insert(target: Any) -> Any:
    """A Core insert on the table: one executemany per call. (An ORM `insert(Model)`
    splits the rows into runs of the same shape, which costs thousands of calls.)"""
    return insert(getattr(target, "__table__", target))


@lru_cache(maxsize=4096)
def _names(given: str, family: str) -> tuple[str, str]:
    display = default_display_name(given, family)
    return display, sort_key(display)


@lru_cache(maxsize=4096)
def _ascii_fold(text: str) -> str:
    """"Álvaro Muñoz" as "Alvaro Munoz" (what people do for their email address)."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("ł", "l").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _key(name: str) -> str:
    return sort_key(name)


def _organization_document(row: dict[str, Any]) -> search_index.Document:
    return search_index.Document(
        "organization", row["id"], organization_text(row["name"], row["website"])
    )


def _people_documents(b: _Batch) -> list[search_index.Document]:
    """The search index's text of a batch's people, from the rows about to go in."""
    emails: dict[object, list[str]] = {}
    for e in b.emails:
        emails.setdefault(e["person_id"], []).append(str(e["address"]))
    phones: dict[object, list[str]] = {}
    for ph in b.phones:
        phones.setdefault(ph["person_id"], []).append(str(ph["number"]))
    return [
        search_index.Document("person", str(p["id"]), person_text(
            str(p["given_name"]), str(p["family_name"]), str(p["display_name"]),
            str(p["job_title"]), emails.get(p["id"], ()), phones.get(p["id"], ()),
        ))
        for p in b.people
    ]


def _child(person_id: str, created: datetime, **values: object) -> dict[str, object]:
    return {"id": new_id(), "person_id": person_id, "created_at": created,
            "updated_at": created, **values}


# -- sales ---------------------------------------------------------------------------
DEMO_BUSINESS = {
    "name": "Northwind Studio", "address_lines": ["Hauptstraße 5", "10115 Berlin"],
    "country_code": "DE", "tax_id": "DE136695976", "email": "billing@northwind.example",
    "phone": "+49 30 1234567", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX",
    "bank_name": "Demo Bank", "payment_terms_days": 14, "footer": "Thank you for your business.",
    "default_currency": "EUR", "prices_include_tax": False, "locale": "",
}
DEMO_PRODUCTS = (
    ("Consulting", "h", "120.00"), ("Workshop", "day", "1450.00"),
    ("Website maintenance", "month", "390.00"), ("Logo design", "pcs", "850.00"),
    ("Hosting", "month", "29.90"), ("Training session", "h", "95.00"),
    ("Support package", "pcs", "240.00"), ("Copywriting", "page", "75.50"),
    ("Photography", "day", "980.00"), ("Travel flat rate", "pcs", "60.00"),
    ("Printed brochures", "pcs", "1.85"), ("Software licence", "year", "199.00"),
)


def _fill_sales(s: Session, rng: random.Random, now: datetime, contacts: int) -> int:
    """Products, quotes, invoices and payments in proportion to the contacts: about three
    invoices per company over the last two years, most paid, some open or overdue, a
    few drafts; numbered in date order, continuing the series' counters. Returns how
    many timeline entries it added (one per issued invoice)."""
    import json
    from datetime import date as date_type
    from decimal import Decimal

    from crasme_desktop.domain import sales as rules
    from crasme_desktop.domain.models import (
        Invoice,
        InvoiceLine,
        InvoiceTaxTotal,
        NumberCounter,
        NumberSeries,
        Payment,
        Product,
        Quote,
        QuoteLine,
        Setting,
        TaxRate,
    )
    from crasme_desktop.domain.money import MoneyLine, bp_to_percent, compute_totals, to_minor
    from crasme_desktop.services import business

    n_invoices, n_quotes = contacts * 3 // 8, contacts // 16
    notes = 0
    if not n_invoices:
        return 0
    if s.get(Setting, business.BUSINESS_KEY) is None:
        s.add(Setting(key=business.BUSINESS_KEY, value=json.dumps(DEMO_BUSINESS)))
        s.flush()
    business.ensure_defaults(s)
    seller = json.dumps({k: DEMO_BUSINESS[k] for k in (
        "name", "address_lines", "country_code", "tax_id", "email", "phone", "iban", "bic",
        "bank_name", "footer", "locale")})
    rates = s.scalars(select(TaxRate).where(TaxRate.archived.is_(False))).all()
    default = next((r for r in rates if r.is_default), rates[0])
    products = [
        {"id": new_id(), "name": name, "sort_key": sort_key(name), "description": "",
         "unit": unit, "unit_price_minor": to_minor(Decimal(price), "EUR"), "currency": "EUR",
         "tax_rate_id": default.id, "archived": False, "created_at": now, "updated_at": now}
        for name, unit, price in DEMO_PRODUCTS
    ]
    s.execute(_insert(Product), products)
    customers = s.execute(text(
        "SELECT o.id, o.name, coalesce(a.street, ''), coalesce(a.postal_code, ''),"
        " coalesce(a.city, ''), coalesce(a.country_code, '') FROM organization o"
        " LEFT JOIN postal_address a ON a.organization_id = o.id")).all()
    if not customers:
        return 0
    today = now.date()
    series = {k: business.default_series(s, k) for k in ("invoice", "quote")}

    def lines_for(doc_id: str, owner: str) -> tuple[Rows, Any]:
        chosen = [(rng.choice(products), Decimal(rng.randint(1, 12)),
                   Decimal(rng.choice((0, 0, 0, 5, 10)))) for _ in range(rng.randint(1, 4))]
        money = [MoneyLine(q, Decimal(p["unit_price_minor"]) / 100, d,
                           bp_to_percent(default.rate_bp)) for p, q, d in chosen]
        totals = compute_totals(money, "EUR", False)
        rows = [
            {"id": new_id(), owner: doc_id, "position": i, "product_id": p["id"],
             "description": p["name"], "quantity": str(q), "unit": p["unit"],
             "unit_price_minor": p["unit_price_minor"], "discount_bp": int(d * 100),
             "tax_rate_id": default.id, "tax_rate_bp": default.rate_bp,
             "net_minor": to_minor(net, "EUR"), "created_at": now, "updated_at": now}
            for i, ((p, q, d), net) in enumerate(zip(chosen, totals.line_nets, strict=True))
        ]
        return rows, totals

    def counter(series_row: NumberSeries, year: int) -> int:
        period = rules.counter_period(series_row.reset, date_type(year, 1, 1))
        return int(s.scalar(select(NumberCounter.last_value).where(
            NumberCounter.series_id == series_row.id, NumberCounter.period == period)) or 0)

    def save_counters(series_row: NumberSeries, last: dict[int, int]) -> None:
        for year, value in last.items():
            s.execute(text(
                "INSERT INTO number_counter (series_id, period, last_value) VALUES (:s, :p, :v)"
                " ON CONFLICT (series_id, period) DO UPDATE SET last_value = :v"),
                {"s": series_row.id, "v": value,
                 "p": rules.counter_period(series_row.reset, date_type(year, 1, 1))})

    days = [today - timedelta(days=rng.randrange(730)) for _ in range(n_invoices)]
    days.sort()
    last: dict[int, int] = {}
    inv_series = series["invoice"]
    for start in range(0, n_invoices, BATCH):
        invoices, lines, taxes, issued, payments, acts, docs = [], [], [], [], [], [], []
        for issue in days[start:start + BATCH]:
            cid, name, street, postcode, city, country = rng.choice(customers)
            iid = new_id()
            rows, totals = lines_for(iid, "invoice_id")
            lines += rows
            total = to_minor(totals.total, "EUR")
            age = (today - issue).days
            draft = age < 20 and rng.random() < 0.3
            invoices.append({
                "id": iid, "kind": "invoice", "series_id": inv_series.id, "number": None,
                "status": "draft", "customer_person_id": None, "customer_organization_id": cid,
                "billing_name": name,
                "billing_address": "\n".join(x for x in (street, f"{postcode} {city}".strip())
                                             if x),
                "billing_country": country, "billing_tax_id": "", "billing_email": "",
                "seller_snapshot": "" if draft else seller, "currency": "EUR",
                "issue_date": issue, "due_date": None if draft else issue + timedelta(days=14),
                "payment_terms_days": 14, "prices_include_tax": False,
                "net_minor": to_minor(totals.net, "EUR"), "tax_minor": to_minor(totals.tax, "EUR"),
                "total_minor": total, "paid_minor": 0, "credited_minor": 0,
                "credit_of_id": None, "quote_id": None, "recurring_id": None,
                "recurring_period": None, "issued_at": None if draft else now, "notes": "",
                "created_at": now, "updated_at": now,
            })
            taxes += [{"invoice_id": iid, "rate_bp": default.rate_bp,
                       "net_minor": to_minor(r.net, "EUR"), "tax_minor": to_minor(r.tax, "EUR")}
                      for r in totals.per_rate]
            if draft:
                continue
            roll = rng.random()
            paid = total if (age > 30 and roll < 0.8) or roll < 0.4 else (
                total // 2 if roll < 0.9 else 0)
            value = last.get(issue.year)
            if value is None:
                value = counter(inv_series, issue.year)
            last[issue.year] = value + 1
            number = rules.format_number(inv_series.pattern, value + 1, issue)
            issued.append({"i": iid, "n": number, "p": paid,
                           "st": rules.status_after_money(total, paid, 0)})
            if paid:
                payments.append({
                    "id": new_id(), "invoice_id": iid, "amount_minor": paid, "currency": "EUR",
                    "paid_on": min(today, issue + timedelta(days=rng.randint(1, 30))),
                    "method": "bank transfer", "reference": number, "note": "",
                    "created_at": now, "updated_at": now})
            acts.append({
                "id": new_id(), "kind": "note", "subject": f"Invoice {number} issued",
                "body": "", "occurred_at": datetime.combine(issue, datetime.min.time(), UTC),
                "owner": "", "organization_id": cid, "person_id": None,
                "subject_kind": "invoice", "subject_id": iid,
                "created_at": now, "updated_at": now})
            docs.append(search_index.Document(
                "invoice", iid, search_index.invoice_text(number, name)))
        s.execute(_insert(Invoice), invoices)
        s.execute(_insert(InvoiceLine), lines)
        s.execute(_insert(InvoiceTaxTotal), taxes)
        if issued:  # lines first: once issued, the triggers freeze them
            s.execute(text("UPDATE invoice SET status = :st, number = :n, paid_minor = :p"
                           " WHERE id = :i"), issued)
        notes += len(acts)
        for model, rows in ((Payment, payments), (Activity, acts)):
            if rows:
                s.execute(_insert(model), rows)
        search_index.add_documents(s, docs)
    save_counters(inv_series, last)
    quote_series, quote_last = series["quote"], {}
    quotes, quote_lines = [], []
    for issue in sorted(today - timedelta(days=rng.randrange(365)) for _ in range(n_quotes)):
        cid, name, *_ = rng.choice(customers)
        qid = new_id()
        rows, totals = lines_for(qid, "quote_id")
        quote_lines += rows
        value = quote_last.get(issue.year)
        if value is None:
            value = counter(quote_series, issue.year)
        quote_last[issue.year] = value + 1
        quotes.append({
            "id": qid, "number": rules.format_number(quote_series.pattern, value + 1, issue),
            "series_id": quote_series.id,
            "status": rng.choice(("draft", "sent", "sent", "accepted", "declined")),
            "customer_person_id": None, "customer_organization_id": cid,
            "billing_name": name, "currency": "EUR", "issue_date": issue,
            "valid_until": issue + timedelta(days=30), "prices_include_tax": False,
            "net_minor": to_minor(totals.net, "EUR"), "tax_minor": to_minor(totals.tax, "EUR"),
            "total_minor": to_minor(totals.total, "EUR"), "invoice_id": None, "notes": "",
            "created_at": now, "updated_at": now})
    for start in range(0, len(quotes), BATCH):
        s.execute(_insert(Quote), quotes[start:start + BATCH])
    for start in range(0, len(quote_lines), BATCH):
        s.execute(_insert(QuoteLine), quote_lines[start:start + BATCH])
    save_counters(quote_series, quote_last)
    audit.add(s, "demo.fill_sales", "vault", "")
    return notes


# -- deals ---------------------------------------------------------------------------
DEAL_TITLES = ("Website relaunch", "Annual support contract", "Roof renovation",
               "Solar installation", "Office fit-out", "Training programme",
               "Brand workshop", "Heating upgrade", "Maintenance plan", "Photo shoot",
               "Software rollout", "Kitchen remodel", "Security audit", "Fleet service")
DEAL_VALUES = (850, 1200, 2400, 3500, 4800, 6500, 9000, 12000, 18500, 25000, 40000)
DEAL_OWNERS = ("Sam", "Alex", "Kim")


def _fill_deals(s: Session, rng: random.Random, now: datetime, contacts: int) -> int:
    """About one deal per five contacts, for companies with one of their people: most
    open and spread over the stages with close dates from last month to five months
    ahead, a quarter won or lost in the last six months; a tenth in US dollars. One
    timeline entry per deal. Returns how many timeline entries it added."""
    from datetime import timedelta

    from crasme_desktop.domain.models import Deal
    from crasme_desktop.services import deals

    n_deals = contacts // 5
    if not n_deals:
        return 0
    deals._ensure_pipeline(s, now)
    pipeline = deals._default_pipeline(s)
    stages = deals._stage_rows(s, pipeline.id)
    open_stages = [st for st in stages if st.kind == "open"]
    closed = {kind: next((st for st in stages if st.kind == kind), None)
              for kind in ("won", "lost")}
    customers = s.execute(text(
        "SELECT o.id, (SELECT p.id FROM person p WHERE p.organization_id = o.id"
        " ORDER BY p.sort_key LIMIT 1) FROM organization o")).all()
    if not customers or not open_stages:
        return 0
    today = now.date()
    positions: dict[str, int] = {}
    rows, notes, docs = [], [], []
    for _ in range(n_deals):
        org_id, person_id = rng.choice(customers)
        roll = rng.random()
        kind = "won" if roll < 0.15 else "lost" if roll < 0.25 else "open"
        stage = closed[kind] if kind != "open" and closed[kind] is not None else \
            rng.choices(open_stages, weights=[max(1, 5 - i) for i in range(len(open_stages))])[0]
        title = rng.choice(DEAL_TITLES)
        currency = "USD" if rng.random() < 0.1 else "EUR"
        value = rng.choice(DEAL_VALUES) * 100
        close = today + timedelta(days=rng.randint(-30, 150))
        closed_on = today - timedelta(days=rng.randint(0, 180)) if stage.kind != "open" \
            else None
        positions[stage.id] = positions.get(stage.id, 0) + deals.GAP
        deal_id = new_id()
        created = now - timedelta(days=rng.randint(1, 200))
        rows.append({
            "id": deal_id, "title": title, "title_key": sort_key(title),
            "pipeline_id": pipeline.id, "stage_id": stage.id, "status": stage.kind,
            "position": positions[stage.id], "value_minor": value, "currency": currency,
            "expected_close": closed_on or close, "owner": rng.choice(DEAL_OWNERS),
            "next_step": "" if stage.kind != "open" else rng.choice(
                ("Send the proposal", "Call about the budget", "Site visit", "",
                 "Wait for the board's decision")),
            "person_id": person_id, "organization_id": org_id,
            "probability": None, "closed_on": closed_on,
            "close_reason": {"won": "Best offer", "lost": "Chose a cheaper offer"}.get(
                stage.kind, ""),
            "notes": "", "created_at": created, "updated_at": created,
        })
        notes.append({
            "id": new_id(), "kind": "note", "subject": f"Deal created: {title}",
            "body": "", "occurred_at": created, "owner": "", "person_id": person_id,
            "organization_id": org_id, "subject_kind": "deal", "subject_id": deal_id,
            "created_at": created, "updated_at": created,
        })
        docs.append(search_index.Document("deal", deal_id, search_index.deal_text(title)))
    for start in range(0, len(rows), BATCH):
        s.execute(_insert(Deal), rows[start:start + BATCH])
        s.execute(_insert(Activity), notes[start:start + BATCH])
    search_index.add_documents(s, docs)
    audit.add(s, "demo.fill_deals", "vault", "")
    return len(notes)
