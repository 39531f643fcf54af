"""Dialog states: the durable copy of each resident's half-finished dialog (Redis holds the fast copy).

Revision ID: 0003_dialog_states
Revises: 0002_reply_templates
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_dialog_states"
down_revision = "0002_reply_templates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dialog_states",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("touched", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_dialog_states_touched", "dialog_states", ["touched"])


def downgrade() -> None:
    op.drop_index("ix_dialog_states_touched", table_name="dialog_states")
    op.drop_table("dialog_states")
