"""hours: a stamp per volunteer, drawn anew by the database at every write of their records

Revision ID: reads01a
Revises: inc01a
Create Date: 2026-12-03 18:10:00

The triggers, not the services, keep the stamps: every writer of ``service_records`` (the
services' conditional UPDATEs, the seed's and the benchmark's bulk INSERTs, raw SQL, a later
migration) moves the stamp in its own transaction. PostgreSQL runs one statement-level
trigger per statement (a bulk INSERT of a million records upserts one stamp per volunteer);
SQLite has row-level triggers only.
"""
from alembic import op
import sqlalchemy as sa


revision = 'reads01a'
down_revision = 'inc01a'
branch_labels = None
depends_on = None

# 53 random bits (a double's mantissa): never counters, so a restored backup's stamps can
# only ever name the very ledgers they were drawn for (see api.hours.models.LedgerStamp).
_PG_RANDOM = "floor(random() * 9007199254740992)::bigint"

_PG_FUNCTION = f"""
CREATE FUNCTION hours_ledger_stamp_{{event}}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- In the order of user_id: two bulk writes never wait for each other's stamps crosswise.
    INSERT INTO hours_ledger_stamps (user_id, stamp)
    SELECT user_id, {_PG_RANDOM} FROM ({{touched}}) AS touched ORDER BY user_id
    ON CONFLICT (user_id) DO UPDATE SET stamp = EXCLUDED.stamp;
    RETURN NULL;
END $$
"""
_PG_EVENTS = {
    # event: (the volunteers it touches, the transition tables it reads)
    "insert": ("SELECT DISTINCT user_id FROM new_rows", "NEW TABLE AS new_rows"),
    "update": (
        "SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    ),
    "delete": ("SELECT DISTINCT user_id FROM old_rows", "OLD TABLE AS old_rows"),
}
_SQLITE_EVENTS = {
    "insert": "(NEW.user_id, random())",
    "update": "(NEW.user_id, random()), (OLD.user_id, random())",
    "delete": "(OLD.user_id, random())",
}


def upgrade():
    op.create_table(
        'hours_ledger_stamps',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('stamp', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_hours_ledger_stamps')),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    random = _PG_RANDOM if postgresql else "random()"
    op.execute(
        "INSERT INTO hours_ledger_stamps (user_id, stamp) "
        f"SELECT user_id, {random} FROM (SELECT DISTINCT user_id FROM service_records) AS v"
    )
    if postgresql:
        for event, (touched, transition) in _PG_EVENTS.items():
            op.execute(_PG_FUNCTION.format(event=event, touched=touched))
            op.execute(
                f"CREATE TRIGGER hours_ledger_stamp_{event} AFTER {event.upper()} "
                f"ON service_records REFERENCING {transition} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION hours_ledger_stamp_{event}()"
            )
    else:
        for event, values in _SQLITE_EVENTS.items():
            op.execute(
                f"CREATE TRIGGER hours_ledger_stamp_{event} AFTER {event.upper()} "
                "ON service_records BEGIN "
                f"INSERT INTO hours_ledger_stamps (user_id, stamp) VALUES {values} "
                "ON CONFLICT (user_id) DO UPDATE SET stamp = excluded.stamp; END"
            )


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in _SQLITE_EVENTS:
        op.execute(f"DROP TRIGGER IF EXISTS hours_ledger_stamp_{event}" + (
            " ON service_records" if postgresql else ""
        ))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS hours_ledger_stamp_{event}()")
    op.drop_table('hours_ledger_stamps')
