"""audit_log: one action name per action, whatever the door

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00

The console wrote `notice_publish` where the API and the CLI wrote `notice.publish`. Every door
now records the names of `accounts.audit.AuditAction`; older rows are renamed so the audit
page's filter finds an action's whole history under one name.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = {
    "staff_create": "staff.create",
    "staff_update": "staff.update",
    "staff_password": "staff.password",
    "token_create": "token.create",
    "token_revoke": "token.revoke",
    "phone_reveal": "phone.reveal",
    "report_export": "report.export",
    "complaint_reply": "complaint.reply",
    "complaint_note": "complaint.note",
    "complaint_assign": "complaint.assign",
    "complaint_status": "complaint.status",
    "contact_reply": "contact.reply",
    "contact_settle": "contact.settle",
    "target_update": "target.update",
    "notice_create": "notice.create",
    "notice_edit": "notice.update",
    "notice_publish": "notice.publish",
    "notice_extend": "notice.extend",
    "notice_restore": "notice.restore",
    "notice_cancel": "notice.cancel",
}
RENAME = sa.text("UPDATE audit_log SET action = :new WHERE action = :old")


def upgrade() -> None:
    for old, new in RENAMED.items():
        op.execute(RENAME.bindparams(old=old, new=new))


def downgrade() -> None:
    """Nothing to undo: older code shows any action name as it is, and the API's and the CLI's
    rows always had the new names, so renaming back would mix the doors up again."""
