"""SQL the ORM has no word for, shared by models: insert rows once, whoever else inserts them at the same time."""

from odoo.tools import SQL


def insert_once(env, table, conflict_columns, rows, wake=None):
    """INSERT ``rows`` (dicts with the same keys) into ``table``, skipping those that already exist.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same key and then does nothing;
    a failure of that wait under REPEATABLE READ is the caller's to retry (see the webhook's
    ``_store_once``). Returns how many rows were inserted.

    ``wake``: scheduled actions (ir.cron) to trigger when at least one row is new, in the same
    statement: the webhook's whole work is one round trip to PostgreSQL.
    """
    if not rows:
        return 0
    columns = list(rows[0])
    values = SQL(", ").join(
        SQL(
            "(%s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')",
            SQL(", ").join(row[column] for column in columns),
            env.uid,
            env.uid,
        )
        for row in rows
    )
    insert = SQL(
        """
        INSERT INTO %s (%s, create_uid, write_uid, create_date, write_date)
        VALUES %s
        ON CONFLICT (%s) DO NOTHING
        RETURNING id
        """,
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(column) for column in columns),
        values,
        SQL(", ").join(SQL.identifier(column) for column in conflict_columns),
    )
    wake = wake and wake._mp15_not_triggered_yet()
    if not wake:
        env.cr.execute(insert, log_exceptions=False)  # a racing duplicate is expected
        return len(env.cr.fetchall())
    env.cr.execute(
        SQL(
            """
            WITH stored AS (%s), woken AS (%s)
            SELECT (SELECT count(*) FROM stored), (SELECT count(*) FROM woken)
            """,
            insert,
            wake._mp15_trigger_insert(when=SQL("EXISTS (SELECT FROM stored)")),
        ),
        log_exceptions=False,
    )
    stored, woken = env.cr.fetchone()
    if woken:
        wake._mp15_triggered()
    return stored
