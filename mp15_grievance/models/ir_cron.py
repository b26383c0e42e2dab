"""Scheduled actions: the one shortcut past ir.cron._trigger(), for waking a queue from a hot path, and a
job with work left picked up again at once."""

import logging
import os
import threading
from functools import partial

import psycopg2
import psycopg2.sql

from odoo import models, sql_db
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)

TRIGGERED_KEY = "mp15_grievance.triggered_cron_ids"
NOTIFY_KEY = "mp15_grievance.notify_cron_workers"


class IrCron(models.Model):
    _inherit = "ir.cron"

    def _mp15_trigger_now(self):
        """``_trigger()`` for now, cheap enough for every webhook: once per scheduled action and transaction.

        Measured over 500 transactions on the 2-core bench machine, where a whole webhook costs
        ≈ 4.8 ms of CPU: Odoo's ``_trigger()`` costs ≈ 6.5 ms of CPU (12-17 ms wall), this ≈ 0.35 ms.
        ≈ 1.3 ms of the difference is the ORM creating the ir.cron.trigger record (here one INSERT of
        the same row); ≈ 4.7 ms is ``_notifydb``, which opens a new connection to the "postgres"
        database for every notification (Odoo never pools connections to that database), where this
        keeps one per process. ``TestCronTriggerShortcut`` fails when Odoo changes the row, the
        notification or how cron workers read them.

        The requests are remembered with the transaction's pre-commit data, which a commit, a rollback,
        a flush or a savepoint rolled back clears: a trigger may be asked twice, never lost.

        Each transaction writes its own trigger, even when one is due already: when a run ends, Odoo
        deletes the triggers its transaction saw when the run started, so a trigger committed during
        the run survives and brings another run. Skipping because one was due lost the messages stored
        after the run's last look (a reply after 63 s, the cron workers' poll; ``make bench-whatsapp``).
        """
        crons = self._mp15_not_triggered_yet()
        if crons:
            self.env.cr.execute(crons._mp15_trigger_insert())
            crons._mp15_triggered()

    def _reschedule_asap(self, job):
        """A job that reported work remaining after its ten runs: wake the cron workers once it is released.

        Odoo leaves such a job ready but tells nobody unless ``ODOO_NOTIFY_CRON_CHANGES`` is set, so it waits
        for a worker's next poll, up to a minute: a broadcast with no other traffic paused after every ten
        5-second runs of the sender (``make bench-broadcast`` part 4: 150 s of sending took a quarter longer).
        """
        result = super()._reschedule_asap(job)
        if not os.getenv("ODOO_NOTIFY_CRON_CHANGES"):  # else Odoo notifies itself
            self.env.cr.postcommit.add(partial(notify_cron_workers, self.env.cr.dbname))
        return result

    def _mp15_not_triggered_yet(self):
        """Those of these scheduled actions this transaction has not triggered yet."""
        triggered = self.env.cr.precommit.data.get(TRIGGERED_KEY, ())
        return self.browse([cron_id for cron_id in self.ids if cron_id not in triggered])

    def _mp15_trigger_insert(self, when=None):
        """The INSERT of a trigger for now for each of these scheduled actions, if the SQL ``when`` holds
        (the webhook's: "a row was stored", in the same statement). Returns their ids; then ``_mp15_triggered``.
        """
        return SQL(
            """
            INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, write_uid, create_date, write_date)
            SELECT cron_id, now() at time zone 'UTC', %(uid)s, %(uid)s,
                   now() at time zone 'UTC', now() at time zone 'UTC'
              FROM unnest(%(crons)s::int[]) AS cron_id
             WHERE %(when)s
            RETURNING cron_id
            """,
            crons=self.ids,
            uid=self.env.uid,
            when=when or SQL("TRUE"),
        )

    def _mp15_triggered(self):
        """Remember these triggers for the transaction, and wake the cron workers once it commits."""
        cr = self.env.cr
        cr.precommit.data.setdefault(TRIGGERED_KEY, set()).update(self.ids)
        if not cr.postcommit.data.get(NOTIFY_KEY):  # one notification wakes the workers for every job
            cr.postcommit.data[NOTIFY_KEY] = True
            cr.postcommit.add(partial(notify_cron_workers, cr.dbname))


_notify_connections = {}  # process id -> its autocommit connection to the "postgres" database
_notify_lock = threading.Lock()


def notify_cron_workers(dbname):
    """ir.cron's ``_notifydb`` on a connection kept open per process (Odoo's cron workers LISTEN there)."""
    with _notify_lock:
        connection = _notify_connections.get(os.getpid())
        try:
            if connection is None or connection.closed:
                _name, info = sql_db.connection_info_for("postgres")
                connection = _notify_connections[os.getpid()] = psycopg2.connect(**info)
                connection.autocommit = True
            with connection.cursor() as cr:
                query = psycopg2.sql.SQL("SELECT {}('cron_trigger', %s)").format(
                    psycopg2.sql.Identifier(ODOO_NOTIFY_FUNCTION)
                )
                cr.execute(query, [dbname])
        except psycopg2.Error:
            _notify_connections.pop(os.getpid(), None)
            _logger.warning("Cron workers not notified (they poll every minute)", exc_info=True)
