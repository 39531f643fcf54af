"""Other systems: intake channels on cases, API clients, webhook endpoints, the inbound replay memory.

Cases may now have no WeChat resident (filed by another system for a caller we do not know); outbox rows
get a kind (push | webhook) and the endpoint of a webhook.

Revision ID: 0005_integration
Revises: 0004_staff_workflow
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_integration"
down_revision = "0004_staff_workflow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("rate_per_minute", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.String(length=512), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("key_id"),
    )
    op.create_table(
        "inbound_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("endpoint_id", "digest", name="uq_inbound_receipts_endpoint_digest"),
    )
    op.create_index("ix_inbound_receipts_received_at", "inbound_receipts", ["received_at"])

    with op.batch_alter_table("cases") as batch:
        batch.alter_column("resident_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("intake_channel", sa.String(length=24), nullable=False,
                                   server_default="wechat"))
        batch.add_column(sa.Column("appeal_type", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("reporter_name", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("client_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("token", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("media_url", sa.String(length=512), nullable=True))
        batch.create_unique_constraint("uq_cases_token", ["token"])
        batch.create_index("ix_cases_intake_channel", ["intake_channel"])
        batch.create_index("ix_cases_client_id", ["client_id"])
    op.execute("UPDATE cases SET intake_channel = 'mini_program' WHERE channel = 'mp'")

    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="push"))
        batch.add_column(sa.Column("endpoint_id", sa.Integer(), nullable=True))
        batch.create_index("ix_outbox_endpoint_id", ["endpoint_id"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE kind = 'webhook'")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_endpoint_id")
        batch.drop_column("endpoint_id")
        batch.drop_column("kind")
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_client_id")
        batch.drop_index("ix_cases_intake_channel")
        batch.drop_constraint("uq_cases_token", type_="unique")
        batch.drop_column("media_url")
        batch.drop_column("token")
        batch.drop_column("client_id")
        batch.drop_column("reporter_name")
        batch.drop_column("appeal_type")
        batch.drop_column("intake_channel")
        batch.alter_column("resident_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_inbound_receipts_received_at", table_name="inbound_receipts")
    op.drop_table("inbound_receipts")
    op.drop_table("webhook_endpoints")
    op.drop_table("api_clients")
