import base64
import io
import json
import re
from datetime import datetime, timedelta

from PIL import Image

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..controllers.portal import MAX_PHOTO_BYTES, GrievancePortal
from .common import Mp15Case

# The tours (static/tests/tours/portal_grievance_tour.js) look for these.
SECRET_DESCRIPTION = "Priya's private complaint about her neighbour's drain"
TOUR_CATEGORY = "Pothole (test)"
TOUR_WARD = "Teen Batti (test)"


def image_bytes(image_format="PNG", size=(8, 8), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestPortal(HttpCase, Mp15Case):
    """The citizen portal over HTTP: who sees what, filing, feedback; and in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.whatsapp_citizen = new_test_user(
            cls.env, "test_wa_citizen", groups="base.group_portal", name="Suresh Patel"
        )
        cls.whatsapp_citizen.partner_id.mp15_phone = "+919812345678"
        cls.own_open = cls._grievance(cls.category_a, cls.ward_1, cls.citizen, description="No water since Monday")
        cls.own_resolved = cls._grievance(
            cls.category_b,
            cls.ward_2,
            cls.citizen,
            description="Pothole near school",
            date_filed=fields.Datetime.now() - timedelta(hours=2),  # a reopen's new deadline is then later
        )
        cls.own_resolved.write(
            {
                "stage_id": cls.stage_resolved.id,
                "resolution_note": "Pothole filled with asphalt.",
                "resolution_image": base64.b64encode(image_bytes()),
            }
        )
        cls.other = cls._grievance(cls.category_b, cls.ward_2, cls.other_citizen, description=SECRET_DESCRIPTION)
        cls.other_photo = cls._public_photo(cls.other, cls.other_citizen.partner_id, "priya.png", color=(0, 90, 200))
        cls.other.write(
            {
                "stage_id": cls.stage_resolved.id,
                "resolution_note": "Drain cleaned.",
                "resolution_image": base64.b64encode(image_bytes(color=(0, 160, 60))),
            }
        )

    @classmethod
    def _public_photo(cls, grievance, author, name, color=(200, 30, 30)):
        photo = cls.env["ir.attachment"].create(
            {"name": name, "raw": image_bytes(color=color), "res_model": grievance._name, "res_id": grievance.id}
        )
        grievance.message_post(
            body="Photo of the problem",
            attachment_ids=photo.ids,
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return photo

    # ------------------------------------------------------------------ helpers

    def token_url(self, grievance, **params):
        query = "".join(f"&{key}={value}" for key, value in params.items())
        return grievance.get_portal_url() + query

    def csrf_token(self, url):
        """The CSRF token of the visitor's session, as the page at ``url`` gives it to its forms."""
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, url)
        return re.search(r'csrf_token: "([^"]+)"', response.text).group(1)

    def field_attachment(self, grievance, field):
        return self.env["ir.attachment"].search(
            [("res_model", "=", grievance._name), ("res_id", "=", grievance.id), ("res_field", "=", field)]
        )

    def rows(self, response):
        """The references listed on /my/grievances, in order."""
        return re.findall(r'class="o_mp15_grievance_row" data-ref="([^"]+)"', response.text)

    def jsonrpc(self, route, params):
        response = self.url_open(
            route,
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
        )
        return response, response.json()

    def file_grievance(self, csrf=True, files=None, **fields):
        form = {
            "category_id": str(self.category_b.id),
            "description": "Big pothole in front of the temple gate",
            "ward_id": str(self.ward_2.id),
            **fields,
        }
        if csrf:
            form["csrf_token"] = self.csrf_token("/my/grievances/new")
        return self.url_open("/my/grievances/new", data=form, files=files or [], allow_redirects=False)

    def citizens_grievances(self, user=None):
        self.env.invalidate_all()
        return self.env["mp15.grievance"].search(
            [("partner_id", "=", (user or self.citizen).partner_id.id)], order="id desc"
        )

    def assertNothingOf(self, grievance, response):
        self.assertNotIn(grievance.name, response.text)
        self.assertNotIn(grievance.description, response.text)

    # --------------------------------------------------------------- home, list

    def test_home_shows_grievances_with_counter(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        home = self.url_open("/my/home")
        self.assertIn('href="/my/grievances"', home.text)
        self.assertIn('href="/my/grievances/new"', home.text)
        self.assertIn('data-placeholder_count="grievance_count"', home.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["grievance_count"]})
        self.assertEqual(counters, {"grievance_count": 2})

    def test_list_needs_login(self):
        response = self.url_open("/my/grievances", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_list_shows_only_own_grievances(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        response = self.url_open("/my/grievances")
        self.assertEqual(response.status_code, 200)
        self.assertCountEqual(self.rows(response), [self.own_open.name, self.own_resolved.name])
        self.assertIn("No water (test)", response.text)  # category names, which citizens cannot read directly
        self.assertIn("Teen Batti (test)", response.text)
        self.assertNothingOf(self.other, response)

    def test_list_filters(self):
        closed = self._grievance(self.category_b, self.ward_2, self.citizen)
        closed.write({"stage_id": self.stage_closed.id, "resolution_note": "Done."})
        self.authenticate(self.citizen.login, self.citizen.login)
        expected = {
            "open": [self.own_open.name],
            "resolved": [self.own_resolved.name],
            "closed": [closed.name],
            "all": [self.own_open.name, self.own_resolved.name, closed.name],
            "nonsense": [self.own_open.name, self.own_resolved.name, closed.name],
        }
        for filterby, references in expected.items():
            with self.subTest(filterby=filterby):
                response = self.url_open(f"/my/grievances?filterby={filterby}")
                self.assertCountEqual(self.rows(response), references)

    def test_list_sorting(self):
        citizen = new_test_user(self.env, "test_sorting_citizen", groups="base.group_portal")
        early = self._grievance(self.category_b, citizen=citizen, date_filed=datetime(2026, 3, 1, 5, 0))  # 48 h
        middle = self._grievance(self.category_a, citizen=citizen, date_filed=datetime(2026, 3, 2, 5, 0))  # 12 h
        late = self._grievance(self.category_a, citizen=citizen, date_filed=datetime(2026, 3, 3, 5, 0))
        middle.write({"stage_id": self.stage_in_progress.id})
        self.authenticate(citizen.login, citizen.login)
        expected = {
            "newest": [late, middle, early],
            "deadline": [middle, early, late],  # 2 Mar 17:00, 3 Mar 05:00, 3 Mar 17:00
            "status": [late, early, middle],  # new (newest first), then in progress
        }
        for sortby, grievances in expected.items():
            with self.subTest(sortby=sortby):
                response = self.url_open(f"/my/grievances?sortby={sortby}")
                self.assertEqual(self.rows(response), [grievance.name for grievance in grievances])

    def test_list_pages(self):
        citizen = new_test_user(self.env, "test_busy_citizen", groups="base.group_portal")
        per_page = GrievancePortal._grievances_per_page
        for _index in range(per_page + 1):
            self._grievance(citizen=citizen)
        self.authenticate(citizen.login, citizen.login)
        first = self.url_open("/my/grievances")
        self.assertEqual(len(self.rows(first)), per_page)
        self.assertIn('href="/my/grievances/page/2?', first.text)
        second = self.url_open("/my/grievances/page/2")
        self.assertEqual(len(self.rows(second)), 1)
        self.assertFalse(set(self.rows(first)) & set(self.rows(second)))

    # -------------------------------------------------------------- one grievance

    def test_page_of_own_grievance(self):
        grievance = self._grievance(
            self.category_a,
            self.ward_1,
            self.citizen,
            date_filed=datetime(2026, 3, 10, 6, 30),
            address="Near Jain temple",
        )
        self.authenticate(self.citizen.login, self.citizen.login)
        response = self.url_open(f"/my/grievances/{grievance.id}")
        self.assertEqual(response.status_code, 200)
        page = response.text
        for text in (grievance.name, "No water (test)", "Water Supply (test)", "Ward 901 · Teen Batti (test)"):
            self.assertIn(text, page)
        self.assertIn("Near Jain temple", page)
        self.assertIn("10 Mar 2026, 12:00 PM", page)  # 06:30 UTC is noon in Sagar
        self.assertIn("11 Mar 2026, 12:00 AM", page)  # 12 hours later
        self.assertIn(grievance.description, page)
        self.assertIn('data-res_model="mp15.grievance"', page)  # the chatter for messages to staff
        self.assertNotIn("o_mp15_feedback", page)

    def test_page_follows_the_citizens_language(self):
        self.env["res.lang"]._activate_lang("hi_IN")
        self.env["ir.module.module"]._load_module_terms(["mp15_grievance"], ["hi_IN"])
        stage_hi = self.stage_new.with_context(lang="hi_IN").name
        self.assertNotEqual(stage_hi, "New", "the stage New has a Hindi name")
        self.citizen.lang = "hi_IN"
        self.authenticate(self.citizen.login, self.citizen.login)
        page = self.url_open(f"/my/grievances/{self.own_open.id}").text
        self.assertIn(f'data-state="new">{stage_hi}<', page)

    def test_timeline_shows_staff_messages_not_internal_notes(self):
        grievance = self.own_open.with_context(tracking_disable=False)
        grievance.with_user(self.officer_a).message_post(
            body="Tanker sent to your street at 4 pm.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        grievance.with_user(self.officer_a).message_post(
            body="Contractor says the pump is broken", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        grievance.write({"stage_id": self.stage_in_progress.id})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking messages are written at commit time
        self.authenticate(self.citizen.login, self.citizen.login)
        page = self.url_open(f"/my/grievances/{grievance.id}").text
        timeline = page[page.index("o_mp15_timeline ") :]
        self.assertIn("Tanker sent to your street at 4 pm.", timeline)
        self.assertIn("Status: In Progress", timeline)
        self.assertIn("Filed via Back office.", timeline)
        self.assertNotIn("pump is broken", page)

    def test_photos_and_resolution(self):
        own_photo = self._public_photo(self.own_resolved, self.citizen.partner_id, "road.png")
        internal = self.env["ir.attachment"].create(
            {
                "name": "internal.png",
                "raw": image_bytes(),
                "res_model": "mp15.grievance",
                "res_id": self.own_resolved.id,
            }
        )
        self.own_resolved.message_post(body="Estimate", attachment_ids=internal.ids, subtype_xmlid="mail.mt_note")
        self.authenticate(self.citizen.login, self.citizen.login)
        page = self.url_open(f"/my/grievances/{self.own_resolved.id}").text
        self.assertIn(f"/web/image/{own_photo.id}/300x300?access_token=", page)
        self.assertNotIn(f"/web/image/{internal.id}", page)
        self.assertIn("Pothole filled with asphalt.", page)
        resolution_img = re.search(r"<img [^>]*o_mp15_resolution_image[^>]*>", page).group(0)
        resolution_url = re.search(r'src="([^"]+)"', resolution_img).group(1).replace("&amp;", "&")
        self.logout()
        image = self.url_open(resolution_url)
        self.assertEqual(image.status_code, 200)
        self.assertEqual(image.content, self.field_attachment(self.own_resolved, "resolution_image").raw)

    def test_another_citizens_grievance_is_not_found(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        response = self.url_open(f"/my/grievances/{self.other.id}")
        self.assertEqual(response.status_code, 404)
        self.assertIn("This grievance cannot be shown", response.text)
        self.assertNothingOf(self.other, response)

    def test_guessed_id_is_not_found(self):
        missing_id = self.env["mp15.grievance"].search([], order="id desc", limit=1).id + 1000
        for login in (self.citizen.login, None):
            with self.subTest(login=login):
                self.authenticate(login, login)
                response = self.url_open(f"/my/grievances/{missing_id}")
                self.assertEqual(response.status_code, 404)

    def test_staff_without_rights_sees_nothing(self):
        self.authenticate(self.internal_user.login, self.internal_user.login)
        self.assertEqual(self.url_open(f"/my/grievances/{self.own_open.id}").status_code, 404)
        self.assertEqual(self.rows(self.url_open("/my/grievances")), [])

    # ---------------------------------------------------------------- token links

    def test_token_link_works_without_login(self):
        response = self.url_open(self.token_url(self.own_open))
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.own_open.name, response.text)
        self.assertIn("No water since Monday", response.text)
        self.assertIn(f'data-token="{self.own_open.access_token}"', response.text)
        self.assertNotIn(self.own_resolved.name, response.text)  # no list, no pager to the citizen's others
        self.assertNothingOf(self.other, response)

    def test_whatsapp_link_is_the_token_link(self):
        link = self.own_open._citizen_params("en_US")["link"]
        response = self.url_open(link)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.own_open.name, response.text)

    def test_wrong_missing_or_foreign_token_is_not_found(self):
        own_token = self.own_open._portal_ensure_token()
        self.other._portal_ensure_token()
        urls = {
            "wrong token": f"/my/grievances/{self.other.id}?access_token=0123456789abcdef",
            "missing token": f"/my/grievances/{self.other.id}",
            "empty token": f"/my/grievances/{self.other.id}?access_token=",
            "another grievance's token": f"/my/grievances/{self.other.id}?access_token={own_token}",
        }
        for case, url in urls.items():
            with self.subTest(case=case):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNothingOf(self.other, response)

    def test_attachments_need_their_own_token(self):
        own_token = self.own_open._portal_ensure_token()
        photo = self.other_photo
        field_path = f"mp15.grievance/{self.other.id}/resolution_image"
        refused = {
            "no token": f"/web/content/{photo.id}",
            "a grievance token": f"/web/content/{photo.id}?access_token={own_token}",
            "image, a grievance token": f"/web/image/{photo.id}?access_token={own_token}",
            "image by field": f"/web/image/{field_path}?access_token={own_token}",
            "content by field": f"/web/content/{field_path}?access_token={own_token}",
        }
        secrets = (photo.raw, self.field_attachment(self.other, "resolution_image").raw)
        for login in (None, self.citizen.login):
            self.authenticate(login, login)
            for case, url in refused.items():
                with self.subTest(login=login, case=case):
                    response = self.url_open(url)
                    self.assertNotIn(response.content, secrets)
                    if response.status_code == 200:  # /web/image answers a refusal with its placeholder
                        self.assertTrue(url.startswith("/web/image/"), url)
                    else:
                        self.assertIn(response.status_code, (403, 404))
        # The photo's own token, as the other citizen's page shows it, opens it.
        self.logout()
        page = self.url_open(self.token_url(self.other)).text
        url = re.search(rf'"(/web/image/{photo.id}\?access_token=[0-9a-f-]+)"', page).group(1)
        self.assertEqual(self.url_open(url).content, photo.raw)

    def test_chatter_routes_refuse_another_grievances_token(self):
        own_token = self.own_open._portal_ensure_token()
        messages_before = self.other.message_ids
        _response, fetched = self.jsonrpc(
            "/mail/chatter_fetch", {"thread_model": "mp15.grievance", "thread_id": self.other.id, "token": own_token}
        )
        self.assertIn("error", fetched)
        self.assertNotIn("Photo of the problem", json.dumps(fetched))
        _response, posted = self.jsonrpc(
            "/mail/message/post",
            {
                "thread_model": "mp15.grievance",
                "thread_id": self.other.id,
                "token": own_token,
                "post_data": {"body": "I can write on your grievance", "message_type": "comment"},
            },
        )
        self.assertIn("error", posted)
        _response, data = self.jsonrpc(
            "/mail/thread/data",
            {"thread_model": "mp15.grievance", "thread_id": self.other.id, "token": own_token, "request_list": []},
        )
        self.assertNotIn("Photo of the problem", json.dumps(data))
        _response, history = self.jsonrpc(
            "/mail/thread/messages", {"thread_model": "mp15.grievance", "thread_id": self.other.id}
        )
        self.assertIn("error", history)  # needs a login
        self.authenticate(self.citizen.login, self.citizen.login)
        _response, history = self.jsonrpc(
            "/mail/thread/messages", {"thread_model": "mp15.grievance", "thread_id": self.other.id}
        )
        self.assertNotIn("Photo of the problem", json.dumps(history))
        self.env.invalidate_all()
        self.assertEqual(self.other.message_ids, messages_before)

    def test_token_holder_writes_to_staff_as_the_citizen(self):
        _response, posted = self.jsonrpc(
            "/mail/message/post",
            {
                "thread_model": "mp15.grievance",
                "thread_id": self.own_open.id,
                "token": self.own_open._portal_ensure_token(),
                "post_data": {
                    "body": "Still no water today",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            },
        )
        self.assertNotIn("error", posted)
        self.env.invalidate_all()
        message = self.own_open.message_ids[:1]
        self.assertIn("Still no water today", message.body)
        self.assertEqual(message.author_id, self.citizen.partner_id)
        _response, fetched = self.jsonrpc(
            "/mail/chatter_fetch",
            {"thread_model": "mp15.grievance", "thread_id": self.own_open.id, "token": self.own_open.access_token},
        )
        self.assertIn("Still no water today", json.dumps(fetched))

    # -------------------------------------------------------------------- filing

    def test_filing_form_needs_login(self):
        response = self.url_open("/my/grievances/new", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_filing_form_offers_categories_and_wards(self):
        inactive = self.env["mp15.grievance.category"].create(
            {"name": "Retired (test)", "code": "T_OLD", "department_id": self.department_a.id, "active": False}
        )
        self.authenticate(self.citizen.login, self.citizen.login)
        page = self.url_open("/my/grievances/new").text
        self.assertIn(f'<option value="{self.category_a.id}">No water (test)</option>', page)
        self.assertIn(f'<option value="{self.ward_1.id}">Ward 901 · Teen Batti (test)</option>', page)
        self.assertNotIn(self.category_emergency.name, page)
        self.assertNotIn(inactive.name, page)
        self.assertIn("call 112", page)

    def test_file_with_photo(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        response = self.file_grievance(files=[("photos", ("pothole.jpg", image_bytes("JPEG"), "image/jpeg"))])
        self.assertEqual(response.status_code, 303)
        grievance = self.citizens_grievances()[:1]
        self.assertTrue(response.headers["Location"].endswith(f"/my/grievances/{grievance.id}?filed=1"))
        self.assertEqual(grievance.channel, "portal")
        self.assertEqual(grievance.department_id, self.department_b)  # routed by the category
        self.assertEqual(grievance.ward_id, self.ward_2)
        self.assertTrue(grievance.sla_deadline)
        self.assertEqual(grievance.activity_ids.user_id, self.head_b)  # "resolve" on the head until assigned
        photos = self.env["ir.attachment"].search([("res_model", "=", "mp15.grievance"), ("res_id", "=", grievance.id)])
        self.assertEqual(photos.mapped("mimetype"), ["image/jpeg"])
        acknowledgement = grievance.message_ids.filtered(lambda m: "Your complaint is registered" in (m.body or ""))
        self.assertTrue(acknowledgement, "a citizen without WhatsApp gets the confirmation on the portal")
        page = self.url_open(response.headers["Location"]).text
        self.assertIn(f"Your grievance {grievance.name} is registered with Public Works (test)", page)
        self.assertIn(f"/web/image/{photos.id}/300x300", page)

    def test_file_with_location_finds_the_ward(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        latitude, longitude = self.POINT_WARD_1
        response = self.file_grievance(ward_id="", latitude=str(latitude), longitude=str(longitude))
        self.assertEqual(response.status_code, 303)
        grievance = self.citizens_grievances()[:1]
        self.assertEqual(grievance.ward_id, self.ward_1)
        self.assertAlmostEqual(grievance.latitude, latitude)

    def test_file_in_a_department_without_head(self):
        """A fresh install's departments have no head yet: the commissioner gets the work."""
        department = self.env["mp15.department"].create({"name": "Sanitation (test)", "code": "T_SAN"})
        category = self.env["mp15.grievance.category"].create(
            {"name": "Garbage (test)", "code": "T_GARBAGE", "department_id": department.id}
        )
        self.authenticate(self.citizen.login, self.citizen.login)
        self.assertEqual(self.file_grievance(category_id=str(category.id)).status_code, 303)
        grievance = self.citizens_grievances()[:1]
        self.assertEqual(grievance.category_id, category)
        self.assertTrue(grievance.activity_ids)

    def test_file_confirms_on_whatsapp_when_the_citizen_has_a_number(self):
        self.authenticate(self.whatsapp_citizen.login, self.whatsapp_citizen.login)
        self.assertEqual(self.file_grievance(address="Gopalganj, near the water tank").status_code, 303)
        grievance = self.citizens_grievances(self.whatsapp_citizen)[:1]
        self.assertEqual(grievance.phone, "+919812345678")
        self.assertEqual(grievance.address, "Gopalganj, near the water tank")
        outbound = self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("direction", "=", "out")]
        )
        self.assertEqual(outbound.phone, "+919812345678")
        self.assertIn(grievance.name, outbound.body)
        self.assertIn(f"/my/grievances/{grievance.id}?access_token=", outbound.body)

    def test_filing_refuses_bad_input_and_keeps_what_was_typed(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        jpeg = image_bytes("JPEG")
        cases = {
            "not an image": (
                {},
                [("photos", ("scan.jpg", b"%PDF-1.4 not a photo", "image/jpeg"))],
                "scan.jpg is not a photo (JPEG, PNG or WebP).",
            ),
            "too big": (
                {},
                [("photos", ("huge.png", image_bytes() + b"\0" * MAX_PHOTO_BYTES, "image/png"))],
                "huge.png is larger than 5 MB.",
            ),
            "too many": (
                {},
                [("photos", (f"p{index}.jpg", jpeg, "image/jpeg")) for index in range(4)],
                "Attach at most 3 photos.",
            ),
            "no description": ({"description": "   "}, [], "Describe the problem in a few words."),
            "no place": (
                {"ward_id": "", "address": ""},
                [],
                "Tell us where: choose your ward, use your location or write the address.",
            ),
            "not a place": (
                {"latitude": "123", "longitude": "78.7"},
                [],
                "Your location could not be read.",
            ),
            "emergency category": (
                {"category_id": str(self.category_emergency.id)},
                [],
                "Choose what your grievance is about.",
            ),
            "another ward id": ({"ward_id": "999999"}, [], "Choose your ward from the list."),
        }
        before = self.citizens_grievances()
        for case, (values, files, error) in cases.items():
            with self.subTest(case=case):
                response = self.file_grievance(files=files, **{"address": "Behind the bus stand", **values})
                self.assertEqual(response.status_code, 400)
                self.assertIn(error, response.text)
                if case not in ("no description", "no place"):
                    self.assertIn("Big pothole in front of the temple gate</textarea>", response.text)
                if case != "no place":
                    self.assertIn('value="Behind the bus stand"', response.text)
        self.assertEqual(self.citizens_grievances(), before)

    def test_filing_without_csrf_token_is_refused(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        before = self.citizens_grievances()
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.file_grievance(csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertIn("No CSRF validation token", logs.output[0])
        self.assertEqual(self.citizens_grievances(), before)

    # ------------------------------------------------------------------ feedback

    def test_feedback_satisfied_from_token_link_closes(self):
        url = self.token_url(self.own_resolved)
        page = self.url_open(url).text
        self.assertIn("o_mp15_satisfied", page)
        response = self.url_open(
            f"/my/grievances/{self.own_resolved.id}/feedback",
            data={
                "csrf_token": self.csrf_token(url),
                "access_token": self.own_resolved.access_token,
                "satisfied": "1",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your feedback. Your grievance is now closed.", response.text)
        self.assertNotIn("o_mp15_satisfied", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.own_resolved.state, "closed")
        self.assertEqual(self.own_resolved.rating, "satisfied")

    def test_feedback_not_satisfied_reopens_with_a_new_deadline(self):
        old_deadline = self.own_resolved.sla_deadline
        self.authenticate(self.citizen.login, self.citizen.login)
        url = f"/my/grievances/{self.own_resolved.id}"
        response = self.url_open(
            f"{url}/feedback", data={"csrf_token": self.csrf_token(url), "satisfied": "0"}, allow_redirects=False
        )
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"{url}?feedback=not_satisfied"))
        self.env.invalidate_all()
        grievance = self.own_resolved
        self.assertEqual(grievance.state, "new")
        self.assertEqual(grievance.rating, "not_satisfied")
        self.assertEqual(grievance.reopen_count, 1)
        self.assertGreater(grievance.sla_deadline, old_deadline)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("Your grievance is reopened; the new deadline is", page)
        self.assertIn("o_mp15_timeline_reopened", page)

    def test_feedback_only_for_resolved_grievances(self):
        self.authenticate(self.citizen.login, self.citizen.login)
        url = f"/my/grievances/{self.own_open.id}"
        self.assertNotIn("o_mp15_feedback", self.url_open(url).text)
        response = self.url_open(f"{url}/feedback", data={"csrf_token": self.csrf_token(url), "satisfied": "1"})
        self.assertIn("This grievance is not waiting for your feedback.", response.text)
        self.env.invalidate_all()
        self.assertEqual(self.own_open.state, "new")

    def test_feedback_refused_without_access_or_csrf(self):
        own_url = self.token_url(self.own_resolved)
        csrf = self.csrf_token(own_url)
        wrong = self.url_open(
            f"/my/grievances/{self.other.id}/feedback",
            data={"csrf_token": csrf, "access_token": self.own_resolved.access_token, "satisfied": "0"},
        )
        self.assertEqual(wrong.status_code, 404)
        with self.assertLogs("odoo.http", "WARNING"):
            no_csrf = self.url_open(
                f"/my/grievances/{self.own_resolved.id}/feedback",
                data={"access_token": self.own_resolved.access_token, "satisfied": "0"},
            )
        self.assertEqual(no_csrf.status_code, 400)
        self.env.invalidate_all()
        self.assertEqual((self.own_resolved | self.other).mapped("state"), ["resolved", "resolved"])

    # --------------------------------------------------------------------- tours

    def test_tour_citizen_files_with_photo(self):
        self.start_tour("/my/home", "mp15_portal_file_grievance", login=self.citizen.login)
        grievance = self.citizens_grievances()[:1]
        self.assertEqual(grievance.category_id.name, TOUR_CATEGORY)
        self.assertEqual(grievance.ward_id.name, TOUR_WARD)  # from the browser's location
        self.assertEqual(grievance.channel, "portal")
        photo = self.env["ir.attachment"].search([("res_model", "=", "mp15.grievance"), ("res_id", "=", grievance.id)])
        self.assertEqual(photo.mimetype, "image/png")

    def test_tour_whatsapp_link_on_a_phone_not_satisfied(self):
        self.browser_size = "390x844"
        self.touch_enabled = True
        self.start_tour(self.token_url(self.own_resolved), "mp15_portal_not_satisfied", login=None)
        self.env.invalidate_all()
        self.assertEqual(self.own_resolved.state, "new")
        self.assertEqual(self.own_resolved.rating, "not_satisfied")

    def test_tour_wrong_token_shows_nothing(self):
        self.start_tour(
            f"/my/grievances/{self.other.id}?access_token=not-the-token", "mp15_portal_wrong_token", login=None
        )
