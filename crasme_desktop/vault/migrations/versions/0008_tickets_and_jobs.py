"""staff, tickets and the schedule: staff members and their absences, holidays, SLA
policies, canned replies, tickets with their thread, status history and the mailbox's
intake, and field jobs with their materials

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

Times are UTC. `ticket.next_due_at` is indexed only where it is set (the clock runs),
so the due-soon and breached queues read a small index however many tickets are
closed. Default SLA policies are made here, in business minutes (a business day is
the office's opening hours, Monday to Friday 09:00-17:00 until changed):

    priority  first response  resolution
    urgent    1 h             8 h
    high      4 h             3 days
    normal    8 h             5 days
    low       2 days          10 days

Triggers, so that whichever way a row goes (a service, erasing a person, a cascade)
nothing is left behind: a deleted ticket or job leaves the search index (FTS5
'delete' with the stored text, as services/search_index does); a deleted ticket
message takes its attachments (subject_kind "ticket_message") with it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from crasme_desktop.domain.ids import new_id

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: priority -> (first response, resolution) in business minutes.
DEFAULT_SLA = {
    "urgent": (60, 480),
    "high": (240, 3 * 480),
    "normal": (480, 5 * 480),
    "low": (2 * 480, 10 * 480),
}

_UNINDEX = """
    INSERT INTO search_word (search_word, rowid, name, other)
        SELECT 'delete', doc_id, name, other FROM search_doc WHERE record_id = OLD.id;
    INSERT INTO search_trigram (search_trigram, rowid, name, other)
        SELECT 'delete', doc_id, name, other FROM search_doc WHERE record_id = OLD.id;
    DELETE FROM search_doc WHERE record_id = OLD.id;
"""

TRIGGERS = {
    "trg_ticket_deleted": (
        f"CREATE TRIGGER trg_ticket_deleted AFTER DELETE ON ticket BEGIN{_UNINDEX}END"
    ),
    "trg_job_deleted": f"CREATE TRIGGER trg_job_deleted AFTER DELETE ON job BEGIN{_UNINDEX}END",
    "trg_ticket_message_deleted": (
        "CREATE TRIGGER trg_ticket_message_deleted AFTER DELETE ON ticket_message BEGIN\n"
        "    DELETE FROM attachment WHERE subject_kind = 'ticket_message' "
        "AND subject_id = OLD.id;\nEND"
    ),
}


def upgrade() -> None:
    op.create_table(
        "canned_reply",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_canned_reply_name", "canned_reply", ["name_key"], unique=True)
    op.create_table(
        "holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_holiday_day", "holiday", ["day"], unique=True)
    op.create_table(
        "sla_policy",
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("first_response_minutes", sa.Integer(), nullable=False),
        sa.Column("resolution_minutes", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')", name="ck_sla_policy_priority"
        ),
        sa.CheckConstraint(
            "first_response_minutes > 0 AND resolution_minutes > 0", name="ck_sla_policy_minutes"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("uq_sla_policy_priority", "sla_policy", ["priority"], unique=True)
    op.create_table(
        "staff_member",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("work_days", sa.String(length=7), nullable=False),
        sa.Column("day_start", sa.String(length=5), nullable=False),
        sa.Column("day_end", sa.String(length=5), nullable=False),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("os_user", sa.String(length=100), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("length(work_days) = 7", name="ck_staff_work_days"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_member_os_user", "staff_member", ["os_user"], unique=False)
    op.create_index("uq_staff_member_name", "staff_member", ["name_key"], unique=True)
    op.create_table(
        "staff_absence",
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("last_day >= first_day", name="ck_staff_absence_days"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_member.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_staff_absence_staff", "staff_absence", ["staff_id", "first_day"], unique=False
    )
    op.create_table(
        "ticket",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("subject_key", sa.String(length=300), nullable=False),
        sa.Column("requester_id", sa.String(length=36), nullable=True),
        sa.Column("requester_email", sa.String(length=320), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        sa.Column("merged_into_id", sa.String(length=36), nullable=True),
        sa.Column("mail_token", sa.String(length=20), nullable=False),
        sa.Column("response_due_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_due_at", sa.DateTime(), nullable=True),
        sa.Column("next_due_at", sa.DateTime(), nullable=True),
        sa.Column("paused_since", sa.DateTime(), nullable=True),
        sa.Column("paused_minutes", sa.Integer(), nullable=False),
        sa.Column("first_response_at", sa.DateTime(), nullable=True),
        sa.Column("response_met", sa.Boolean(), nullable=True),
        sa.Column("solved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution_met", sa.Boolean(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("last_message_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "priority IN ('low', 'normal', 'high', 'urgent')", name="ck_ticket_priority"
        ),
        sa.CheckConstraint(
            "status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')",
            name="ck_ticket_status",
        ),
        sa.ForeignKeyConstraint(["assignee_id"], ["staff_member.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["merged_into_id"], ["ticket.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["requester_id"], ["person.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_ticket_assignee", "ticket", ["assignee_id", "status", "number"], unique=False
    )
    op.create_index("ix_ticket_created", "ticket", ["created_at", "id"], unique=False)
    op.create_index(
        "ix_ticket_due",
        "ticket",
        ["next_due_at", "id"],
        unique=False,
        sqlite_where=sa.text("next_due_at IS NOT NULL"),
    )
    op.create_index("ix_ticket_invoice", "ticket", ["invoice_id"], unique=False)
    op.create_index("ix_ticket_last_message", "ticket", ["last_message_at", "id"], unique=False)
    op.create_index("ix_ticket_merged", "ticket", ["merged_into_id"], unique=False)
    op.create_index("ix_ticket_organization", "ticket", ["organization_id", "status"], unique=False)
    op.create_index("ix_ticket_priority", "ticket", ["priority", "number"], unique=False)
    op.create_index("ix_ticket_requester", "ticket", ["requester_id", "status"], unique=False)
    op.create_index("ix_ticket_status", "ticket", ["status", "number"], unique=False)
    op.create_index("ix_ticket_subject", "ticket", ["subject_key", "id"], unique=False)
    op.create_index("uq_ticket_number", "ticket", ["number"], unique=True)
    op.create_table(
        "inbox_item",
        sa.Column("mailbox", sa.String(length=300), nullable=False),
        sa.Column("uid_validity", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('ticket', 'reply', 'failed', 'ignored')", name="ck_inbox_item_outcome"
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbox_item_message_id", "inbox_item", ["message_id"], unique=False)
    op.create_index("ix_inbox_item_ticket", "inbox_item", ["ticket_id"], unique=False)
    op.create_index(
        "uq_inbox_item_uid", "inbox_item", ["mailbox", "uid_validity", "uid"], unique=True
    )
    op.create_table(
        "job",
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_key", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("site_address", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("window_end", sa.DateTime(), nullable=False),
        sa.Column("scheduled_start", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("ticket_id", sa.String(length=36), nullable=True),
        sa.Column("deal_id", sa.String(length=36), nullable=True),
        sa.Column("invoice_id", sa.String(length=36), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("field_notes", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("minutes_worked", sa.Integer(), nullable=True),
        sa.Column("ics_uid", sa.String(length=255), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('job', 'appointment')", name="ck_job_kind"),
        sa.CheckConstraint(
            "status IN ('scheduled', 'on_the_way', 'in_progress', 'done', 'cancelled')",
            name="ck_job_status",
        ),
        sa.CheckConstraint("duration_minutes > 0", name="ck_job_duration"),
        sa.CheckConstraint("window_end > window_start", name="ck_job_window"),
        sa.ForeignKeyConstraint(["assignee_id"], ["staff_member.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["deal_id"], ["deal.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoice.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["organization_id"], ["organization.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_job_assignee_start", "job", ["assignee_id", "scheduled_start", "id"], unique=False
    )
    op.create_index("ix_job_deal", "job", ["deal_id"], unique=False)
    op.create_index("ix_job_ics_uid", "job", ["ics_uid"], unique=False)
    op.create_index("ix_job_invoice", "job", ["invoice_id"], unique=False)
    op.create_index("ix_job_organization", "job", ["organization_id"], unique=False)
    op.create_index("ix_job_person", "job", ["person_id"], unique=False)
    op.create_index("ix_job_start", "job", ["scheduled_start", "id"], unique=False)
    op.create_index("ix_job_status_start", "job", ["status", "scheduled_start", "id"], unique=False)
    op.create_index("ix_job_ticket", "job", ["ticket_id"], unique=False)
    op.create_index("uq_job_number", "job", ["number"], unique=True)
    op.create_table(
        "ticket_message",
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("author_email", sa.String(length=320), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("references", sa.Text(), nullable=False),
        sa.Column("mail_status", sa.String(length=10), nullable=False),
        sa.Column("mail_error", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('reply', 'note', 'customer')", name="ck_ticket_message_kind"),
        sa.CheckConstraint(
            "mail_status IN ('', 'sending', 'sent', 'failed')", name="ck_ticket_message_mail_status"
        ),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticket_message_message_id", "ticket_message", ["message_id"], unique=False)
    op.create_index(
        "ix_ticket_message_ticket",
        "ticket_message",
        ["ticket_id", "occurred_at", "id"],
        unique=False,
    )
    op.create_table(
        "ticket_status_change",
        sa.Column("ticket_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("from_status", sa.String(length=10), nullable=False),
        sa.Column("to_status", sa.String(length=10), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ticket_status_change_at", "ticket_status_change", ["at"], unique=False)
    op.create_index(
        "ix_ticket_status_change_ticket", "ticket_status_change", ["ticket_id", "at"], unique=False
    )
    op.create_table(
        "job_material",
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=30), nullable=False),
        sa.Column("unit_price_minor", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_job_material_job", "job_material", ["job_id", "position"], unique=False)

    for statement in TRIGGERS.values():
        op.execute(statement)
    now = datetime.now(UTC).replace(tzinfo=None)
    policy = sa.table(
        "sla_policy",
        sa.column("id"),
        sa.column("priority"),
        sa.column("first_response_minutes"),
        sa.column("resolution_minutes"),
        sa.column("created_at"),
        sa.column("updated_at"),
    )
    op.bulk_insert(
        policy,
        [
            {
                "id": new_id(),
                "priority": priority,
                "first_response_minutes": response,
                "resolution_minutes": resolution,
                "created_at": now,
                "updated_at": now,
            }
            for priority, (response, resolution) in DEFAULT_SLA.items()
        ],
    )


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_job_material_job", table_name="job_material")
    op.drop_table("job_material")
    op.drop_index("ix_ticket_status_change_ticket", table_name="ticket_status_change")
    op.drop_index("ix_ticket_status_change_at", table_name="ticket_status_change")
    op.drop_table("ticket_status_change")
    op.drop_index("ix_ticket_message_ticket", table_name="ticket_message")
    op.drop_index("ix_ticket_message_message_id", table_name="ticket_message")
    op.drop_table("ticket_message")
    op.drop_index("uq_job_number", table_name="job")
    op.drop_index("ix_job_ticket", table_name="job")
    op.drop_index("ix_job_status_start", table_name="job")
    op.drop_index("ix_job_start", table_name="job")
    op.drop_index("ix_job_person", table_name="job")
    op.drop_index("ix_job_organization", table_name="job")
    op.drop_index("ix_job_invoice", table_name="job")
    op.drop_index("ix_job_ics_uid", table_name="job")
    op.drop_index("ix_job_deal", table_name="job")
    op.drop_index("ix_job_assignee_start", table_name="job")
    op.drop_table("job")
    op.drop_index("uq_inbox_item_uid", table_name="inbox_item")
    op.drop_index("ix_inbox_item_ticket", table_name="inbox_item")
    op.drop_index("ix_inbox_item_message_id", table_name="inbox_item")
    op.drop_table("inbox_item")
    op.drop_index("uq_ticket_number", table_name="ticket")
    op.drop_index("ix_ticket_subject", table_name="ticket")
    op.drop_index("ix_ticket_status", table_name="ticket")
    op.drop_index("ix_ticket_requester", table_name="ticket")
    op.drop_index("ix_ticket_priority", table_name="ticket")
    op.drop_index("ix_ticket_organization", table_name="ticket")
    op.drop_index("ix_ticket_merged", table_name="ticket")
    op.drop_index("ix_ticket_last_message", table_name="ticket")
    op.drop_index("ix_ticket_invoice", table_name="ticket")
    op.drop_index(
        "ix_ticket_due", table_name="ticket", sqlite_where=sa.text("next_due_at IS NOT NULL")
    )
    op.drop_index("ix_ticket_created", table_name="ticket")
    op.drop_index("ix_ticket_assignee", table_name="ticket")
    op.drop_table("ticket")
    op.drop_index("ix_staff_absence_staff", table_name="staff_absence")
    op.drop_table("staff_absence")
    op.drop_index("uq_staff_member_name", table_name="staff_member")
    op.drop_index("ix_staff_member_os_user", table_name="staff_member")
    op.drop_table("staff_member")
    op.drop_index("uq_sla_policy_priority", table_name="sla_policy")
    op.drop_table("sla_policy")
    op.drop_index("uq_holiday_day", table_name="holiday")
    op.drop_table("holiday")
    op.drop_index("uq_canned_reply_name", table_name="canned_reply")
    op.drop_table("canned_reply")
