"""Whole WhatsApp conversations: signed webhook in, the processing action, the bot's replies out.

Every citizen message goes through the real webhook; the two scheduled actions then run as the
cron workers would (their per-citizen commits only flush inside a test) and the replies go out
to a fake Graph API on 127.0.0.1, so quote-replies can point at the wamids Meta handed out.
"""

import base64
import json
import time
from unittest.mock import patch

import psycopg2

from odoo.tests import HttpCase, tagged

from ..models.mp15_bot_text import _placeholders
from ..models.processing_lanes import processing_lane
from .common import Mp15Case
from .whatsapp_common import (
    CONVERSATION_LOGGER,
    Citizen,
    ConversationHelpers,
    inbound,
    start_graph_and_account,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
NO_WATER_HI = "मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है"
LANGUAGE_BUTTON_KEYS = {"lang_hindi", "lang_english"}  # each language named in its own script


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestWhatsappConversation(ConversationHelpers, Mp15Case, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        start_graph_and_account(
            cls, template_status_update="grievance_status_update", template_feedback="grievance_feedback"
        )
        cls.water = env.ref("mp15_grievance.category_water")
        cls.fire_department = env.ref("mp15_grievance.department_fire_emergency")
        cls.fire_department.head_id = cls.head_b

    def setUp(self):
        super().setUp()
        self.graph.reset()

    # ------------------------------------------------------------------ filing

    def test_one_confident_hindi_message_files_at_once_and_a_pin_adds_the_ward(self):
        rajesh = Citizen(self, "919812345601", "राजेश कुमार")
        welcome, filed = rajesh.say(NO_WATER_HI)
        grievance = rajesh.grievances
        self.assertRecordValues(
            grievance,
            [
                {
                    "category_id": self.water.id,
                    "department_id": self.water.department_id.id,
                    "channel": "whatsapp",
                    "kind": "complaint",
                    "description": NO_WATER_HI,
                    "phone": rajesh.phone,
                    "state": "new",
                    "priority": "0",
                }
            ],
        )
        self.assertEqual(rajesh.partner.name, "राजेश कुमार")
        self.assertEqual((rajesh.last_inbound.state, rajesh.last_inbound.grievance_id), ("processed", grievance))
        self.assertTrue(welcome.body.startswith("नमस्ते 🙏 सागर नगर निगम"))
        self.assertIn("आपकी शिकायत दर्ज हो गई है", filed.body)
        self.assertIn(f"शिकायत नंबर: {grievance.name}", filed.body)
        self.assertIn(grievance.department_id.with_context(lang="hi_IN").name, filed.body)
        self.assertIn(f"/my/grievances/{grievance.id}", filed.body)
        self.assertEqual(filed.grievance_id, grievance)
        payload = self.graph.sent_messages[-1]
        self.assertEqual((payload["to"], payload["interactive"]["type"]), (rajesh.phone, "location_request_message"))
        self.assertEqual(payload["interactive"]["body"]["text"], filed.body)

        [added] = rajesh.pin(*self.POINT_WARD_1)
        self.assertEqual(grievance.ward_id, self.ward_1)
        self.assertAlmostEqual(grievance.latitude, self.POINT_WARD_1[0])
        self.assertIn(grievance.name, added.body)
        self.assertTrue(added.body.startswith("📍"))
        self.assertEqual(len(rajesh.grievances), 1, "the pin went to the grievance, not a new one")

    def test_menu_path_in_english_from_unsure_text_to_filed(self):
        priya = Citizen(self, "919812345602", "Priya Sharma")
        problem = "Something is wrong near my house, please send someone"
        welcome, categories = priya.say(problem)
        self.assertEqual(priya.conversation.lang, "en", "a first message in English is answered in English")
        self.assertReplies(welcome | categories, ["welcome", "ask_category"], "en_US")
        rows = self.options(categories)
        self.assertLessEqual(len(rows), 10)
        self.assertTrue(all(len(row["title"]) <= 24 for row in rows))
        self.assertFalse(priya.grievances, "not filed while unsure")

        ask_location, alternatives = priya.tap(categories, title=self.water.with_context(lang="en_US").name)
        self.assertReplies(ask_location | alternatives, ["ask_location", "ask_location_alternatives"], "en_US")
        self.assertEqual(json.loads(ask_location.payload)["interactive"]["type"], "location_request_message")

        [ask_photo] = priya.pin(*self.POINT_WARD_2)
        self.assertReplies(ask_photo, ["ask_photo"], "en_US")

        [summary] = priya.tap(ask_photo, option_id="skip:photo")
        self.assertReplies(summary, ["confirm_summary"], "en_US")
        self.assertIn(problem, summary.body)
        self.assertIn(self.water.with_context(lang="en_US").name, summary.body)
        self.assertFalse(priya.grievances)

        confirm = next(option for option in self.options(summary) if option["id"] == "confirm:yes")
        [filed] = priya.tap(summary, title=confirm["title"])
        grievance = priya.grievances
        self.assertRecordValues(
            grievance, [{"category_id": self.water.id, "ward_id": self.ward_2.id, "description": problem}]
        )
        self.assertReplies(filed, ["filed_complete"], "en_US")
        self.assertIn(f"Reference: {grievance.name}", filed.body)

    def test_menu_in_hindi_and_a_typed_ward_number(self):
        sunita = Citizen(self, "919812345603", "Sunita Patel")
        welcome, menu = sunita.say("नमस्ते")
        self.assertReplies(welcome | menu, ["welcome", "menu"])
        titles = [row["title"] for row in self.options(menu)]
        self.assertEqual(titles[0], self.text("menu_complaint"))
        [categories] = sunita.tap(menu, option_id="menu:complaint")
        [describe] = sunita.tap(categories, title=self.water.with_context(lang="hi_IN").name)
        self.assertReplies(describe, ["ask_description"])
        sunita.say("नल से गंदा पानी आ रहा है")
        [ask_photo] = sunita.say("वार्ड 902")
        self.assertReplies(ask_photo, ["ask_photo"])
        [summary] = sunita.say("नहीं")  # no photo
        self.assertReplies(summary, ["confirm_summary_ward"])
        [filed] = sunita.say("हाँ")
        self.assertEqual(sunita.grievances.ward_id, self.ward_2)
        self.assertReplies(filed, ["filed_complete"])

    # ------------------------------------------------------------------ tracking

    def test_track_by_reference_and_by_list_and_never_someone_elses(self):
        rajesh = Citizen(self, "919812345604", "राजेश कुमार")
        rajesh.say(NO_WATER_HI)
        rajesh.say("gali me street light 1 hafte se band hai")
        water, light = rajesh.grievances
        [status] = rajesh.say(water.name)
        self.assertReplies(status, ["track_status"])
        self.assertIn(water.name, status.body)
        self.assertIn(water.stage_id.with_context(lang="hi_IN").name, status.body)
        self.assertIn(f"/my/grievances/{water.id}", status.body)
        [status] = rajesh.say(water.name.lower().replace("-", " "))  # typed loosely
        self.assertIn(water.name, status.body)

        [menu] = rajesh.say("menu")
        [pick] = rajesh.tap(menu, option_id="menu:track")
        self.assertReplies(pick, ["track_pick"])
        self.assertEqual({row["title"] for row in self.options(pick)}, {water.name, light.name})
        [status] = rajesh.tap(pick, title=light.name)
        self.assertIn(light.name, status.body)
        self.assertNotIn(water.name, status.body)

        priya = Citizen(self, "919812345605", "Priya Sharma")
        snooping = priya.say(f"{water.name} का स्टेटस बताइए")
        self.assertEqual(snooping[-1].body, self.env["mp15.bot.text"]._render("track_not_found", "hi_IN"))
        for reply in snooping:
            self.assertNotIn(water.name, reply.body)
            self.assertNotIn(f"/my/grievances/{water.id}", reply.body)
            self.assertFalse(reply.grievance_id)
        [forged] = priya.send(
            "interactive", {"type": "list_reply", "list_reply": {"id": f"track:{water.id}", "title": "x"}}
        )
        self.assertReplies(forged, ["track_not_found"])
        self.assertNotIn(water.name, forged.body)

    # ------------------------------------------------------------------ emergency, commands, language

    def test_emergency_text_gives_the_numbers_first_and_alerts_the_head(self):
        citizen = Citizen(self, "919812345606")
        numbers, filed = citizen.say("मेरे घर के पास आग लग गई है")
        self.assertReplies(numbers | filed, ["emergency_numbers", "filed"])
        for number in ("112", "101", "108"):
            self.assertIn(number, numbers.body)
        grievance = citizen.grievances
        self.assertEqual((grievance.priority, grievance.category_id.is_emergency), ("2", True))
        self.assertEqual(grievance.department_id, self.fire_department)
        escalation = self.env.ref("mp15_grievance.mail_activity_type_emergency")
        alert = grievance.activity_ids.filtered(lambda activity: activity.activity_type_id == escalation)
        self.assertEqual(alert.user_id, self.head_b, "at once, not at the next scheduled run")
        self.assertEqual(alert.res_name, grievance.name, "Odoo names the grievance beside the summary")
        self.assertNotIn(grievance.name, alert.summary, "so the summary does not repeat it")

    def test_stop_and_start(self):
        citizen = Citizen(self, "919812345607")
        [reply] = citizen.say("START")
        self.assertReplies(reply, ["opted_in"])
        self.assertTrue(citizen.partner.mp15_whatsapp_opt_in)
        [reply] = citizen.say("बंद")
        self.assertReplies(reply, ["opted_out"])
        self.assertFalse(citizen.partner.mp15_whatsapp_opt_in)
        citizen.say("start")
        self.assertTrue(citizen.partner.mp15_whatsapp_opt_in)
        citizen.say("STOP")
        self.assertFalse(citizen.partner.mp15_whatsapp_opt_in)

    def test_english_on_request_and_back_to_hindi(self):
        citizen = Citizen(self, "919812345608")
        citizen.say("नमस्ते")
        [done] = citizen.say("ENGLISH")
        self.assertEqual(citizen.conversation.lang, "en")
        self.assertEqual(citizen.partner.lang, "en_US")
        self.assertEqual(done.body, self.env["mp15.bot.text"]._render("language_set", "en_US"))
        [filed] = citizen.say(NO_WATER_HI)
        self.assertIn("Your complaint is registered", filed.body)
        self.assertIn(citizen.grievances.department_id.with_context(lang="en_US").name, filed.body)
        [done] = citizen.say("हिंदी")
        self.assertEqual(citizen.conversation.lang, "hi")
        self.assertEqual(done.body, self.env["mp15.bot.text"]._render("language_set", "hi_IN"))

    def test_switching_language_mid_complaint_asks_again_in_the_new_language(self):
        citizen = Citizen(self, "919812345621")
        _welcome, hindi_list = citizen.say("कुछ समस्या है")
        self.assertIn(self.water.with_context(lang="hi_IN").name, [row["title"] for row in self.options(hindi_list)])
        done, english_list = citizen.say("English")
        self.assertReplies(done | english_list, ["language_set", "ask_category"], "en_US")
        [water_row] = [row for row in self.options(english_list) if row["id"] == "cat:WATER"]
        self.assertEqual(water_row["title"], self.water.with_context(lang="en_US").name)

    def test_a_half_finished_complaint_expires_after_30_idle_minutes(self):
        now = int(time.time())
        fresh = Citizen(self, "919812345609")
        fresh.say("कुछ समस्या है", at=now - 29 * 60)
        [summary_or_next] = fresh.say("वार्ड 901", at=now)
        self.assertFalse(summary_or_next.body.startswith(self.text("draft_expired")), "29 minutes: still there")

        stale = Citizen(self, "919812345610")
        stale.say("कुछ समस्या है", at=now - 31 * 60)
        replies = stale.say("वार्ड 901", at=now)
        self.assertTrue(replies[0].body.startswith(self.text("draft_expired")), replies.mapped("body"))
        self.assertEqual(stale.conversation.engine_state["draft"], {}, "the old draft is gone")
        self.assertFalse(stale.grievances)

    # ------------------------------------------------------------------ media and replies to the bot

    def test_a_photo_is_downloaded_into_an_attachment_of_the_grievance(self):
        citizen = Citizen(self, "919812345611")
        citizen.say(NO_WATER_HI)
        grievance = citizen.grievances
        self.graph.add_media("7788990011", PNG, "image/png")
        [added] = citizen.photo("7788990011")
        self.assertReplies(added, ["media_added"])
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "mp15.grievance"), ("res_id", "=", grievance.id)]
        )
        self.assertEqual(len(attachment), 1)
        self.assertEqual((attachment.raw, attachment.mimetype), (PNG, "image/png"))
        self.assertEqual(citizen.last_inbound.attachment_id, attachment)
        self.assertIn(attachment, grievance.message_ids.attachment_ids)
        media_requests = [request for request in self.graph.requests if request.route in ("media", "download")]
        self.assertEqual([request.route for request in media_requests], ["media", "download"])
        self.assertTrue(all(r.headers["authorization"] == "Bearer fake-graph-access-token" for r in media_requests))

    def test_a_photo_with_a_confident_caption_files_with_the_photo(self):
        citizen = Citizen(self, "919812345612")
        self.graph.add_media("5566778899", PNG, "image/png")
        citizen.photo("5566778899", caption="सड़क पर बड़ा गड्ढा है")
        grievance = citizen.grievances
        self.assertEqual(grievance.category_id, self.env.ref("mp15_grievance.category_road"))
        self.assertEqual(grievance.message_ids.attachment_ids.raw, PNG)

    def test_a_photo_that_cannot_be_downloaded_is_noted_for_staff(self):
        citizen = Citizen(self, "919812345613")
        citizen.say(NO_WATER_HI)
        with self.assertLogs(CONVERSATION_LOGGER, "WARNING"):
            citizen.photo("1234000000")  # Meta no longer has it
        grievance = citizen.grievances
        self.assertFalse(grievance.message_ids.attachment_ids)
        self.assertTrue(grievance.message_ids.filtered(lambda m: "could not be downloaded" in (m.body or "")))

    def test_a_quote_reply_goes_to_the_quoted_grievance(self):
        citizen = Citizen(self, "919812345614")
        _welcome, filed_water = citizen.say(NO_WATER_HI)
        citizen.say("gali me street light 1 hafte se band hai")
        water, light = citizen.grievances
        detail = "पाइपलाइन हनुमान मंदिर के सामने टूटी हुई है"
        [noted] = citizen.say(detail, quoting=filed_water)
        self.assertReplies(noted, ["note_added"])
        self.assertIn(water.name, noted.body)
        self.assertTrue(water.message_ids.filtered(lambda m: detail in (m.body or "")))
        self.assertFalse(light.message_ids.filtered(lambda m: detail in (m.body or "")))
        self.assertEqual(citizen.last_inbound.grievance_id, water)

    def test_feedback_buttons_close_or_reopen(self):
        citizen = Citizen(self, "919812345615")
        citizen.say(NO_WATER_HI)
        grievance = citizen.grievances
        grievance.write({"resolution_note": "नई पाइपलाइन डाली गई।", "stage_id": self.stage_resolved.id})
        self.run_bot()
        question = self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("message_type", "=", "interactive")], order="id desc", limit=1
        )
        self.assertEqual(
            {option["id"] for option in self.options(question)},
            {f"feedback:yes:{grievance.id}", f"feedback:no:{grievance.id}"},
        )
        [sorry] = citizen.tap(question, option_id=f"feedback:no:{grievance.id}")
        self.assertReplies(sorry, ["feedback_reopened"])
        self.assertEqual((grievance.state, grievance.rating, grievance.reopen_count), ("new", "not_satisfied", 1))

        grievance.write({"resolution_note": "पाइपलाइन फिर से जोड़ी गई।", "stage_id": self.stage_resolved.id})
        self.run_bot()
        question = self.env["mp15.whatsapp.message"].search(
            [("grievance_id", "=", grievance.id), ("message_type", "=", "interactive")], order="id desc", limit=1
        )
        [thanks] = citizen.tap(question, option_id=f"feedback:yes:{grievance.id}")
        self.assertReplies(thanks, ["feedback_thanks"])
        self.assertEqual((grievance.state, grievance.rating), ("closed", "satisfied"))

    def test_other_kinds_of_message(self):
        citizen = Citizen(self, "919812345616")
        citizen.say("नमस्ते")
        [polite] = citizen.send("unsupported", {"type": "edit"})
        self.assertReplies(polite, ["unsupported_type"])
        [polite] = citizen.pin(123.0, 78.7)  # not a place on Earth
        self.assertReplies(polite, ["unsupported_type"])
        self.assertFalse(citizen.send("reaction", {"message_id": polite.wa_message_id, "emoji": "🙏"}), "no answer")
        self.assertFalse(citizen.send("sticker", {"id": "998877", "mime_type": "image/webp"}))
        self.assertEqual(
            set(citizen.conversation.message_ids.filtered(lambda m: m.direction == "in").mapped("state")), {"processed"}
        )

    # ------------------------------------------------------------------ processing guarantees

    def test_one_citizens_messages_are_handled_in_timestamp_order(self):
        citizen = Citizen(self, "919812345617")
        now = int(time.time())
        citizen.send("text", {"body": "START"}, at=now - 5, run=False)
        later = inbound(citizen.wa_id, "text", {"body": "STOP"}, at=now)
        earlier = inbound(citizen.wa_id, "text", {"body": "START"}, at=now - 3)
        self.post(later, earlier)  # stored in the wrong order, in one batch
        replies = self.run_bot(citizen)
        self.assertReplies(replies, ["opted_in", "opted_in", "opted_out"])
        self.assertFalse(citizen.partner.mp15_whatsapp_opt_in, "STOP came last")

    def test_a_message_that_fails_is_marked_error_and_the_next_ones_go_on(self):
        owner = Citizen(self, "919812345618")
        owner.say(NO_WATER_HI)
        grievance = owner.grievances
        intruder = Citizen(self, "919812345619")
        intruder.say("नमस्ते")
        forged = {"type": "button_reply", "button_reply": {"id": f"feedback:no:{grievance.id}", "title": "👎"}}
        with self.assertLogs(CONVERSATION_LOGGER, "ERROR"):
            intruder.send("interactive", forged, run=False)
            intruder.say("START", run=False)
            replies = self.run_bot(intruder)
        failed = self.env["mp15.whatsapp.message"].search([("phone", "=", intruder.phone), ("state", "=", "error")])
        self.assertEqual(len(failed), 1)
        self.assertIn("does not belong", failed.error_message)
        self.assertReplies(replies, ["not_processed", "opted_in"])  # told that we have it; the next goes on
        self.assertEqual(grievance.rating, False, "and nothing happened to the grievance")

    def test_a_crash_before_the_commit_leaves_the_messages_for_the_next_run(self):
        citizen = Citizen(self, "919812345620")
        citizen.say(NO_WATER_HI, run=False)
        commits = []

        def commit_then_crash():
            commits.append(1)
            if len(commits) > 1:  # statuses commit first; the citizen's work is the second commit
                raise psycopg2.OperationalError("server closed the connection unexpectedly")
            self.env.cr.flush()

        with (
            self.assertRaises(psycopg2.OperationalError),
            self.env.cr.savepoint(),
            patch.object(self.env.cr, "commit", commit_then_crash),
        ):
            self.env(context={})["mp15.whatsapp.conversation"]._cron_process()
        self.env.invalidate_all()
        self.assertEqual(citizen.last_inbound.state, "received")
        self.assertFalse(self.env["mp15.grievance"].search([("phone", "=", citizen.phone)]))

        self.run_bot()
        self.assertEqual(citizen.last_inbound.state, "processed")
        self.assertEqual(len(citizen.grievances), 1, "filed once")

    # ------------------------------------------------------------------ texts

    def test_every_bot_text_exists_in_hindi_and_english(self):
        texts = self.env["mp15.bot.text"].search([])
        self.assertGreaterEqual(len(texts), 60)
        for record in texts:
            hindi = record.with_context(lang="hi_IN").text
            english = record.with_context(lang="en_US").text
            with self.subTest(key=record.key):
                self.assertTrue(hindi and english)
                if record.key not in LANGUAGE_BUTTON_KEYS:
                    self.assertNotEqual(hindi, english, "translated")
                self.assertEqual(_placeholders(hindi), _placeholders(english), "the same placeholders")

    def test_each_processing_lane_handles_its_own_citizens(self):
        even, odd = Citizen(self, "919425000010"), Citizen(self, "919425000011")
        even.say("hi", run=False)
        odd.say("hi", run=False)
        self.assertEqual((processing_lane(even.phone), processing_lane(odd.phone)), (0, 1))
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            self.env["mp15.whatsapp.conversation"]._cron_process(lane=1)
        self.env.invalidate_all()
        self.assertEqual((even.last_inbound.state, odd.last_inbound.state), ("received", "processed"))
        with patch.object(self.env.cr, "commit", self.env.cr.flush):
            self.env["mp15.whatsapp.conversation"]._cron_process(lane=0)
        self.env.invalidate_all()
        self.assertEqual(even.last_inbound.state, "processed")
