"""The centre's day: departments, roles with departments and grids, hand-over requests, the residents'
message log, extension requests, department notices; photo stages and case assignees.

Revision ID: 0004_staff_workflow
Revises: 0003_dialog_states
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_staff_workflow"
down_revision = "0003_dialog_states"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("contact_person", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("notify_openid", sa.String(length=64), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("streets", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("grid_ids", sa.JSON(), nullable=False, server_default="[]"))
        batch.create_foreign_key("fk_staff_users_department_id", "departments", ["department_id"], ["id"])
        batch.create_index("ix_staff_users_department_id", ["department_id"], unique=False)
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=16), nullable=False, server_default="report"))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("assignee", sa.String(length=64), nullable=True))
    op.create_table(
        "handover_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_handover_requests_case_id", "handover_requests", ["case_id"], unique=False)
    op.create_index("ix_handover_requests_resident_id", "handover_requests", ["resident_id"], unique=False)
    op.create_index("ix_handover_requests_state_created", "handover_requests", ["state", "created_at"], unique=False)
    op.create_table(
        "resident_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_resident_messages_resident_id", "resident_messages", ["resident_id", "id"], unique=False)
    op.create_index("ix_resident_messages_created_at", "resident_messages", ["created_at"], unique=False)
    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=128), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_extension_requests_case_id", "extension_requests", ["case_id"], unique=False)
    op.create_table(
        "department_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_department_notices_case_id", "department_notices", ["case_id"], unique=False)
    op.create_index("ix_department_notices_department_id", "department_notices", ["department_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_department_notices_department_id", table_name="department_notices")
    op.drop_index("ix_department_notices_case_id", table_name="department_notices")
    op.drop_table("department_notices")
    op.drop_index("ix_extension_requests_case_id", table_name="extension_requests")
    op.drop_table("extension_requests")
    op.drop_index("ix_resident_messages_created_at", table_name="resident_messages")
    op.drop_index("ix_resident_messages_resident_id", table_name="resident_messages")
    op.drop_table("resident_messages")
    op.drop_index("ix_handover_requests_state_created", table_name="handover_requests")
    op.drop_index("ix_handover_requests_resident_id", table_name="handover_requests")
    op.drop_index("ix_handover_requests_case_id", table_name="handover_requests")
    op.drop_table("handover_requests")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("assignee")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("stage")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_index("ix_staff_users_department_id")
        batch.drop_constraint("fk_staff_users_department_id", type_="foreignkey")
        batch.drop_column("grid_ids")
        batch.drop_column("department_id")
    op.drop_table("departments")
