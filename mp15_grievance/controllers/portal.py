"""The citizen portal: /my/grievances, a grievance's page and timeline, filing, feedback, token links."""

import os
import re

from werkzeug.urls import url_encode

from odoo import _, http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request
from odoo.tools import format_datetime
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.mp15_grievance import CORPORATION_TZ
from ..tools import geo, messages

MAX_PHOTOS = 3
MAX_PHOTO_BYTES = messages.IMAGE_LIMIT_BYTES
PHOTO_MIMETYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_DESCRIPTION_CHARS = 4000
MAX_ADDRESS_CHARS = 256


class GrievancePortal(CustomerPortal):
    """The citizen's side of the grievance desk: their grievances, filing, feedback."""

    _grievances_per_page = 20

    # ------------------------------------------------------------------ home

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "grievance_count" in counters:
            Grievance = request.env["mp15.grievance"]
            values["grievance_count"] = (
                Grievance.search_count(self._my_grievances_domain()) if Grievance.has_access("read") else 0
            )
        return values

    def _my_grievances_domain(self):
        """Filed by the user or for their company: what the portal rule lets citizens read."""
        user = request.env.user
        return ["|", ("partner_id", "=", user.partner_id.id), ("partner_id", "=", user.commercial_partner_id.id)]

    # ------------------------------------------------------------------ list

    def _grievance_searchbar_filters(self):
        return {
            "all": {"label": _("All"), "domain": []},
            "open": {"label": _("Open"), "domain": [("is_open", "=", True)]},
            "resolved": {"label": _("Resolved"), "domain": [("state", "=", "resolved")]},
            "closed": {"label": _("Closed"), "domain": [("state", "in", ("closed", "rejected"))]},
        }

    def _grievance_searchbar_sortings(self):
        return {
            "newest": {"label": _("Newest"), "order": "date_filed desc, id desc"},
            "status": {"label": _("Status"), "order": "stage_id, date_filed desc, id desc"},
            "deadline": {"label": _("Deadline"), "order": "sla_deadline, id desc"},
        }

    @http.route(["/my/grievances", "/my/grievances/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_grievances(self, page=1, sortby=None, filterby=None, **_kw):
        values = self._prepare_portal_layout_values()
        Grievance = request.env["mp15.grievance"]
        searchbar_filters = self._grievance_searchbar_filters()
        searchbar_sortings = self._grievance_searchbar_sortings()
        filterby = filterby if filterby in searchbar_filters else "all"
        sortby = sortby if sortby in searchbar_sortings else "newest"
        domain = self._my_grievances_domain() + searchbar_filters[filterby]["domain"]
        readable = Grievance.has_access("read")
        total = Grievance.search_count(domain) if readable else 0
        pager = portal_pager(
            url="/my/grievances",
            url_args={"sortby": sortby, "filterby": filterby},
            total=total,
            page=page,
            step=self._grievances_per_page,
        )
        grievances = (
            Grievance.search(
                domain,
                order=searchbar_sortings[sortby]["order"],
                limit=self._grievances_per_page,
                offset=pager["offset"],
            )
            if readable
            else Grievance
        )
        request.session["my_grievances_history"] = grievances.ids[:100]
        values.update(
            {
                # sudo: the citizen may read these grievances but not their category, ward or stage records
                "grievances": grievances.sudo(),
                "page_name": "grievances",
                "default_url": "/my/grievances",
                "pager": pager,
                "searchbar_sortings": searchbar_sortings,
                "sortby": sortby,
                "searchbar_filters": searchbar_filters,
                "filterby": filterby,
                "corporation_tz": CORPORATION_TZ,
            }
        )
        return request.render("mp15_grievance.portal_my_grievances", values)

    # ---------------------------------------------------------------- one grievance

    def _grievance_with_access(self, grievance_id, access_token):
        """The grievance as superuser when the visitor may see it (rights or its token), else None."""
        try:
            return self._document_check_access("mp15.grievance", grievance_id, access_token)
        except (AccessError, MissingError):
            return None

    def _may_give_feedback(self):
        """Feedback is the citizen's word: the holder of the token link or the portal user who owns the
        grievance (both checked by ``_grievance_with_access``), never staff, whatever their role."""
        return not request.env.user._is_internal()

    def _grievance_not_found(self):
        """One answer for a wrong token, another citizen's grievance and an id that does not exist."""
        values = self._prepare_portal_layout_values()
        is_public = request.env.user._is_public()
        values.update({"page_name": "grievance_not_found", "no_breadcrumbs": is_public, "is_public_visitor": is_public})
        return request.render("mp15_grievance.portal_grievance_not_found", values, status=404)

    def _grievance_url(self, grievance, access_token=None, **params):
        if access_token:
            params = {"access_token": access_token, **params}
        query = url_encode(params)
        return f"{grievance.access_url}?{query}" if query else grievance.access_url

    @http.route("/my/grievances/<int:grievance_id>", type="http", auth="public", website=True)
    def portal_my_grievance(self, grievance_id, access_token=None, **kw):
        grievance_sudo = self._grievance_with_access(grievance_id, access_token)
        if not grievance_sudo:
            return self._grievance_not_found()
        values = self._grievance_page_values(grievance_sudo, access_token, **kw)
        return request.render("mp15_grievance.portal_my_grievance", values)

    def _grievance_page_values(self, grievance_sudo, access_token, **kw):
        values = self._prepare_portal_layout_values()
        is_public = request.env.user._is_public()
        values.update(
            {
                "grievance": grievance_sudo,
                "page_name": "grievance",
                "corporation_tz": CORPORATION_TZ,
                "photos": grievance_sudo._portal_photos(),
                "resolution_image_url": grievance_sudo.state in ("resolved", "closed")
                and grievance_sudo._resolution_image_url(),
                "timeline": grievance_sudo._portal_timeline(),
                "feedback_url": f"{grievance_sudo.access_url}/feedback",
                "may_give_feedback": self._may_give_feedback(),
                "notice": self._grievance_notice(grievance_sudo, kw),
            }
        )
        # A citizen from a WhatsApp link has no account: breadcrumbs to /my would only ask them to log in.
        return self._get_page_view_values(
            grievance_sudo, access_token, values, "my_grievances_history", is_public, **kw
        )

    def _grievance_notice(self, grievance_sudo, params):
        """The message after filing or feedback: {"key", "type", "text"} or None."""
        if params.get("filed") == "1":
            return {
                "key": "filed",
                "type": "success",
                "text": _(
                    "Thank you. Your grievance %(ref)s is registered with %(department)s. "
                    "We aim to resolve it within %(hours)s hours.",
                    ref=grievance_sudo.name,
                    department=grievance_sudo.department_id.name or _("the corporation"),
                    hours=grievance_sudo.sla_hours,
                ),
            }
        outcome = params.get("feedback")
        if outcome == "satisfied":
            return {
                "key": outcome,
                "type": "success",
                "text": _("Thank you for your feedback. Your grievance is now closed."),
            }
        if outcome == "not_satisfied":
            return {
                "key": outcome,
                "type": "warning",
                "text": _(
                    "Thank you for telling us. Your grievance is reopened; the new deadline is %(deadline)s.",
                    deadline=format_datetime(
                        request.env,
                        grievance_sudo.sla_deadline,
                        tz=CORPORATION_TZ,
                        dt_format="d MMM yyyy, h:mm a",
                        lang_code=request.env.lang,
                    ),
                ),
            }
        if outcome == "not_waiting":
            return {
                "key": outcome,
                "type": "info",
                "text": _("This grievance is not waiting for your feedback."),
            }
        return None

    # -------------------------------------------------------------- feedback

    @http.route(
        "/my/grievances/<int:grievance_id>/feedback", type="http", auth="public", methods=["POST"], website=True
    )
    def portal_grievance_feedback(self, grievance_id, satisfied=None, access_token=None, **_kw):
        grievance_sudo = self._grievance_with_access(grievance_id, access_token)
        if not grievance_sudo or not self._may_give_feedback():
            return self._grievance_not_found()  # staff get a stranger's answer
        if satisfied not in ("1", "0"):
            return request.redirect(self._grievance_url(grievance_sudo, access_token))
        recorded = grievance_sudo._record_feedback(satisfied == "1", channel=request.env._("Portal"))
        outcome = ("satisfied" if satisfied == "1" else "not_satisfied") if recorded else "not_waiting"
        return request.redirect(self._grievance_url(grievance_sudo, access_token, feedback=outcome))

    # ---------------------------------------------------------------- filing

    def _portal_categories(self):
        """What a citizen may file under on the portal: emergencies are for the phone (112, 101, 108)."""
        return request.env["mp15.grievance.category"].sudo().search([("is_emergency", "=", False)])

    def _portal_wards(self):
        return request.env["mp15.ward"].sudo().search([])

    @http.route("/my/grievances/new", type="http", auth="user", methods=["GET", "POST"], website=True)
    def portal_grievance_new(self, **post):
        if not request.env["mp15.grievance"].has_access("create"):
            return self._grievance_not_found()
        errors = {}
        if request.httprequest.method == "POST":
            photos = request.httprequest.files.getlist("photos")
            values, files, errors = self._grievance_form_validate(post, photos)
            if not errors:
                grievance = self._grievance_file(values, files)
                return request.redirect(self._grievance_url(grievance, filed="1"))
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "grievance_new",
                "categories": self._portal_categories(),
                "wards": self._portal_wards(),
                "errors": errors,
                "form": post,
                "max_photos": MAX_PHOTOS,
                "max_photo_mb": MAX_PHOTO_BYTES // (1024 * 1024),
                "photo_accept": ",".join(PHOTO_MIMETYPES),
            }
        )
        return request.render("mp15_grievance.portal_grievance_new", values, status=400 if errors else 200)

    def _grievance_form_validate(self, post, photos):
        """(grievance values, [(filename, bytes, mimetype)], {field: message}) from the submitted form."""
        errors = {}
        values = {}

        category = self._portal_categories().filtered(lambda c: str(c.id) == (post.get("category_id") or ""))
        if category:
            values["category_id"] = category.id
        else:
            errors["category_id"] = _("Choose what your grievance is about.")

        description = (post.get("description") or "").strip()
        if not description:
            errors["description"] = _("Describe the problem in a few words.")
        elif len(description) > MAX_DESCRIPTION_CHARS:
            errors["description"] = _(
                "Please keep the description under %(count)s characters.", count=MAX_DESCRIPTION_CHARS
            )
        else:
            values["description"] = description

        ward = self._portal_wards().filtered(lambda w: str(w.id) == (post.get("ward_id") or ""))
        if post.get("ward_id") and not ward:
            errors["ward_id"] = _("Choose your ward from the list.")
        elif ward:
            values["ward_id"] = ward.id

        latitude, longitude = (post.get("latitude") or "").strip(), (post.get("longitude") or "").strip()
        if latitude or longitude:
            if geo.valid_coordinates(latitude, longitude):
                values.update(latitude=float(latitude), longitude=float(longitude))
            else:
                errors["location"] = _("Your location could not be read. Choose your ward or write the address.")

        address = (post.get("address") or "").strip()
        if len(address) > MAX_ADDRESS_CHARS:
            errors["address"] = _("Please keep the address under %(count)s characters.", count=MAX_ADDRESS_CHARS)
        elif address:
            values["address"] = address

        if not ({"ward_id", "latitude", "address"} & values.keys()) and not {"ward_id", "location", "address"} & (
            errors.keys()
        ):
            errors["location"] = _("Tell us where: choose your ward, use your location or write the address.")

        files, photo_errors = self._read_photos(photos)
        if photo_errors:
            errors["photos"] = " ".join(photo_errors)
        elif files and errors:
            errors["photos"] = _("Please choose your photos again.")
        return values, files, errors

    def _read_photos(self, photos):
        """The uploaded photos, checked by their content (not by the name the browser gave them)."""
        photos = [photo for photo in photos if photo.filename]
        if len(photos) > MAX_PHOTOS:
            return [], [_("Attach at most %(count)s photos.", count=MAX_PHOTOS)]
        files, errors = [], []
        for index, photo in enumerate(photos, start=1):
            name = self._safe_filename(photo.filename)
            content = photo.stream.read(MAX_PHOTO_BYTES + 1)
            if len(content) > MAX_PHOTO_BYTES:
                errors.append(
                    _(
                        "%(name)s is larger than %(size)s MB.",
                        name=name,
                        size=MAX_PHOTO_BYTES // (1024 * 1024),
                    )
                )
                continue
            mimetype = guess_mimetype(content, default="")
            if not content or mimetype not in PHOTO_MIMETYPES:
                errors.append(_("%(name)s is not a photo (JPEG, PNG or WebP).", name=name))
                continue
            stem = os.path.splitext(name)[0] or f"photo-{index}"
            files.append((f"{stem}.{PHOTO_MIMETYPES[mimetype]}", content, mimetype))
        return files, errors

    @staticmethod
    def _safe_filename(filename):
        name = re.sub(r"[\x00-\x1f\\/]", "_", os.path.basename((filename or "").replace("\\", "/"))).strip()
        return name[:100] or "photo"

    def _grievance_file(self, values, files):
        """File the grievance as the citizen (rules, routing, SLA and activities apply), then attach and confirm."""
        partner = request.env.user.partner_id
        grievance = request.env["mp15.grievance"].create(
            {
                **values,
                "channel": "portal",
                "partner_id": partner.id,
                "phone": partner.sudo().mp15_phone or False,
            }
        )
        # sudo: citizens may not write to their grievance, and attachments need write access on it
        grievance_sudo = grievance.sudo()
        if files:
            grievance_sudo.message_post(
                body=_("Photos sent with the grievance on the portal."),
                attachments=[(name, content) for name, content, _mimetype in files],
                author_id=partner.id,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        # As the system, like a WhatsApp filing: the confirmation is not the citizen's own message.
        grievance_sudo.with_user(request.env.ref("base.user_root"))._acknowledge_filing()
        return grievance
