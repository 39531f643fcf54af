"""Close pushes still to be delivered get the rating prompt's numbered options.

``rating.ask`` now shows its options through the required variable ``options``, stored with the push
(``cases.ratings.prompt_options_text()``). A push queued before that has no such value and would render as
the apology; this gives every undelivered one the options as they were at this revision.

Revision ID: 0006_rating_options
Revises: 0005_integration
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_rating_options"
down_revision = "0005_integration"
branch_labels = None
depends_on = None

OPTIONS = "1 满意，2 基本满意，3 不满意"  # cases.ratings.prompt_options_text() at this revision
UNDELIVERED = ("pending", "leased", "held")

outbox = sa.table(
    "outbox",
    sa.column("id", sa.Integer()),
    sa.column("kind", sa.String()),
    sa.column("template_key", sa.String()),
    sa.column("state", sa.String()),
    sa.column("variables", sa.JSON()),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(outbox.c.id, outbox.c.variables).where(
            outbox.c.kind == "push", outbox.c.template_key == "rating.ask", outbox.c.state.in_(UNDELIVERED)
        )
    ).all()
    for row_id, variables in rows:
        if "options" not in (variables or {}):
            connection.execute(
                outbox.update().where(outbox.c.id == row_id).values(variables={**(variables or {}), "options": OPTIONS})
            )


def downgrade() -> None:
    pass  # an extra variable is harmless to the older templates
