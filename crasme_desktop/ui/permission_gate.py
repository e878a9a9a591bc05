"""What the signed-in user's role allows, for screens: hide or disable, and say why.

The services refuse what a role does not allow (`services.permissions.require`); the
screens follow so nobody is offered a button that can only fail. A control the role
cannot use is disabled with the refusal's own sentence as its tool tip ("Your role
(Read-only) does not allow editing deals."), or hidden where a disabled control
would only be clutter (an editing column, a whole page).

The actor is read from `vault.actor`, which the unlock (run on the worker thread)
resolves before the main window attaches the vault, so these checks never touch the
database on the GUI thread. A vault whose actor is not known yet allows everything
here; the services still check.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from crasme_desktop.domain.permissions import Permission, PermissionDenied


def _parse(permission: Permission | str) -> Permission:
    return Permission.parse(permission) if isinstance(permission, str) else permission


def denial(vault: Any, permission: Permission | str) -> str | None:
    """The sentence saying why the acting user may not do `permission`, or None when
    they may (or no vault or actor is known)."""
    actor = getattr(vault, "actor", None) if vault is not None else None
    if actor is None:
        return None
    wanted = _parse(permission)
    if actor.may(wanted):
        return None
    return PermissionDenied(actor.role_name, wanted).message


def allowed(vault: Any, permission: Permission | str) -> bool:
    return denial(vault, permission) is None


def first_denial(vault: Any, permissions: Iterable[Permission | str]) -> str | None:
    """The first refusal among several permissions an action needs (all are needed)."""
    for permission in permissions:
        reason = denial(vault, permission)
        if reason is not None:
            return reason
    return None


def gate(target: QWidget | QAction, vault: Any, *needed: Permission | str,
         hide: bool = False, tip: str = "") -> bool:
    """Enable `target` when the role allows every permission in `needed`; else disable
    it (or hide it, with `hide=True`) and put the reason in its tool tip. `tip` is the
    tool tip it has when allowed. Returns whether it is allowed."""
    reason = first_denial(vault, needed)
    ok = reason is None
    if hide:
        target.setVisible(ok)
    target.setEnabled(ok)
    target.setToolTip(tip if ok else (reason or ""))
    if isinstance(target, QAction):
        target.setStatusTip(tip if ok else (reason or ""))
    return ok
