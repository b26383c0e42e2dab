"""Open311 GeoReport v2 client apps (their API keys) and the API's services: list, read and file requests."""

import hmac
import secrets

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import open311
from ..tools.classifier import parse_keywords

KEYWORDS_SHOWN = 10


def _new_api_key():
    return secrets.token_urlsafe(32)


class Mp15Open311Client(models.Model):
    """An app allowed to file grievances through Open311; reading needs no key (only public fields are shown)."""

    _name = "mp15.open311.client"
    _description = "Open311 Client App"
    _order = "name"

    name = fields.Char(required=True, help="The app or organisation, e.g. a civic-tech volunteers' app.")
    api_key = fields.Char(
        string="API key",
        required=True,
        copy=False,
        default=lambda _self: _new_api_key(),
        groups="mp15_grievance.group_manager",
        help="Sent by the app as api_key when it files a request. Keep it secret; generate a new one if it leaks.",
    )
    active = fields.Boolean(default=True, help="Archived apps can no longer file requests.")
    grievance_count = fields.Integer(string="Requests filed", compute="_compute_grievance_count")

    _sql_constraints = [("api_key_unique", "unique(api_key)", "Each app has its own API key.")]

    def _compute_grievance_count(self):
        counts = dict(
            self.env["mp15.grievance"]
            .sudo()
            ._read_group([("open311_client_id", "in", self.ids)], ["open311_client_id"], ["__count"])
        )
        for client in self:
            client.grievance_count = counts.get(client, 0)

    def action_regenerate_key(self):
        """A new key; the old one stops working at once."""
        for client in self:
            client.api_key = _new_api_key()

    # ------------------------------------------------------------------ authentication

    @api.model
    def _authenticate(self, api_key):
        """The active client whose key this is (every key compared in constant time), else an empty recordset."""
        found = self.sudo().browse()
        if not api_key:
            return found
        for client in self.sudo().search_fetch([], ["api_key"]):
            if hmac.compare_digest(client.api_key.encode(), api_key.encode()):
                found = client
        return found

    # ------------------------------------------------------------------ services (public, as the system)

    @api.model
    def _open311_categories(self, code=None):
        """What can be filed through the API: every category but emergencies (those are for 112, 101, 108)."""
        domain = [("is_emergency", "=", False)] + ([("code", "=", code)] if code else [])
        return self.env["mp15.grievance.category"].sudo().with_context(lang="en_US").search(domain)

    @api.model
    def _open311_services(self):
        """The services in English, every field of them: the API speaks one language (so do its requests)."""
        english = self.with_context(lang="en_US")
        return [
            {
                "service_code": category.code,
                "service_name": category.name,
                "description": category.department_id.name
                and english.env._("Handled by %(department)s", department=category.department_id.name),
                "metadata": False,
                "type": "realtime",
                "keywords": ",".join(
                    keyword.strip("!*") for keyword in parse_keywords(category.keywords)[:KEYWORDS_SHOWN]
                ),
                "group": category.department_id.name,
            }
            for category in self._open311_categories()
        ]

    @api.model
    def _open311_requests(self, filters):
        """The requests matching ``filters`` (from tools.open311.request_filters), newest first, public fields only.

        Never an emergency: those are not filed through the API and are not published by it either.
        """
        Grievance = self.env["mp15.grievance"].sudo().with_context(lang="en_US")
        domain = [("category_id.is_emergency", "=", False)]
        if "ids" in filters:
            domain.append(("name", "in", filters["ids"]))
        else:
            domain += [("date_filed", ">=", filters["start"]), ("date_filed", "<=", filters["end"])]
            if filters["service_codes"]:
                domain.append(("category_id.code", "in", filters["service_codes"]))
            if set(filters["statuses"]) == {"open"}:
                domain.append(("is_open", "=", True))
            elif set(filters["statuses"]) == {"closed"}:
                domain.append(("is_open", "=", False))
        grievances = Grievance.search(domain, order="date_filed desc, id desc", limit=open311.MAX_REQUESTS)
        return [grievance._open311_dict() for grievance in grievances]

    def _open311_file(self, values):
        """File a grievance for this client app (checked by the caller) as the portal does: channel ``api``.

        Routing, the SLA clock, the officer's activity and the citizen's WhatsApp updates (when a phone
        is given) follow from the grievance's own create and ``_acknowledge_filing``.
        """
        self.ensure_one()
        category = self._open311_categories(values["service_code"])[:1]
        if not category:
            emergency = (
                self.env["mp15.grievance.category"]
                .sudo()
                .search_count([("code", "=", values["service_code"]), ("is_emergency", "=", True)])
            )
            raise open311.Open311Error(
                400,
                "Emergencies cannot be filed online: call 112 (police), 101 (fire) or 108 (ambulance)."
                if emergency
                else f"service_code {values['service_code']} is not a service of this city (see services.json).",
            )
        vals = {
            "category_id": category.id,
            "description": values["description"],
            "channel": "api",
            "open311_client_id": self.id,
            "open311_media_url": values["media_url"],
            "address": values["address_string"],
        }
        if "lat" in values:
            vals.update(latitude=values["lat"], longitude=values["long"])
        if values["phone"]:
            name = " ".join(part for part in (values["first_name"], values["last_name"]) if part) or None
            try:
                partner = self.env["res.partner"].sudo()._mp15_find_or_create_citizen(values["phone"], name=name)
            except (ValueError, UserError, ValidationError) as error:
                raise open311.Open311Error(400, "phone is not a phone number we can reach.") from error
            vals.update(partner_id=partner.id, phone=partner.mp15_phone)
        try:
            with self.env.cr.savepoint():
                grievance = self.env["mp15.grievance"].sudo().create(vals)
        except (UserError, ValidationError) as error:
            raise open311.Open311Error(400, str(error)) from error
        grievance.message_post(
            body=_("Filed through Open311 by %(app)s.", app=self.name),
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            author_id=self.env.ref("base.partner_root").id,
        )
        # As the system, like a portal filing: the confirmation is not the citizen's own message.
        grievance.with_user(self.env.ref("base.user_root"))._acknowledge_filing()
        return grievance
