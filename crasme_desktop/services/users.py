"""Users and roles: who uses this vault and what each may do.

Rules:
- Everyone may see the list of users and roles (the sign-in dialog and the
  assignment lists show them); every change needs the `users` permission.
- A user has a display name (required, under 100 characters, unique without regard
  to case or accents), one role, and is active or not. An inactive user cannot sign
  in and keeps their place in the audit trail; a removed user's past events keep
  their id (the trail is never rewritten).
- The vault always keeps one active Owner: the last one cannot be removed,
  deactivated or given another role. Only an Owner makes someone an Owner or changes
  an Owner's role. Nobody removes or deactivates their own user.
- No one hands out more than they hold: a role given to a user, or a permission put
  in a custom role, must be within the acting user's own permissions.
- Built-in roles (Owner, Admin, Manager, Staff, Read-only; see `domain.permissions`)
  cannot be changed or deleted. A custom role has a unique name and any set of known
  permissions; it can be deleted only when nobody has it.

Sign-in (see `vault.user_slots`): a user given a passphrase gets their own key slot
and signs in with their display name and that passphrase. Giving or resetting
someone's passphrase needs `users`; a signed-in user changes their own knowing the
current one. Renaming a user renames their sign-in name with it; removing a user
removes their slot and rotates the data key (a copy of the vault made afterwards does
not open with anything they knew), which re-encrypts the file and takes a moment on
a big vault.

Audit events carry ids only ("user.create", "user.role", "role.update", ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import AppUser, Role, RolePermission
from crasme_desktop.domain.permissions import (
    ALL_PERMISSIONS,
    BUILTIN_ROLES,
    Actor,
    Permission,
)
from crasme_desktop.domain.progress import Progress
from crasme_desktop.domain.validation import check_no_card_number, clean_text, quoted, sort_key
from crasme_desktop.services import audit, permissions
from crasme_desktop.vault import Vault, user_slots

NAME_MAX = 100
LAST_OWNER = ("The vault must keep at least one active Owner; make someone else an Owner "
              "first.")

__all__ = [
    "RoleRecord",
    "UserRecord",
    "acting_user",
    "add_user",
    "change_own_passphrase",
    "change_role",
    "create_role",
    "delete_role",
    "edit_role",
    "get_role",
    "get_user",
    "list_roles",
    "list_users",
    "remove_user",
    "rename_user",
    "set_active",
    "set_sign_in",
]


@dataclass(frozen=True)
class UserRecord:
    id: str
    display_name: str
    role_id: str
    role_name: str
    active: bool
    created_at: datetime
    has_sign_in: bool = False  # has their own key slot (signs in by name)


@dataclass(frozen=True)
class RoleRecord:
    id: str
    name: str
    builtin: str  # "" for a custom role, else its key ("owner", "read_only", ...)
    permissions: tuple[str, ...]  # as text, in the order of `ALL_PERMISSIONS`
    users: int


# ------------------------------------------------------------------------- users


def list_users(vault: Vault, *, include_inactive: bool = True) -> list[UserRecord]:
    with vault.unit_of_work() as uow:
        query = (select(AppUser, Role.name).join(Role, Role.id == AppUser.role_id)
                 .order_by(AppUser.name_key, AppUser.id))
        if not include_inactive:
            query = query.where(AppUser.active.is_(True))
        slots = _slot_user_ids(vault)
        return [_user_record(u, name, slots) for u, name in uow.session.execute(query)]


def get_user(vault: Vault, user_id: str) -> UserRecord:
    with vault.unit_of_work() as uow:
        user = _load_user(uow.session, user_id)
        return _user_record(user, _load_role(uow.session, user.role_id).name,
                            _slot_user_ids(vault))


def acting_user(vault: Vault) -> UserRecord | None:
    """The user the vault acts as now (the one who signed in, or the Owner it acts as
    when opened with the vault's passphrase or recovery key); None for a vault that has
    no users at all."""
    actor = permissions.actor_of(vault)
    return None if actor.user_id is None else get_user(vault, actor.user_id)


def add_user(vault: Vault, display_name: str, role_id: str, *,
             passphrase: str | None = None) -> UserRecord:
    """Add a user; with `passphrase` they also get a sign-in (their name and that
    passphrase open the vault as them). Nothing is added if either part is refused."""
    actor = permissions.require(vault, "users")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        name, key = _clean_name(s, display_name)
        role = _load_role(s, role_id)
        _check_may_give(s, actor, role)
        user = AppUser(display_name=name, name_key=key, role_id=role.id, active=True,
                       created_at=now, updated_at=now)
        s.add(user)
        s.flush()
        audit.add(s, "user.create", "app_user", user.id)
        if passphrase is not None:
            # Last: a refused passphrase rolls the new row back with it.
            user_slots.add_user_slot(vault, user.id, name, passphrase)
            audit.add(s, "user.sign_in_set", "app_user", user.id)
        return _user_record(user, role.name, {user.id} if passphrase is not None else set())


def set_sign_in(vault: Vault, user_id: str, passphrase: str) -> UserRecord:
    """Give a user a sign-in passphrase, or reset a forgotten one (the old one stops
    working at once). They sign in with their name as shown in the list."""
    permissions.require(vault, "users")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        user = _load_user(s, user_id)
        if user.id in _slot_user_ids(vault):
            user_slots.set_user_passphrase(vault, user.id, passphrase)
        else:
            user_slots.add_user_slot(vault, user.id, user.display_name, passphrase)
        audit.add(s, "user.sign_in_set", "app_user", user.id)
        return _user_record(user, _load_role(s, user.role_id).name, {user.id})


def change_own_passphrase(vault: Vault, current: str, new: str) -> None:
    """The signed-in user changes their own passphrase; `current` must be theirs now
    (no permission needed: it is their own sign-in)."""
    user_id = vault.signed_in_user_id
    if user_id is None:
        raise UserError("Sign in with your own name and passphrase to change your "
                        "passphrase.")
    user_slots.change_user_passphrase(vault, user_id, current, new)
    audit.record_read(vault, "user.passphrase_changed", "app_user", user_id)


def rename_user(vault: Vault, user_id: str, display_name: str) -> UserRecord:
    permissions.require(vault, "users")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        user = _load_user(s, user_id)
        user.display_name, user.name_key = _clean_name(s, display_name, user.id)
        user.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, "user.rename", "app_user", user.id)
        slots = _slot_user_ids(vault)
        if user.id in slots:
            # Inside the transaction: a refused sign-in name leaves the old name too.
            user_slots.rename_user_slot(vault, user.id, user.display_name)
        record = _user_record(user, _load_role(s, user.role_id).name, slots)
    return record


def change_role(vault: Vault, user_id: str, role_id: str) -> UserRecord:
    actor = permissions.require(vault, "users")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        user = _load_user(s, user_id)
        current = _load_role(s, user.role_id)
        role = _load_role(s, role_id)
        if role.id != current.id:
            if current.builtin == "owner":
                _check_is_owner(actor, "change an Owner's role")
                _check_not_last_owner(s, user)
            _check_may_give(s, actor, role)
            user.role_id = role.id
            user.updated_at = vault.clock.now()
            s.flush()
            audit.add(s, "user.role", "app_user", user.id)
        record = _user_record(user, role.name, _slot_user_ids(vault))
    permissions.refresh(vault)
    return record


def set_active(vault: Vault, user_id: str, active: bool) -> UserRecord:
    """Deactivate a user (they can no longer sign in) or make them active again."""
    actor = permissions.require(vault, "users")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        user = _load_user(s, user_id)
        role = _load_role(s, user.role_id)
        if bool(active) != user.active:
            if not active:
                _check_not_self(actor, user, "deactivate")
                if role.builtin == "owner":
                    _check_is_owner(actor, "deactivate an Owner")
                    _check_not_last_owner(s, user)
            user.active = bool(active)
            user.updated_at = vault.clock.now()
            s.flush()
            audit.add(s, "user.activate" if active else "user.deactivate", "app_user", user.id)
        record = _user_record(user, role.name, _slot_user_ids(vault))
    permissions.refresh(vault)
    return record


def remove_user(vault: Vault, user_id: str, *, passphrase: str | None = None,
                progress: Progress | None = None) -> str | None:
    """Remove a user for good (their past audit events keep their id). A user with a
    sign-in loses their key slot and the data key is rotated first (see
    `user_slots.remove_user_slot`): then the row goes. Returns a new recovery key when
    an old-style recovery slot had to be replaced (show it once), else None;
    `passphrase` is the vault's, needed only for an old-style passphrase slot."""
    actor = permissions.require(vault, "users")
    with vault.unit_of_work() as uow:
        _check_may_remove(uow.session, actor, _load_user(uow.session, user_id))
    new_recovery = None
    if user_id in _slot_user_ids(vault) or user_slots.rotation_due(vault.path):
        if progress is not None:
            progress.update(0, 0, "Changing the vault's key…")
        # The slot goes before the row: a failure in between leaves a user who can no
        # longer sign in, never a removed user whose passphrase still opens the file.
        new_recovery = user_slots.remove_user_slot(vault, user_id, passphrase=passphrase)
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        user = _load_user(s, user_id)
        _check_may_remove(s, actor, user)
        s.delete(user)
        s.flush()
        audit.add(s, "user.delete", "app_user", user_id)
    permissions.refresh(vault)
    return new_recovery


def _check_may_remove(s: Session, actor: Actor, user: AppUser) -> None:
    _check_not_self(actor, user, "remove")
    if _load_role(s, user.role_id).builtin == "owner":
        _check_is_owner(actor, "remove an Owner")
        _check_not_last_owner(s, user)


# ------------------------------------------------------------------------- roles


def list_roles(vault: Vault) -> list[RoleRecord]:
    """Built-in roles first (Owner to Read-only), then custom roles by name."""
    order = {key: i for i, key in enumerate(BUILTIN_ROLES)}
    with vault.unit_of_work() as uow:
        s = uow.session
        counts = {role_id: n for role_id, n in s.execute(
            select(AppUser.role_id, func.count()).group_by(AppUser.role_id))}
        roles = sorted(s.scalars(select(Role)),
                       key=lambda r: (order.get(r.builtin, len(order)), r.name_key))
        return [_role_record(s, r, counts.get(r.id, 0)) for r in roles]


def get_role(vault: Vault, role_id: str) -> RoleRecord:
    with vault.unit_of_work() as uow:
        s = uow.session
        role = _load_role(s, role_id)
        users = s.scalar(select(func.count()).select_from(AppUser)
                         .where(AppUser.role_id == role.id)) or 0
        return _role_record(s, role, users)


def create_role(vault: Vault, name: str, granted: Iterable[Permission | str]) -> RoleRecord:
    actor = permissions.require(vault, "users")
    now = vault.clock.now()
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        clean, key = _clean_role_name(s, name)
        wanted = _permissions(granted)
        _check_within(actor, wanted)
        role = Role(name=clean, name_key=key, builtin="", description="",
                    created_at=now, updated_at=now)
        s.add(role)
        s.flush()
        s.add_all(RolePermission(role_id=role.id, permission=str(p)) for p in wanted)
        s.flush()
        audit.add(s, "role.create", "role", role.id)
        return _role_record(s, role, 0)


def edit_role(vault: Vault, role_id: str, *, name: str | None = None,
              granted: Iterable[Permission | str] | None = None) -> RoleRecord:
    """Rename a custom role or replace its permissions; who has it gets the change at
    their next step."""
    actor = permissions.require(vault, "users")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        role = _load_custom_role(s, role_id, "changed")
        if name is not None:
            role.name, role.name_key = _clean_role_name(s, name, role.id)
        if granted is not None:
            wanted = _permissions(granted)
            old = permissions.role_permissions(s, role)
            _check_within(actor, wanted ^ old)  # nobody grants or takes what they lack
            s.execute(delete(RolePermission).where(RolePermission.role_id == role.id))
            s.add_all(RolePermission(role_id=role.id, permission=str(p)) for p in wanted)
        role.updated_at = vault.clock.now()
        s.flush()
        audit.add(s, "role.update", "role", role.id)
        users = s.scalar(select(func.count()).select_from(AppUser)
                         .where(AppUser.role_id == role.id)) or 0
        record = _role_record(s, role, users)
    permissions.refresh(vault)
    return record


def delete_role(vault: Vault, role_id: str) -> None:
    permissions.require(vault, "users")
    with vault.unit_of_work(immediate=True) as uow:
        s = uow.session
        role = _load_custom_role(s, role_id, "deleted")
        users = s.scalar(select(func.count()).select_from(AppUser)
                         .where(AppUser.role_id == role.id)) or 0
        if users:
            who = "1 user" if users == 1 else f"{users} users"
            raise UserError(f"The role {quoted(role.name)} is still given to {who}; give "
                            "them another role first.")
        s.delete(role)  # its permissions go with it (ON DELETE CASCADE)
        s.flush()
        audit.add(s, "role.delete", "role", role_id)


# ------------------------------------------------------------------------- helpers


def _user_record(user: AppUser, role_name: str, with_slots: set[str]) -> UserRecord:
    created = user.created_at
    return UserRecord(user.id, user.display_name, user.role_id, role_name, bool(user.active),
                      created.replace(tzinfo=UTC) if created.tzinfo is None else created,
                      user.id in with_slots)


def _slot_user_ids(vault: Vault) -> set[str]:
    """The users who have a sign-in (read from the key-slot file, nothing decrypted)."""
    return set(user_slots.user_ids_with_slots(vault.path))


def _role_record(s: Session, role: Role, users: int) -> RoleRecord:
    held = permissions.role_permissions(s, role)
    return RoleRecord(role.id, role.name, role.builtin,
                      tuple(str(p) for p in ALL_PERMISSIONS if p in held), int(users))


def _load_user(s: Session, user_id: str) -> AppUser:
    user = s.get(AppUser, user_id)
    if user is None:
        raise UserError("This user no longer exists; the list may be out of date.")
    return user


def _load_role(s: Session, role_id: str) -> Role:
    role = s.get(Role, role_id)
    if role is None:
        raise UserError("This role no longer exists; the list may be out of date.")
    return role


def _load_custom_role(s: Session, role_id: str, what: str) -> Role:
    role = _load_role(s, role_id)
    if role.builtin:
        raise UserError(f"The built-in role {quoted(role.name)} cannot be {what}; make a "
                        "custom role instead.")
    return role


def _clean_name(s: Session, value: str, user_id: str = "") -> tuple[str, str]:
    name = clean_text(value)
    if not name:
        raise UserError("Give the user a name.")
    if len(name) > NAME_MAX:
        raise UserError(f"Keep the user's name under {NAME_MAX} characters.")
    check_no_card_number(name, "user's name")
    key = sort_key(name)
    clash = s.scalars(select(AppUser).where(AppUser.name_key == key,
                                            AppUser.id != user_id)).first()
    if clash is not None:
        raise UserError(f"There is already a user called {quoted(clash.display_name)}; use "
                        "another name, such as with an initial.")
    return name, key


def _clean_role_name(s: Session, value: str, role_id: str = "") -> tuple[str, str]:
    name = clean_text(value)
    if not name:
        raise UserError("Give the role a name.")
    if len(name) > NAME_MAX:
        raise UserError(f"Keep the role's name under {NAME_MAX} characters.")
    key = sort_key(name)
    clash = s.scalars(select(Role).where(Role.name_key == key, Role.id != role_id)).first()
    if clash is not None:
        raise UserError(f"There is already a role called {quoted(clash.name)}; choose "
                        "another name.")
    return name, key


def _permissions(granted: Iterable[Permission | str]) -> frozenset[Permission]:
    out = set()
    for item in granted:
        if isinstance(item, Permission):
            out.add(item)
            continue
        try:
            out.add(Permission.parse(item))
        except ValueError:
            raise UserError(f"{quoted(str(item))} is not a permission this version of "
                            "Crasme Desktop knows.") from None
    return frozenset(out)


def _check_within(actor: Actor, wanted: Iterable[Permission]) -> None:
    for p in sorted(wanted):
        if not actor.may(p):
            raise UserError(f"Your role ({actor.role_name}) cannot hand out {p.describe()}, "
                            "because it does not allow it itself.")


def _check_may_give(s: Session, actor: Actor, role: Role) -> None:
    if role.builtin == "owner":
        _check_is_owner(actor, "make someone an Owner")
    _check_within(actor, permissions.role_permissions(s, role))


def _check_is_owner(actor: Actor, what: str) -> None:
    if actor.role_id != BUILTIN_ROLES["owner"][1]:
        raise UserError(f"Only an Owner can {what}.")


def _check_not_self(actor: Actor, user: AppUser, what: str) -> None:
    if actor.user_id == user.id:
        raise UserError(f"You cannot {what} your own user; ask another Owner or Admin.")


def _check_not_last_owner(s: Session, user: AppUser) -> None:
    others = s.scalar(
        select(func.count()).select_from(AppUser).join(Role, Role.id == AppUser.role_id)
        .where(Role.builtin == "owner", AppUser.active.is_(True), AppUser.id != user.id))
    if not others:
        raise UserError(LAST_OWNER)
