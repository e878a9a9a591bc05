"""Who is acting, and the check every service makes before it acts.

The opened `Vault` carries `vault.actor` (an `Actor`: user id, role name, role
permissions). Sign-in sets it with `act_as(vault, user_id)`; until then, and for a
vault one person uses, the services act as the vault's only user, or its first active
Owner when there are several (the sign-in dialog replaces that guess with a choice).
A service function calls `require(vault, "contacts.delete")` first thing; it returns
the actor or raises `PermissionDenied` with one sentence naming what the role may not
do. The audit trail records `vault.actor.user_id` with every event.

The actor is cached on the vault; `services.users` calls `refresh` after changing a
user or a role, so a changed role counts from the next call on.
"""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from crasme_desktop.domain.errors import UserError
from crasme_desktop.domain.models import AppUser, Role, RolePermission
from crasme_desktop.domain.permissions import (
    ALL_PERMISSIONS,
    BUILTIN_ROLES,
    Actor,
    Permission,
    parse_permissions,
)
from crasme_desktop.vault import Vault

#: The actor of a vault without any active user (it has never had one): its Owner.
NOBODY_OWNER = Actor(None, BUILTIN_ROLES["owner"][0], frozenset(ALL_PERMISSIONS),
                     BUILTIN_ROLES["owner"][1])


def ensure_builtin_roles(session: Session) -> int:
    """Put back any built-in role missing from the `role` table (after importing an
    export made before schema 0009); returns how many were added."""
    have = set(session.scalars(select(Role.id)))
    missing = [(key, name, role_id) for key, (name, role_id, _p) in BUILTIN_ROLES.items()
               if role_id not in have]
    for key, name, role_id in missing:
        session.add(Role(id=role_id, name=name, name_key=name.casefold(), builtin=key,
                         description=""))
    session.flush()
    return len(missing)


def role_permissions(session: Session, role: Role) -> frozenset[Permission]:
    """A built-in role's permissions from the matrix, a custom role's from its rows."""
    if role.builtin in BUILTIN_ROLES:
        return BUILTIN_ROLES[role.builtin][2]
    if role.builtin:
        return frozenset()  # a built-in role of a newer program: grants nothing here
    texts = session.scalars(
        select(RolePermission.permission).where(RolePermission.role_id == role.id))
    return parse_permissions(texts)


def actor_for_user(session: Session, user_id: str) -> Actor:
    user = session.get(AppUser, user_id)
    if user is None or not user.active:
        raise UserError("This user does not exist or has been deactivated; choose another.")
    role = session.get(Role, user.role_id)
    assert role is not None  # nosec B101  # a foreign key (RESTRICT) keeps the role
    return Actor(user.id, role.name, role_permissions(session, role), role.id)


def default_actor(session: Session) -> Actor:
    """The only active user, else the first active Owner (by creation), else a vault
    without users acting as its Owner."""
    first = session.execute(
        select(AppUser.id)
        .join(Role, Role.id == AppUser.role_id)
        .where(AppUser.active.is_(True))
        .order_by(case((Role.builtin == "owner", 0), else_=1), AppUser.created_at, AppUser.id)
        .limit(1)
    ).scalar_one_or_none()
    return NOBODY_OWNER if first is None else actor_for_user(session, first)


def actor_in(session: Session) -> Actor | None:
    """The actor of the vault a unit of work's session belongs to (resolved and cached
    on first use); None for a session made outside a unit of work."""
    vault = session.info.get("vault")
    if vault is None:
        return None
    if vault.actor is None:
        vault.actor = default_actor(session)
    return vault.actor


def actor_of(vault: Vault) -> Actor:
    if vault.actor is None:
        with vault.unit_of_work() as uow:
            vault.actor = default_actor(uow.session)
    return vault.actor


def act_as(vault: Vault, user_id: str) -> Actor:
    """Make `user_id` the acting user of this opened vault (called at sign-in)."""
    with vault.unit_of_work() as uow:
        vault.actor = actor_for_user(uow.session, user_id)
    return vault.actor


def refresh(vault: Vault) -> None:
    """Read the acting user's role again (after users or roles changed); an actor who
    was deactivated or removed falls back to the default actor."""
    current = vault.actor
    with vault.unit_of_work() as uow:
        if current is not None and current.user_id is not None:
            try:
                vault.actor = actor_for_user(uow.session, current.user_id)
                return
            except UserError:
                pass
        vault.actor = default_actor(uow.session)


def require(vault: Vault, permission: Permission | str) -> Actor:
    """The acting user, if their role allows `permission`; else `PermissionDenied`."""
    actor = actor_of(vault)
    actor.require(_parse(permission))
    return actor


def require_any(vault: Vault, *permissions: Permission | str) -> Actor:
    """The acting user, if their role allows any one of `permissions`; else
    `PermissionDenied` naming the last (the one the sentence should speak of)."""
    actor = actor_of(vault)
    wanted = [_parse(p) for p in permissions]
    if not any(actor.may(p) for p in wanted):
        actor.require(wanted[-1])
    return actor


def _parse(permission: Permission | str) -> Permission:
    return Permission.parse(permission) if isinstance(permission, str) else permission


def may(vault: Vault, permission: Permission | str) -> bool:
    """Whether the acting user may (for screens that hide or disable what they cannot)."""
    return actor_of(vault).may(_parse(permission))
