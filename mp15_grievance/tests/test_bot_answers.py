"""Questions answered and places understood, through the real webhook: bot answers, the gazetteer, who may edit them."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import Mp15Case
from .whatsapp_common import Citizen, ConversationHelpers, start_graph_and_account

TAX_QUESTION = "property tax kitna baki hai?"
TAX_QUESTION_HI = "मेरा संपत्ति कर कितना बकाया है?"
STREETLIGHT_AT_TEEN_BATTI = "Teen Batti ke paas light nahi"


@tagged("post_install", "-at_install", "mp15_whatsapp")
class TestBotAnswers(ConversationHelpers, Mp15Case, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        start_graph_and_account(cls)
        env["mp15.place"].search([]).active = False  # demo places: these tests know their own
        Place = env["mp15.place"]
        cls.teen_batti = Place.create(
            {"name": "Teen Batti", "aliases": "teenbatti, तीन बत्ती चौराहा", "ward_id": cls.ward_1.id}
        )
        cls.teen_batti.update_field_translations("name", {"hi_IN": "तीन बत्ती"})
        cls.shiv_mandir_1 = Place.create({"name": "Shiv Mandir", "aliases": "शिव मंदिर", "ward_id": cls.ward_1.id})
        cls.shiv_mandir_2 = Place.create({"name": "Shiv Mandir", "aliases": "शिव मंदिर", "ward_id": cls.ward_2.id})
        cls.tax_answer = env.ref("mp15_grievance.bot_answer_property_tax")
        cls.water_timing = env.ref("mp15_grievance.bot_answer_water_timing")
        cls.streetlight = env.ref("mp15_grievance.category_streetlight")
        cls.ward_1.water_supply_timing = "6 to 8 am"
        cls.ward_1.update_field_translations("water_supply_timing", {"hi_IN": "सुबह 6 से 8 बजे"})

    def setUp(self):
        super().setUp()
        self.graph.reset()

    def answer_body(self, answer, lang="hi_IN"):
        return answer.with_context(lang=lang).body

    def render(self, key, lang="hi_IN", **params):
        """A bot text as the bot sends it to a Hindi-speaking citizen."""
        return self.env["mp15.bot.text"]._render(key, lang, **params)

    # ------------------------------------------------------------------ questions

    def test_a_tax_question_gets_the_tax_answer_and_files_nothing(self):
        for wa_id, question in (("919812346001", TAX_QUESTION), ("919812346002", TAX_QUESTION_HI)):
            citizen = Citizen(self, wa_id)
            welcome, answer = citizen.say(question)
            self.assertTrue(welcome.body.startswith(self.text("welcome")))
            self.assertEqual(answer.body, self.render("answer", answer=self.answer_body(self.tax_answer)))
            self.assertIn("https://enagarpalika.mp.gov.in", answer.body)
            self.assertEqual(
                self.options(answer),
                [{"id": "question:complain", "title": self.render("button_complain")}],
                "the button under it",
            )
            self.assertFalse(citizen.grievances, f"{question!r} is a question, not a grievance")
            self.assertEqual(citizen.last_inbound.state, "processed")

    def test_a_tanker_booking_question_gets_the_tanker_answer_and_files_nothing(self):
        """Booking a tanker is a question; a tanker awaited ("tanker kab aayega") stays a water complaint."""
        tanker = self.env.ref("mp15_grievance.bot_answer_water_tanker")
        for wa_id, question in (
            ("919812346014", "shaadi ke liye tanker kaise book kare"),
            ("919812346015", "शादी के लिए पानी का टैंकर कैसे बुक करें?"),
        ):
            citizen = Citizen(self, wa_id)
            citizen.say("menu")
            [answer] = citizen.say(question)
            self.assertEqual(answer.body, self.render("answer", answer=self.answer_body(tanker)))
            self.assertEqual([option["id"] for option in self.options(answer)], ["question:complain"])
            self.assertFalse(citizen.grievances, f"{question!r} is a question, not a grievance")

    def test_file_a_complaint_about_this_files_with_the_question_text(self):
        """Filed at once when the classifier is sure of the question's category, else the category is asked."""
        tax, water = self.env.ref("mp15_grievance.category_tax"), self.env.ref("mp15_grievance.category_water")
        for wa_id, question, category in (
            ("919812346003", TAX_QUESTION_HI, tax),
            ("919812346013", "paani kab aata hai?", water),
        ):
            citizen = Citizen(self, wa_id)
            citizen.say("menu")
            [answer] = citizen.say(question)
            self.assertFalse(citizen.grievances)
            replies = citizen.tap(answer, option_id="question:complain")
            if self.env["mp15.whatsapp.conversation"]._classifier().classify(question).auto_file:
                self.assertReplies(replies, ["filed"])
            else:
                self.assertReplies(replies, ["ask_category"])
                [_ask, skip_location] = citizen.tap(replies, category.with_context(lang="hi_IN").name)
                [ask_photo] = citizen.tap(skip_location, option_id="skip:location")
                [confirm] = citizen.tap(ask_photo, option_id="skip:photo")
                self.assertIn(question, confirm.body)
                replies = citizen.tap(confirm, option_id="confirm:yes")
            self.assertRecordValues(
                citizen.grievances, [{"category_id": category.id, "description": question, "channel": "whatsapp"}]
            )
            self.assertEqual(replies[-1].grievance_id, citizen.grievances)

    def test_a_complaint_asked_as_a_question_nobody_answered_is_filed(self):
        """No answer fits, but a category keyword does: filed at once when the classifier is sure."""
        cases = (
            ("kachra kab uthega", "mp15_grievance.category_garbage"),
            ("nali kab saaf hogi", "mp15_grievance.category_drain"),
            ("street light kab theek hogi", "mp15_grievance.category_streetlight"),
            ("tanker kab aayega", "mp15_grievance.category_water"),
            ("there is a dead dog on the road, who will remove it?", "mp15_grievance.category_garbage"),
            ("dog bite ho gaya, kya kare", "mp15_grievance.category_stray_animals"),
            ("The newly made CC road in ward 34 has cracks, who will check?", "mp15_grievance.category_road"),
            ("pakki sadak kab banegi, kab tak kachi sadak par chalna padega", "mp15_grievance.category_road"),
            ("कॉलोनी में कुत्ते बहुत हो गए हैं, कब पकड़ेंगे?", "mp15_grievance.category_stray_animals"),
            ("नाली का पानी सड़क पर बह रहा है, कब ठीक होगा?", "mp15_grievance.category_drain"),
            ("please consider repairing the street light in gali 3", "mp15_grievance.category_streetlight"),
        )
        for number, (text, category) in enumerate(cases):
            with self.subTest(text=text):
                citizen = Citizen(self, f"9198123461{number:02d}")
                citizen.say("menu")
                replies = citizen.say(text)
                self.assertRecordValues(
                    citizen.grievances,
                    [{"kind": "complaint", "category_id": self.env.ref(category).id, "description": text}],
                )
                self.assertNotIn(self.text("question_not_found"), replies[0].body)
                self.assertEqual(replies[-1].grievance_id, citizen.grievances)

    def test_a_question_nobody_answered_gets_the_menu_and_is_never_filed(self):
        citizen = Citizen(self, "919812346004")
        citizen.say("menu")
        [menu] = citizen.say("सागर में नया चिड़ियाघर कब खुलेगा?")
        self.assertReplies(menu, ["question_not_found"])
        self.assertEqual(len(self.options(menu)), 6, "the main menu")
        thanks = citizen.say("धन्यवाद, आपकी टीम ने नाली साफ कर दी 🙏")
        self.assertReplies(thanks, ["thanks_reply"])
        self.assertFalse(citizen.grievances)

    def test_the_water_timing_answer_gives_the_timing_of_the_citizens_ward(self):
        citizen = Citizen(self, "919812346005")
        citizen.say("menu")
        [answer] = citizen.say("Teen Batti me paani kab aata hai?")
        self.assertTrue(answer.body.startswith(self.answer_body(self.water_timing)), answer.body)
        ward = self.ward_1.with_context(lang="hi_IN").display_name
        timing = self.render("water_timing_of_ward", ward=ward, timing="सुबह 6 से 8 बजे")
        self.assertEqual(
            answer.body, self.render("answer", answer=f"{self.answer_body(self.water_timing)}\n\n{timing}")
        )
        self.assertFalse(citizen.grievances)

        other = Citizen(self, "919812346006")
        other.say("menu")
        self._grievance(ward=self.ward_1, citizen=self.citizen, partner_id=other.partner.id)
        [answer] = other.say("pani ka time kya hai?")
        self.assertIn(timing, answer.body, "the ward of the citizen's latest grievance")
        self.ward_1.water_supply_timing = False
        [answer] = other.say("pani ka time kya hai?")
        self.assertEqual(
            answer.body,
            self.render("answer", answer=self.answer_body(self.water_timing)),
            "no timing: the answer alone",
        )

    # ------------------------------------------------------------------ places

    def test_a_complaint_naming_a_place_is_filed_in_its_ward_without_a_pin(self):
        citizen = Citizen(self, "919812346007")
        citizen.say("menu")
        [filed] = citizen.say(STREETLIGHT_AT_TEEN_BATTI)
        self.assertRecordValues(
            citizen.grievances,
            [
                {
                    "category_id": self.streetlight.id,
                    "ward_id": self.ward_1.id,
                    "address": "तीन बत्ती",
                    "description": STREETLIGHT_AT_TEEN_BATTI,
                    "latitude": 0.0,
                }
            ],
        )
        self.assertReplies(filed, ["filed_complete"])

    def test_an_ambiguous_place_is_filed_at_once_then_asked_and_the_choice_sets_the_ward(self):
        citizen = Citizen(self, "919812346008")
        citizen.say("menu")
        filed, asked = citizen.say("Shiv Mandir ke paas light nahi")
        self.assertReplies(filed | asked, ["filed_complete", "ask_place"])
        self.assertRecordValues(
            citizen.grievances,
            [{"category_id": self.streetlight.id, "ward_id": False, "address": "Shiv Mandir"}],
        )
        self.assertEqual(asked.grievance_id, citizen.grievances, "the question belongs to the grievance")
        ward_2 = self.ward_2.with_context(lang="hi_IN").display_name
        self.assertIn(f"Shiv Mandir – {ward_2}", asked.body)
        self.assertEqual(
            [option["id"] for option in self.options(asked)],
            [f"place:{self.shiv_mandir_1.id}", f"place:{self.shiv_mandir_2.id}", "place:other"],
        )
        [added] = citizen.tap(asked, option_id=f"place:{self.shiv_mandir_2.id}")
        self.assertReplies(added, ["location_added"])
        self.assertRecordValues(
            citizen.grievances,
            [{"category_id": self.streetlight.id, "ward_id": self.ward_2.id, "address": "Shiv Mandir"}],
        )

    def test_an_ambiguous_place_not_answered_leaves_the_grievance_filed_and_haan_is_no_address(self):
        citizen = Citizen(self, "919812346011")
        citizen.say("menu")
        citizen.say("Shiv Mandir ke paas light nahi")
        citizen.say("haan")
        self.assertRecordValues(citizen.grievances, [{"ward_id": False, "address": "Shiv Mandir"}])

    def test_an_emergency_naming_a_place_is_filed_in_its_ward(self):
        citizen = Citizen(self, "919812346012")
        citizen.say("menu")
        numbers, filed = citizen.say("Fire in the market near Teen Batti")
        self.assertReplies(numbers | filed, ["emergency_numbers", "filed_complete"])
        self.assertRecordValues(
            citizen.grievances,
            [
                {
                    "category_id": self.env.ref("mp15_grievance.category_emergency").id,
                    "priority": "2",
                    "ward_id": self.ward_1.id,
                    "address": "तीन बत्ती",
                }
            ],
        )

    def test_a_pin_still_wins_over_a_place_name(self):
        citizen = Citizen(self, "919812346009")
        citizen.say("menu")
        citizen.pin(*self.POINT_WARD_2)
        citizen.say(STREETLIGHT_AT_TEEN_BATTI)
        self.assertRecordValues(
            citizen.grievances,
            [{"category_id": self.streetlight.id, "ward_id": self.ward_2.id, "latitude": self.POINT_WARD_2[0]}],
        )

    # ------------------------------------------------------------------ who may edit them

    def test_answers_and_places_are_edited_by_a_manager_and_read_by_staff(self):
        for user in (self.manager, self.env.ref("base.user_admin")):
            answer = (
                self.env["mp15.bot.answer"]
                .with_user(user)
                .create({"name": "Dog bites", "keywords": "!kutte ka teeka", "body": "Go to the district hospital."})
            )
            answer.body_hi = "ज़िला अस्पताल जाएँ।"
            self.assertEqual(answer.with_context(lang="hi_IN").body, "ज़िला अस्पताल जाएँ।")
            self.assertEqual(answer.with_context(lang="en_US").body, "Go to the district hospital.")
            place = self.env["mp15.place"].with_user(user).create({"name": "Katra Bazar", "ward_id": self.ward_2.id})
            place.aliases = "कटरा बाज़ार"
            answer.unlink()
            place.unlink()
        for user in (self.officer_a, self.head_a, self.councillor_1):
            self.assertEqual(self.tax_answer.with_user(user).name, self.tax_answer.name)
            self.assertEqual(self.teen_batti.with_user(user).ward_id, self.ward_1)
            with self.assertRaises(AccessError):
                self.tax_answer.with_user(user).write({"body": "changed"})
            with self.assertRaises(AccessError):
                self.env["mp15.bot.answer"].with_user(user).create({"name": "x", "body": "y"})
            with self.assertRaises(AccessError):
                self.teen_batti.with_user(user).write({"ward_id": self.ward_2.id})
            with self.assertRaises(AccessError):
                self.env["mp15.place"].with_user(user).create({"name": "x", "ward_id": self.ward_1.id})

    def test_keywords_the_bot_cannot_use_are_refused_with_the_entry(self):
        with self.assertRaisesMessage(ValidationError, "ab*: write at least 3 letters before *"):
            self.tax_answer.with_user(self.manager).keywords = "property tax\nab*"

    def test_a_new_place_is_understood_at_once(self):
        citizen = Citizen(self, "919812346010")
        citizen.say("menu")
        self.env["mp15.place"].with_user(self.manager).create(
            {"name": "Gour Murti", "aliases": "gour murti, गौर मूर्ति", "ward_id": self.ward_2.id}
        )
        citizen.say("gour murti ke paas light nahi")
        self.assertEqual(citizen.grievances.ward_id, self.ward_2)
