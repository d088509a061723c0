"""Who may do what: four roles, and the permission each part of the console asks for."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    agent = "agent"
    editor = "editor"
    supervisor = "supervisor"
    admin = "admin"


ROLES = tuple(role.value for role in Role)

# Agents work complaints; editors publish notices; supervisors do both and see reports,
# staff and the audit trail; admins manage accounts and settings (and may do everything).
COMPLAINTS = (Role.agent, Role.supervisor, Role.admin)
NOTICES = (Role.editor, Role.supervisor, Role.admin)
ANSWERS = (Role.editor, Role.supervisor, Role.admin)  # the answers the bot gives to questions
OVERSIGHT = (Role.supervisor, Role.admin)
ACCOUNTS = (Role.admin,)


def allowed(role: str, roles: tuple[str, ...]) -> bool:
    """Whether a staff member with `role` passes a check for `roles` (admin passes all)."""
    return role == Role.admin or role in roles


def can_reveal_phone(role: str) -> bool:
    """Supervisors and admins may see a full phone number (and the reveal is audited)."""
    return allowed(role, OVERSIGHT)
