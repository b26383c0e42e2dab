"""A processing batch: the citizens the WhatsApp processing handles between two commits.

A commit empties Odoo's cache: reading the stages, categories, settings and users again for each
citizen cost more than handling the citizen. So citizens are committed together, each in its own
savepoint, and the bookkeeping of the grievances they filed (the Resolve activity on the
responsible user, the SLA state, emergency alerts) is done for all of them at once before the
commit: Odoo creates the activities in one go and subscribes each user once.
"""

import logging
import time

import psycopg2

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)

# Errors a fresh transaction cures: concurrency failures, and unique violations on shared rows that
# two processes created at once (a sequence's yearly range, a citizen's contact, a follower).
RETRYABLE_ERRORS = (*PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, psycopg2.errors.UniqueViolation)

BATCH_SECONDS = 0.3  # a reply waits at most this long for its batch's commit


class ProcessingBatch:
    def __init__(self, env):
        self.env = env
        self.filed_ids = []
        self.handled = 0  # inbound messages handled since the last commit
        self.ends = time.monotonic() + BATCH_SECONDS

    def add_filed(self, grievances):
        """Grievances created with ``mp15_bookkeeping_later``: theirs is done by ``commit``."""
        self.filed_ids.extend(grievances.ids)

    def full(self):
        return time.monotonic() >= self.ends

    def commit(self):
        """The filed grievances' bookkeeping, the sender woken for the replies, the commit; the next batch starts.

        A retryable error in the bookkeeping rolls the whole batch back: its messages stay received and the
        processing handles them again in a fresh transaction (nothing was sent: replies go out after a commit).
        """
        try:
            self.finish()
            if self.handled:
                self.env["mp15.whatsapp.message"]._wake("mp15_grievance.ir_cron_send_whatsapp")
            self.env.cr.commit()  # pylint: disable=invalid-commit
        except RETRYABLE_ERRORS as error:
            self.env.cr.rollback()
            self.filed_ids = []
            _logger.info("WhatsApp processing batch rolled back, its messages are handled again: %s", error)
        self.handled = 0
        self.ends = time.monotonic() + BATCH_SECONDS

    def finish(self):
        """The bookkeeping of the grievances filed in the batch, all at once (one at a time if that fails)."""
        # A citizen's savepoint rolled back takes their grievance with it.
        filed = self.env["mp15.grievance"].sudo().browse(self.filed_ids).exists()
        self.filed_ids = []
        try:
            with self.env.cr.savepoint():
                filed._after_filing()
        except RETRYABLE_ERRORS:
            raise  # the same snapshot would fail again: see commit()
        except Exception:  # one grievance's failure must not hold the others' bookkeeping
            for grievance in filed:
                try:
                    with self.env.cr.savepoint():
                        grievance._after_filing()
                except RETRYABLE_ERRORS:
                    raise
                except Exception:
                    _logger.exception("%s was filed without its Resolve activity: assign it by hand", grievance.name)
        return filed
