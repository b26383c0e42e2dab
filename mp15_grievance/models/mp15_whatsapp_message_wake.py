"""WhatsApp message: waking the scheduled actions that work the queues (the processing lanes, the sender)."""

from odoo import api, models

from .processing_lanes import PROCESS_CRONS, processing_lane


class Mp15WhatsappMessage(models.Model):
    _inherit = "mp15.whatsapp.message"

    @api.model
    def _wake(self, cron_xmlid):
        """Have a scheduled action run now, from a hot path (each webhook, each citizen processed).

        A trigger is kept until a run that started after it ends, so none is missed; see
        ``ir.cron._mp15_trigger_now`` for why this is not ``_trigger()``.
        """
        cron_id = self.env["ir.model.data"]._xmlid_to_res_id(cron_xmlid)  # cached; env.ref() would query
        self.env["ir.cron"].browse(cron_id)._mp15_trigger_now()

    @api.model
    def _processing_crons(self, phones, statuses=False):
        """The scheduled actions of these citizens' processing lanes; statuses are applied by the first lane."""
        lanes = {processing_lane(phone) for phone in phones} | ({0} if statuses else set())
        ids = [self.env["ir.model.data"]._xmlid_to_res_id(PROCESS_CRONS[lane]) for lane in sorted(lanes)]
        return self.env["ir.cron"].sudo().browse(ids)

    def action_reprocess(self):
        """Hand inbound messages that failed back to the conversation engine (managers)."""
        failed = self._check_action_access().filtered(lambda m: m.direction == "in" and m.state == "error")
        if not failed:
            return False
        failed.write({"state": "received"})
        for lane in sorted({processing_lane(message.phone) for message in failed}):
            self.env.ref(PROCESS_CRONS[lane])._trigger()
        return True
