"""Index enquiries by lower(email): the privacy tool's export and forget look them up that way.

``EnquiryStore.conversations_of``, ``references_of`` and ``delete_by_email``
compare ``lower(email)``, which the plain ``ix_enquiries_email`` index cannot
serve on PostgreSQL (every call read the whole table). Downgrading drops the
index; no row changes either way.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from typing import Optional, Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: Optional[str] = "0001"
branch_labels: Optional[Union[str, Sequence[str]]] = None
depends_on: Optional[Union[str, Sequence[str]]] = None

INDEX = "ix_enquiries_email_lower"


def upgrade() -> None:
    op.create_index(INDEX, "enquiries", [sa.text("lower(email)")])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="enquiries")
