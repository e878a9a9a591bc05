"""The permission matrix of the built-in roles, the value type and the refusal sentence."""

from __future__ import annotations

import itertools
import re

import pytest
from crasme_desktop.domain import permissions as perms
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.permissions import (
    ALL_PERMISSIONS,
    BUILTIN_ROLES,
    Permission,
    PermissionDenied,
    allows,
    builtin_permissions,
    parse_permissions,
)
from tests.support.sentences import assert_one_sentence

LETTERS = {"V": "view", "C": "create", "E": "edit", "D": "delete"}
ROLE_COLUMNS = ("owner", "admin", "manager", "staff", "read_only")


def documented_matrix() -> dict[str, frozenset[Permission]]:
    """The table in the module's docstring, read back: the documentation is the spec."""
    doc = perms.__doc__ or ""
    table = doc[doc.index("area / action"):doc.index("Only an Owner")]
    granted: dict[str, set[Permission]] = {role: set() for role in ROLE_COLUMNS}
    for line in table.splitlines()[1:]:
        cells = line.split()
        if not cells:
            continue
        name, values = cells[0], cells[1:]
        assert len(values) == len(ROLE_COLUMNS), line
        for role, value in zip(ROLE_COLUMNS, values, strict=True):
            if name in perms.AREAS:
                granted[role] |= {Permission(name, LETTERS[c]) for c in value if c != "-"}
            elif value == "yes":
                granted[role].add(Permission("", name))
    return {role: frozenset(p) for role, p in granted.items()}


def test_the_documented_matrix_is_the_one_the_code_applies():
    documented = documented_matrix()
    for role in ROLE_COLUMNS:
        assert builtin_permissions(role) == documented[role], role


def test_the_table_names_every_area_and_every_sensitive_action():
    doc = perms.__doc__ or ""
    table = doc[doc.index("area / action"):doc.index("Only an Owner")]
    rows = {line.split()[0] for line in table.splitlines()[1:] if line.split()}
    assert rows == set(perms.AREAS) | set(perms.SENSITIVE)


@pytest.mark.parametrize("permission", ALL_PERMISSIONS, ids=str)
def test_every_permission_goes_through_text_and_back(permission):
    assert Permission.parse(str(permission)) == permission


def test_owner_may_do_everything_and_the_roles_below_hold_less():
    owner = builtin_permissions("owner")
    assert owner == frozenset(ALL_PERMISSIONS)
    chain = [builtin_permissions(r) for r in ("owner", "admin", "manager", "staff")]
    for higher, lower in itertools.pairwise(chain):
        assert lower < higher
    # Read-only sees reports, which Staff does not, but changes nothing at all.
    assert builtin_permissions("read_only") < builtin_permissions("manager")
    assert {p.action for p in builtin_permissions("read_only")} == {"view"}


@pytest.mark.parametrize(("role", "permission", "allowed"), [
    ("owner", "rekey", True),
    ("admin", "rekey", False),
    ("admin", "users", True),
    ("manager", "users", False),
    ("manager", "export", True),
    ("manager", "contacts.delete", True),
    ("staff", "contacts.delete", False),
    ("staff", "contacts.edit", True),
    ("staff", "products.edit", False),
    ("staff", "print", True),
    ("staff", "audit.view", False),
    ("read_only", "invoices.view", True),
    ("read_only", "invoices.create", False),
    ("read_only", "export", False),
    ("read_only", "print", False),
    ("read_only", "reports.view", True),
    ("read_only", "audit.view", False),
])
def test_allows_answers_from_the_role_permissions(role, permission, allowed):
    assert allows(builtin_permissions(role), Permission.parse(permission)) is allowed
    assert allows(list(builtin_permissions(role)), Permission.parse(permission)) is allowed


def test_a_custom_role_holds_exactly_its_permissions():
    bookkeeper = parse_permissions(["invoices.view"])
    assert allows(bookkeeper, Permission("invoices", "view"))
    assert not any(allows(bookkeeper, p) for p in ALL_PERMISSIONS
                   if p != Permission("invoices", "view"))


def test_unknown_permission_texts_grant_nothing():
    assert parse_permissions(["invoices.view", "spaceships.fly", "invoices.approve", "root"]) \
        == frozenset({Permission("invoices", "view")})
    for text in ("spaceships.fly", "reports.delete", "audit.edit", "root", ""):
        with pytest.raises(ValueError):
            Permission.parse(text)


def test_refusal_is_one_sentence_naming_the_role_and_the_action():
    error = PermissionDenied("Read-only", Permission("invoices", "delete"))
    assert isinstance(error, UserError)
    assert str(error) == "Your role (Read-only) does not allow deleting invoices."
    assert_one_sentence(str(error))
    for p in ALL_PERMISSIONS:
        text = str(PermissionDenied("Staff", p))
        assert_one_sentence(text)
        assert re.fullmatch(r"Your role \(Staff\) does not allow [a-z][a-z ,'.]*\.", text), text
        assert "_" not in text


def test_builtin_roles_have_distinct_fixed_ids():
    ids = [rid for _name, rid, _p in BUILTIN_ROLES.values()]
    assert len(set(ids)) == len(ids) == 5
    assert perms.OWNER_ROLE_ID == "00000000-0000-7000-8000-000000000001"
