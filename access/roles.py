"""Roles, what each may do, and the signed-in person every action is checked against.

| role | may |
|---|---|
| reviewer | see its clients' queues; claim, correct, approve, reject, release, escalate |
| lead | what a reviewer may, plus escalated items and reassigning claimed items |
| qa | see its clients' queues (read only); record QA outcomes of sampled records |
| finance | close billing periods and export bills of its clients |
| admin | manage users |

A user sees only the clients assigned (``*`` assigns every client, present and future).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

ALL_CLIENTS = "*"


class Role(StrEnum):
    REVIEWER = "reviewer"
    LEAD = "lead"
    QA = "qa"
    FINANCE = "finance"
    ADMIN = "admin"


class Permission(StrEnum):
    #: Open a client's queue and its items (values masked as everywhere).
    VIEW_QUEUE = "view_queue"
    #: Claim, correct, approve, reject, release one's own claim, escalate.
    WORK_ITEMS = "work_items"
    #: Claim and decide escalated items.
    HANDLE_ESCALATED = "handle_escalated"
    #: Take a claimed item from its holder and give it to someone else.
    REASSIGN = "reassign"
    #: Record the outcome of a QA sample.
    QA = "qa"
    #: Close billing periods, export bills.
    BILLING = "billing"
    #: Add, disable, rotate users.
    MANAGE_USERS = "manage_users"


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.REVIEWER: frozenset({Permission.VIEW_QUEUE, Permission.WORK_ITEMS}),
    Role.LEAD: frozenset(
        {
            Permission.VIEW_QUEUE,
            Permission.WORK_ITEMS,
            Permission.HANDLE_ESCALATED,
            Permission.REASSIGN,
        }
    ),
    Role.QA: frozenset({Permission.VIEW_QUEUE, Permission.QA}),
    Role.FINANCE: frozenset({Permission.BILLING}),
    Role.ADMIN: frozenset({Permission.MANAGE_USERS}),
}


@dataclass(frozen=True)
class Actor:
    """A person acting now, as the store knows them (enabled, with a role and clients).

    ``via`` says how they were identified: ``web`` (token sign-in), ``sso``, ``cli`` (named by
    an operator on the command line) or ``prefect`` (named in the Prefect form).
    """

    name: str
    role: Role
    clients: frozenset[str]
    via: str = "cli"

    def sees(self, client_id: str) -> bool:
        """Whether the client is assigned to this person."""
        return ALL_CLIENTS in self.clients or client_id in self.clients

    def may(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    def visible(self, client_ids: Iterable[str]) -> list[str]:
        """Of ``client_ids``, the ones this person sees, sorted."""
        return sorted(c for c in client_ids if self.sees(c))

    def queues(self, client_ids: Iterable[str]) -> list[str]:
        """Of ``client_ids``, the ones whose review queue this person may open, sorted."""
        return self.visible(client_ids) if self.may(Permission.VIEW_QUEUE) else []
