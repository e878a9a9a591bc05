"""Who may do what: areas, actions, the built-in roles and the rule that decides.

A permission is either an action on an area (`contacts.delete`, `invoices.view`) or
one of the sensitive actions that are not about one area (`export`, `rekey`). A role
is a set of permissions: the five built-in roles take theirs from the matrix below
(kept in code, so a new area reaches every vault with the program), a custom role
holds exactly the ones it was given (`role_permission` rows).

Areas follow the app's pages and services:

    contacts   people (Contacts page, services/contacts)
    companies  companies (Companies page)
    deals      deals and pipelines (Deals page)
    quotes     quotes (Sales page)
    invoices   invoices, credit notes, payments (Sales page)
    products   products, prices and tax rates (Sales settings)
    tickets    support tickets and canned replies (Tickets page)
    schedule   jobs and appointments (Schedule page)
    staff      staff members, absences, holidays, SLA targets
    reports    the Reports page (view only)
    audit      the audit trail (view only)

Sensitive actions:

    export            export data (people, companies, the whole vault)
    print             print or make PDFs of records
    erase             erase a person's data
    privacy_requests  record and answer privacy requests, consent and restriction
    settings          change the vault's settings (office, numbering, mail, retention)
    users             add, change and remove users and roles
    backups_restore   make, check and restore backups
    rekey             rotate the vault's key, change its passphrase

The matrix of the built-in roles (V view, C create, E edit, D delete, - none):

    area / action     Owner  Admin  Manager  Staff  Read-only
    contacts          VCED   VCED   VCED     VCE    V
    companies         VCED   VCED   VCED     VCE    V
    deals             VCED   VCED   VCED     VCE    V
    quotes            VCED   VCED   VCED     VCE    V
    invoices          VCED   VCED   VCED     VCE    V
    products          VCED   VCED   VCED     V      V
    tickets           VCED   VCED   VCED     VCE    V
    schedule          VCED   VCED   VCED     VCE    V
    staff             VCED   VCED   VCED     V      V
    reports           V      V      V        -      V
    audit             V      V      V        -      -
    export            yes    yes    yes      -      -
    print             yes    yes    yes      yes    -
    erase             yes    yes    -        -      -
    privacy_requests  yes    yes    yes      -      -
    settings          yes    yes    -        -      -
    users             yes    yes    -        -      -
    backups_restore   yes    yes    -        -      -
    rekey             yes    -      -        -      -

Only an Owner gives or takes away the Owner role, and a vault always keeps one
active Owner (services/users enforces both).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from crasme_desktop.domain.errors import UserError

ACTIONS = ("view", "create", "edit", "delete")

#: area -> (plural noun used in sentences, actions that exist for it)
AREAS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "contacts": ("people", ACTIONS),
    "companies": ("companies", ACTIONS),
    "deals": ("deals", ACTIONS),
    "quotes": ("quotes", ACTIONS),
    "invoices": ("invoices", ACTIONS),
    "products": ("products and prices", ACTIONS),
    "tickets": ("tickets", ACTIONS),
    "schedule": ("jobs and appointments", ACTIONS),
    "staff": ("staff members", ACTIONS),
    "reports": ("reports", ("view",)),
    "audit": ("the audit trail", ("view",)),
}

#: sensitive action -> what it does, as the end of "does not allow ..."
SENSITIVE: Mapping[str, str] = {
    "export": "exporting data",
    "print": "printing",
    "erase": "erasing a person's data",
    "privacy_requests": "handling privacy requests",
    "settings": "changing settings",
    "users": "managing users and roles",
    "backups_restore": "making and restoring backups",
    "rekey": "changing the vault's key",
}

#: What exporting the whole vault needs: exporting, and seeing every area it holds
#: (every area but the Reports page, which holds no records).
WHOLE_VAULT_EXPORT: tuple[str, ...] = (
    "export", *(f"{area}.view" for area in AREAS if area != "reports"))

_GERUNDS = {"view": "viewing", "create": "creating", "edit": "editing", "delete": "deleting"}


@dataclass(frozen=True, order=True)
class Permission:
    """One permission: `Permission("invoices", "delete")` or `Permission("", "export")`.

    Its text form (`str(p)`, stored in `role_permission.permission`) is
    "invoices.delete" or "export"."""

    area: str
    action: str

    def __post_init__(self) -> None:
        if self.area:
            known = AREAS.get(self.area)
            if known is None or self.action not in known[1]:
                raise ValueError(f"unknown permission {self.area}.{self.action}")
        elif self.action not in SENSITIVE:
            raise ValueError(f"unknown permission {self.action}")

    def __str__(self) -> str:
        return f"{self.area}.{self.action}" if self.area else self.action

    @classmethod
    def parse(cls, text: str) -> Permission:
        area, dot, action = text.partition(".")
        return cls(area, action) if dot else cls("", area)

    @property
    def sensitive(self) -> bool:
        return not self.area

    def describe(self) -> str:
        """What it allows, as words: "deleting invoices", "exporting data"."""
        if not self.area:
            return SENSITIVE[self.action]
        return f"{_GERUNDS[self.action]} {AREAS[self.area][0]}"


def area_permission(area: str, action: str) -> Permission:
    return Permission(area, action)


def sensitive(action: str) -> Permission:
    return Permission("", action)


#: Every permission there is, areas first (in the order above), then sensitive ones.
ALL_PERMISSIONS: tuple[Permission, ...] = tuple(
    [Permission(area, action) for area, (_noun, actions) in AREAS.items() for action in actions]
    + [Permission("", action) for action in SENSITIVE]
)


def _grant(spec: Mapping[str, str], extra: Iterable[str]) -> frozenset[Permission]:
    letters = {"V": "view", "C": "create", "E": "edit", "D": "delete"}
    granted = {Permission(area, letters[c]) for area, codes in spec.items() for c in codes}
    return frozenset(granted | {Permission("", a) for a in extra})


_BUSINESS = ("contacts", "companies", "deals", "quotes", "invoices", "tickets", "schedule")

#: Built-in role key -> (name, fixed role id, permissions). The ids are the seeded
#: `role` rows of migration 0009.
BUILTIN_ROLES: Mapping[str, tuple[str, str, frozenset[Permission]]] = {
    "owner": ("Owner", "00000000-0000-7000-8000-000000000001", frozenset(ALL_PERMISSIONS)),
    "admin": ("Admin", "00000000-0000-7000-8000-000000000002", frozenset(
        p for p in ALL_PERMISSIONS if p != Permission("", "rekey"))),
    "manager": ("Manager", "00000000-0000-7000-8000-000000000003", _grant(
        {**{a: "VCED" for a in (*_BUSINESS, "products", "staff")},
         "reports": "V", "audit": "V"},
        ("export", "print", "privacy_requests"))),
    "staff": ("Staff", "00000000-0000-7000-8000-000000000004", _grant(
        {**{a: "VCE" for a in _BUSINESS}, "products": "V", "staff": "V"}, ("print",))),
    "read_only": ("Read-only", "00000000-0000-7000-8000-000000000005", _grant(
        {**{a: "V" for a in (*_BUSINESS, "products", "staff")}, "reports": "V"}, ())),
}

OWNER_ROLE_ID = BUILTIN_ROLES["owner"][1]
BUILTIN_ROLE_IDS: Mapping[str, str] = {key: rid for key, (_n, rid, _p) in BUILTIN_ROLES.items()}


def builtin_permissions(key: str) -> frozenset[Permission]:
    return BUILTIN_ROLES[key][2]


def allows(role_permissions: Iterable[Permission], permission: Permission) -> bool:
    """Whether a role holding `role_permissions` may do `permission`."""
    return permission in (role_permissions if isinstance(role_permissions, frozenset | set)
                          else set(role_permissions))


def parse_permissions(texts: Iterable[str]) -> frozenset[Permission]:
    """Stored texts as permissions; a text this version does not know is left out (a
    newer program may have made it), so an unknown permission never grants anything."""
    out = set()
    for text in texts:
        try:
            out.add(Permission.parse(text))
        except ValueError:
            continue
    return frozenset(out)


@dataclass(frozen=True)
class Actor:
    """Who is acting: the signed-in user, their role's name and permissions.

    `user_id` is None only for a vault that has no users at all (it acts as its Owner).
    """

    user_id: str | None
    role_name: str
    permissions: frozenset[Permission]
    role_id: str = ""

    def may(self, permission: Permission) -> bool:
        return allows(self.permissions, permission)

    def require(self, permission: Permission) -> None:
        """Raise `PermissionDenied` unless this actor may do `permission`."""
        if not self.may(permission):
            raise PermissionDenied(self.role_name, permission)


class PermissionDenied(UserError):
    """The acting user's role does not allow what was asked."""

    def __init__(self, role_name: str, permission: Permission) -> None:
        super().__init__(f"Your role ({role_name}) does not allow {permission.describe()}.")
        self.role_name = role_name
        self.permission = permission
