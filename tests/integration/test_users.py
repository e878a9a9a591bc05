"""Users and roles through the services: adding, renaming, changing roles, deactivating
and removing users, custom roles, the rules that keep one active Owner and stop anyone
handing out more than they hold; and the whole role x action matrix of the contacts
area (people, companies, their export) through the service layer."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.permissions import (
    BUILTIN_ROLE_IDS,
    BUILTIN_ROLES,
    Permission,
    PermissionDenied,
    builtin_permissions,
)
from crasme_desktop.domain.validation_records import OrganizationDraft, PersonDraft
from crasme_desktop.services import audit, contacts, contacts_export, permissions, users
from crasme_desktop.services.lists import ListSpec
from tests.support.sentences import assert_one_sentence

OWNER, ADMIN, MANAGER, STAFF, READ_ONLY = (BUILTIN_ROLE_IDS[k] for k in BUILTIN_ROLES)


def owner_of(vault) -> str:
    return next(u.id for u in users.list_users(vault) if u.role_id == OWNER)


def test_a_new_vault_has_one_active_owner_and_the_five_built_in_roles(vault):
    listed = users.list_users(vault)
    assert [(u.display_name, u.role_name, u.active) for u in listed] == [
        ("Owner", "Owner", True)]
    roles = users.list_roles(vault)
    assert [(r.name, r.builtin, r.users) for r in roles] == [
        ("Owner", "owner", 1), ("Admin", "admin", 0), ("Manager", "manager", 0),
        ("Staff", "staff", 0), ("Read-only", "read_only", 0)]
    staff = next(r for r in roles if r.builtin == "staff")
    assert set(staff.permissions) == {str(p) for p in builtin_permissions("staff")}
    actor = permissions.actor_of(vault)
    assert (actor.user_id, actor.role_name) == (listed[0].id, "Owner")


def test_add_rename_change_role_deactivate_and_remove_a_user(vault):
    anna = users.add_user(vault, "  Anna   Admin ", ADMIN)
    assert (anna.display_name, anna.role_name, anna.active) == ("Anna Admin", "Admin", True)
    assert users.rename_user(vault, anna.id, "Anna Adams").display_name == "Anna Adams"
    assert users.change_role(vault, anna.id, MANAGER).role_name == "Manager"
    assert users.set_active(vault, anna.id, False).active is False
    assert [u.display_name for u in users.list_users(vault, include_inactive=False)] == [
        "Owner"]
    assert users.set_active(vault, anna.id, True).active is True
    users.remove_user(vault, anna.id)
    assert [u.display_name for u in users.list_users(vault)] == ["Owner"]
    actions = [e.action for e in audit.events_for_record(vault, "app_user", anna.id)]
    assert actions == ["user.delete", "user.activate", "user.deactivate", "user.role",
                       "user.rename", "user.create"]
    assert audit.verify_chain(vault).ok


@pytest.mark.parametrize("name,message", [
    ("", "Give the user a name."),
    ("x" * 101, "Keep the user's name under 100 characters."),
    ("owner", "There is already a user called “Owner”; use another name, such as with "
              "an initial."),
])
def test_user_names_are_required_short_and_unique(vault, name, message):
    with pytest.raises(UserError) as caught:
        users.add_user(vault, name, STAFF)
    assert str(caught.value) == message
    assert_one_sentence(str(caught.value))


def test_the_last_active_owner_cannot_be_removed_deactivated_or_demoted(vault):
    me = owner_of(vault)
    admin = users.add_user(vault, "Anna Admin", ADMIN)
    permissions.act_as(vault, admin.id)
    with pytest.raises(UserError, match="Only an Owner can change an Owner's role"):
        users.change_role(vault, me, STAFF)
    vault.actor = None
    with pytest.raises(UserError) as caught:
        users.change_role(vault, me, ADMIN)
    assert str(caught.value) == users.LAST_OWNER
    assert_one_sentence(users.LAST_OWNER)
    second = users.add_user(vault, "Otto Owner", OWNER)
    users.set_active(vault, second.id, False)  # an inactive Owner does not count
    with pytest.raises(UserError, match="at least one active Owner"):
        users.change_role(vault, me, ADMIN)
    permissions.act_as(vault, users.set_active(vault, second.id, True).id)
    with pytest.raises(UserError, match="You cannot deactivate your own user"):
        users.set_active(vault, second.id, False)
    users.change_role(vault, me, ADMIN)  # another active Owner remains: allowed
    with pytest.raises(UserError, match="at least one active Owner"):
        users.change_role(vault, second.id, ADMIN)
    assert [u.role_name for u in users.list_users(vault) if u.active].count("Owner") == 1


def test_nobody_removes_themself(vault):
    with pytest.raises(UserError, match="You cannot remove your own user; ask another Owner "
                                        "or Admin"):
        users.remove_user(vault, owner_of(vault))


def test_only_an_owner_makes_owners_and_nobody_hands_out_more_than_they_hold(vault):
    admin = users.add_user(vault, "Anna Admin", ADMIN)
    permissions.act_as(vault, admin.id)
    with pytest.raises(UserError, match="Only an Owner can make someone an Owner"):
        users.add_user(vault, "Sneaky", OWNER)
    with pytest.raises(UserError) as caught:
        users.create_role(vault, "Key keeper", ["contacts.view", "rekey"])
    assert str(caught.value) == ("Your role (Admin) cannot hand out changing the vault's "
                                 "key, because it does not allow it itself.")
    keeper = users.create_role(vault, "Helper", ["contacts.view"])
    manager = users.add_user(vault, "Mona Manager", MANAGER)
    assert manager.role_name == "Manager"
    assert keeper.permissions == ("contacts.view",)


def test_staff_cannot_manage_users(vault):
    clerk = users.add_user(vault, "Carla Clerk", STAFF)
    permissions.act_as(vault, clerk.id)
    with pytest.raises(PermissionDenied) as caught:
        users.add_user(vault, "Friend", STAFF)
    assert str(caught.value) == "Your role (Staff) does not allow managing users and roles."
    for attempt in (lambda: users.change_role(vault, clerk.id, ADMIN),
                    lambda: users.rename_user(vault, clerk.id, "Boss"),
                    lambda: users.create_role(vault, "Mine", ["users"]),
                    lambda: users.remove_user(vault, owner_of(vault))):
        with pytest.raises(PermissionDenied):
            attempt()
    assert [u.display_name for u in users.list_users(vault)] == ["Carla Clerk", "Owner"]


def test_custom_roles_can_be_made_changed_and_deleted_when_unused(vault):
    bookkeeper = users.create_role(vault, "Bookkeeper", ["invoices.view"])
    assert (bookkeeper.name, bookkeeper.builtin, bookkeeper.permissions) == (
        "Bookkeeper", "", ("invoices.view",))
    berta = users.add_user(vault, "Berta Books", bookkeeper.id)
    changed = users.edit_role(vault, bookkeeper.id, name="Accounts",
                              granted=["invoices.view", "reports.view", "print"])
    assert changed.permissions == ("invoices.view", "reports.view", "print")
    assert changed.users == 1
    with pytest.raises(UserError) as caught:
        users.delete_role(vault, bookkeeper.id)
    assert str(caught.value) == ("The role “Accounts” is still given to 1 user; give them "
                                 "another role first.")
    users.change_role(vault, berta.id, READ_ONLY)
    users.delete_role(vault, bookkeeper.id)
    assert "Accounts" not in [r.name for r in users.list_roles(vault)]


def test_built_in_roles_cannot_be_changed_and_unknown_permissions_are_refused(vault):
    with pytest.raises(UserError, match="The built-in role “Staff” cannot be changed"):
        users.edit_role(vault, STAFF, granted=["contacts.view"])
    with pytest.raises(UserError, match="cannot be deleted"):
        users.delete_role(vault, READ_ONLY)
    with pytest.raises(UserError) as caught:
        users.create_role(vault, "Odd", ["contacts.fly"])
    assert str(caught.value) == ("“contacts.fly” is not a permission this version of "
                                 "Crasme Desktop knows.")
    with pytest.raises(UserError, match="There is already a role called “Admin”"):
        users.create_role(vault, "ADMIN", [])


def test_a_changed_role_counts_from_the_next_call(vault):
    helper = users.create_role(vault, "Helper", ["contacts.view", "contacts.create"])
    hanna = users.add_user(vault, "Hanna Helper", helper.id)
    permissions.act_as(vault, hanna.id)
    made = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L"))
    vault.actor = None
    users.edit_role(vault, helper.id, granted=["contacts.view"])
    permissions.act_as(vault, hanna.id)
    with pytest.raises(PermissionDenied):
        contacts.create_person(vault, PersonDraft(given_name="Bea", family_name="L"))
    assert contacts.get_person(vault, made.id).given_name == "Ada"


def test_a_deactivated_user_cannot_act(vault):
    clerk = users.add_user(vault, "Carla Clerk", STAFF)
    users.set_active(vault, clerk.id, False)
    with pytest.raises(UserError, match="deactivated"):
        permissions.act_as(vault, clerk.id)


def test_the_bookkeeper_reads_invoices_and_nothing_in_contacts(vault, tmp_path):
    person = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L")).id
    bookkeeper = users.create_role(vault, "Bookkeeper", ["invoices.view"])
    berta = users.add_user(vault, "Berta Books", bookkeeper.id)
    actor = permissions.act_as(vault, berta.id)
    assert actor.permissions == frozenset({Permission("invoices", "view")})
    assert permissions.may(vault, "invoices.view")
    for attempt in (lambda: contacts.get_person(vault, person),
                    lambda: contacts.open_person(vault, person),
                    lambda: contacts.list_people(vault),
                    lambda: contacts.delete_person(vault, person),
                    lambda: contacts_export.export_people(vault, ListSpec(),
                                                          tmp_path / "p.csv")):
        with pytest.raises(PermissionDenied, match=r"^Your role \(Bookkeeper\) does not "):
            attempt()
    assert not (tmp_path / "p.csv").exists()


# ------------------------------------------------------------ the contacts area matrix


def _operations(vault, tmp_path) -> dict[Permission, Callable[[], object]]:
    """One service call per permission of the contacts area, on records the Owner made;
    each returns something that shows it was done."""
    actor = vault.actor
    vault.actor = None
    person = contacts.create_person(vault, PersonDraft(given_name="Ada", family_name="L")).id
    doomed = contacts.create_person(vault, PersonDraft(given_name="Del", family_name="L")).id
    company = contacts.create_organization(vault, OrganizationDraft(name="Bau GmbH")).id
    doomed_co = contacts.create_organization(vault, OrganizationDraft(name="Gone Ltd")).id
    vault.actor = actor

    def deleted_person() -> bool:
        contacts.delete_person(vault, doomed)
        return True

    def deleted_company() -> bool:
        contacts.delete_organization(vault, doomed_co)
        return True

    return {
        Permission("contacts", "view"): lambda: contacts.get_person(vault, person).id,
        Permission("contacts", "create"): lambda: contacts.create_person(
            vault, PersonDraft(given_name="New", family_name="P")).id,
        Permission("contacts", "edit"): lambda: contacts.update_person(
            vault, person, PersonDraft(given_name="Ada", family_name="King")).family_name,
        Permission("contacts", "delete"): deleted_person,
        Permission("companies", "view"): lambda: contacts.get_organization(vault, company).id,
        Permission("companies", "create"): lambda: contacts.create_organization(
            vault, OrganizationDraft(name="New Co")).id,
        Permission("companies", "edit"): lambda: contacts.update_organization(
            vault, company, OrganizationDraft(name="Bau AG")).name,
        Permission("companies", "delete"): deleted_company,
        Permission("", "export"): lambda: contacts_export.export_people(
            vault, ListSpec(), tmp_path / "people.csv").count,
    }


@pytest.mark.parametrize("role", list(BUILTIN_ROLES))
def test_each_role_may_do_exactly_what_the_matrix_says_in_contacts(vault, tmp_path, role):
    user = users.add_user(vault, f"User {role}", BUILTIN_ROLE_IDS[role]) \
        if role != "owner" else users.get_user(vault, owner_of(vault))
    permissions.act_as(vault, user.id)
    allowed = builtin_permissions(role)
    role_name = BUILTIN_ROLES[role][0]
    done, refused = [], []
    for permission, call in _operations(vault, tmp_path).items():
        wanted = allowed >= {permission} if not permission.sensitive else (
            permission in allowed and Permission("contacts", "view") in allowed)
        if wanted:
            assert call(), permission
            done.append(str(permission))
        else:
            with pytest.raises(PermissionDenied) as caught:
                call()
            assert str(caught.value) == (f"Your role ({role_name}) does not allow "
                                         f"{caught.value.permission.describe()}.")
            refused.append(str(permission))
    expected_refused = {
        "owner": [], "admin": [], "manager": [],
        "staff": ["contacts.delete", "companies.delete", "export"],
        "read_only": ["contacts.create", "contacts.edit", "contacts.delete",
                      "companies.create", "companies.edit", "companies.delete", "export"],
    }[role]
    assert refused == expected_refused
    assert len(done) + len(refused) == 9
    vault.actor = None
    assert audit.verify_chain(vault).ok


def test_demo_adds_users_with_different_roles_once(vault):
    from crasme_desktop.services import demo

    demo.fill_demo(vault, contacts=0)
    demo.fill_demo(vault, contacts=0)
    listed = [(u.display_name, u.role_name) for u in users.list_users(vault)]
    assert listed == [("Maria Rossi", "Manager"), ("Owner", "Owner"),
                      ("Petra Klein", "Bookkeeper"), ("Tomasz Nowak", "Staff")]
    bookkeeper = next(r for r in users.list_roles(vault) if r.name == "Bookkeeper")
    assert (bookkeeper.builtin, bookkeeper.permissions, bookkeeper.users) == (
        "", ("invoices.view",), 1)
    assert audit.verify_chain(vault).ok
