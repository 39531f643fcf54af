"""Residents' phones say whether WeChat verified them.

A phone typed into a report is the resident's word; only one that WeChat verified (the mini-program's
getPhoneNumber) may tie another system's case (a hotline call) to a WeChat resident. Phones already on
record were typed, so they start unverified.

Revision ID: 0007_verified_phone
Revises: 0006_rating_options
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_verified_phone"
down_revision = "0006_rating_options"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite's batch mode would copy the table, and the cases referencing it forbid that.
    op.add_column("residents", sa.Column("phone_verified", sa.Boolean(), nullable=False, server_default=sa.text("false")))


def downgrade() -> None:
    with op.batch_alter_table("residents") as batch:
        batch.drop_column("phone_verified")
