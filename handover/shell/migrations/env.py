"""Alembic environment: URL from the caller's config (handover.shell.database.upgrade_database) or the
BUERGERBOT settings."""

from alembic import context
from sqlalchemy import pool

from handover.shell.database import Base, make_engine

import handover.domain.models  # noqa: F401  (registers tables on Base.metadata)

config = context.config
url = config.get_main_option("sqlalchemy.url")
if not url:
    from handover.shell.settings import get_settings

    url = get_settings().resolved_database_url

target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
