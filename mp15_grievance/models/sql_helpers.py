"""SQL the ORM has no word for, shared by models: insert rows once, whoever else inserts them at the same time."""

from odoo.tools import SQL


def insert_once(env, table, conflict_columns, rows):
    """INSERT ``rows`` (dicts with the same keys) into ``table``, skipping those that already exist.

    ON CONFLICT DO NOTHING waits for a concurrent insert of the same key and then does nothing;
    a failure of that wait under REPEATABLE READ is the caller's to retry (see the webhook's
    ``_store_once``). Returns how many rows were inserted.
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
    env.cr.execute(
        SQL(
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
        ),
        log_exceptions=False,  # a racing duplicate is expected
    )
    return len(env.cr.fetchall())
