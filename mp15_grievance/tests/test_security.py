"""The security table of DESIGN §8, one test per cell.

Each role is checked on a grievance of its own department/ward/partner and on
one of another, for read, write, create and delete.
"""

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import Mp15Case

CONFIG_MODELS = ("mp15.department", "mp15.ward", "mp15.grievance.category", "mp15.grievance.stage")


@tagged("post_install", "-at_install", "mp15_security")
class TestGrievanceSecurity(Mp15Case):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Department A, ward 1, citizen — and department B, ward 2, another citizen.
        cls.own = cls._grievance(cls.category_a, cls.ward_1, cls.citizen)
        cls.other = cls._grievance(cls.category_b, cls.ward_2, cls.other_citizen)

    def as_user(self, user, grievance):
        return grievance.with_user(user)

    def assertCanRead(self, user, grievance):
        self.assertEqual(self.as_user(user, grievance).read(["name"])[0]["name"], grievance.name)
        self.assertIn(grievance, self.env["mp15.grievance"].with_user(user).search([("id", "=", grievance.id)]))

    def assertCannotRead(self, user, grievance):
        with self.assertRaises(AccessError):
            self.as_user(user, grievance).read(["name"])
        self.assertFalse(self.env["mp15.grievance"].with_user(user).search([("id", "=", grievance.id)]))

    def assertCanWrite(self, user, grievance):
        self.as_user(user, grievance).write({"address": f"Written by {user.login}"})
        self.assertEqual(grievance.address, f"Written by {user.login}")

    def assertCannotWrite(self, user, grievance):
        with self.assertRaises(AccessError):
            self.as_user(user, grievance).write({"address": "should not be written"})
        self.assertNotEqual(grievance.address, "should not be written")

    def assertCannotDelete(self, user, grievance):
        with self.assertRaises(AccessError):
            self.as_user(user, grievance).unlink()
        self.assertTrue(grievance.exists())

    def create_as(self, user, category, citizen=None):
        return (
            self.env["mp15.grievance"]
            .with_user(user)
            .create(
                {
                    "category_id": category.id,
                    "description": "gali me street light 1 hafte se band hai",
                    "partner_id": (citizen or self.citizen).partner_id.id,
                }
            )
        )

    # ------------------------------------------------------------------ officer

    def test_officer_reads_own_department(self):
        self.assertCanRead(self.officer_a, self.own)

    def test_officer_cannot_read_other_department(self):
        self.assertCannotRead(self.officer_a, self.other)

    def test_officer_reads_grievance_of_other_department_assigned_to_them(self):
        self.other.user_id = self.officer_a
        self.assertCanRead(self.officer_a, self.other)
        self.assertCanWrite(self.officer_a, self.other)

    def test_officer_writes_own_department(self):
        self.assertCanWrite(self.officer_a, self.own)

    def test_officer_cannot_write_other_department(self):
        self.assertCannotWrite(self.officer_a, self.other)

    def test_officer_creates_in_own_department(self):
        grievance = self.create_as(self.officer_a, self.category_a)
        self.assertEqual(grievance.department_id, self.department_a)

    def test_officer_cannot_create_in_other_department(self):
        with self.assertRaises(AccessError):
            self.create_as(self.officer_a, self.category_b)

    def test_officer_cannot_delete_own_department(self):
        self.assertCannotDelete(self.officer_a, self.own)

    def test_officer_cannot_delete_other_department(self):
        self.assertCannotDelete(self.officer_a, self.other)

    def test_officer_takes_a_grievance_but_cannot_assign_a_colleague(self):
        self.own.with_user(self.officer_a).action_assign_to_me()
        self.assertEqual(self.own.user_id, self.officer_a)
        with self.assertRaisesMessage(AccessError, "Only a department head"):
            self.own.with_user(self.officer_a).write({"user_id": self.officer_a2.id})
        self.assertEqual(self.own.user_id, self.officer_a)

    def test_the_contact_form_shows_an_officer_the_citizens_grievances_they_may_see(self):
        """The Grievances button of a contact counts and opens what the officer may see, no more."""
        citizen = self.citizen.partner_id.with_user(self.officer_a)
        self.assertEqual(citizen.mp15_grievance_count, 1)
        self.assertEqual(self.other_citizen.partner_id.with_user(self.officer_a).mp15_grievance_count, 0)
        action = citizen.action_mp15_open_grievances()
        self.assertEqual(action["res_model"], "mp15.grievance")
        self.assertEqual(self.env["mp15.grievance"].with_user(self.officer_a).search(action["domain"]), self.own)

        def form(user):
            return self.env["res.partner"].with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]

        self.assertIn("action_mp15_open_grievances", form(self.officer_a))
        self.assertNotIn("action_mp15_open_grievances", form(self.internal_user), "not for staff outside the desk")

    # --------------------------------------------------------------------- head

    def test_head_reads_department_they_head(self):
        self.assertCanRead(self.head_a, self.own)

    def test_head_cannot_read_other_department(self):
        self.assertCannotRead(self.head_a, self.other)

    def test_head_writes_and_assigns_in_department_they_head(self):
        self.own.with_user(self.head_a).write({"user_id": self.officer_a2.id})
        self.assertEqual(self.own.user_id, self.officer_a2)
        self.assertEqual(self.own.state, "assigned", "assigning a new grievance moves it to Assigned")

    def test_head_cannot_write_other_department(self):
        self.assertCannotWrite(self.head_a, self.other)

    def test_head_creates_in_department_they_head(self):
        self.assertEqual(self.create_as(self.head_a, self.category_a).department_id, self.department_a)

    def test_head_cannot_create_in_other_department(self):
        with self.assertRaises(AccessError):
            self.create_as(self.head_a, self.category_b)

    def test_head_cannot_delete_own_department(self):
        self.assertCannotDelete(self.head_a, self.own)

    def test_head_cannot_delete_other_department(self):
        self.assertCannotDelete(self.head_a, self.other)

    # --------------------------------------------------------------- councillor

    def test_councillor_reads_own_ward(self):
        self.assertCanRead(self.councillor_1, self.own)

    def test_councillor_cannot_read_other_ward(self):
        self.assertCannotRead(self.councillor_1, self.other)

    def test_councillor_cannot_write_own_ward(self):
        self.assertCannotWrite(self.councillor_1, self.own)

    def test_councillor_cannot_write_other_ward(self):
        self.assertCannotWrite(self.councillor_1, self.other)

    def test_councillor_cannot_create_in_own_ward(self):
        # Not over RPC: any citizen, no checks, emergencies. They file through the constituent dialog.
        with self.assertRaises(AccessError):
            self.env["mp15.grievance"].with_user(self.councillor_1).create(
                {"category_id": self.category_a.id, "description": "x", "ward_id": self.ward_1.id}
            )
        with self.assertRaises(AccessError):
            self.env["mp15.grievance"].with_user(self.councillor_1).create(
                {
                    "category_id": self.category_a.id,
                    "description": "x",
                    "ward_id": self.ward_1.id,
                    "partner_id": self.other_citizen.partner_id.id,
                }
            )

    def test_councillor_files_in_own_ward_for_a_constituent(self):
        # Issue 14: a councillor files for a constituent of their ward (the routing stays the department's).
        action = (
            self.env["mp15.grievance.constituent"]
            .with_user(self.councillor_1)
            .create(
                {
                    "citizen_name": "Sita Bai",
                    "phone": "+919111100055",
                    "ward_id": self.ward_1.id,
                    "category_id": self.category_a.id,
                    "description": "x",
                }
            )
            .action_file()
        )
        grievance = self.env["mp15.grievance"].browse(action["res_id"])
        self.assertEqual((grievance.channel, grievance.ward_id), ("backoffice", self.ward_1))
        self.assertEqual((grievance.partner_id.name, grievance.phone), ("Sita Bai", "+919111100055"))
        self.assertFalse(grievance.phone_verified, "a number the councillor typed is not the citizen's word")
        self.assertTrue(grievance.with_user(self.councillor_1).has_access("read"))

    def test_councillor_cannot_create_in_other_ward(self):
        with self.assertRaises(AccessError):
            self.env["mp15.grievance"].with_user(self.councillor_1).create(
                {"category_id": self.category_b.id, "description": "x", "ward_id": self.ward_2.id}
            )

    def test_councillor_cannot_delete_own_ward(self):
        self.assertCannotDelete(self.councillor_1, self.own)

    def test_councillor_cannot_delete_other_ward(self):
        self.assertCannotDelete(self.councillor_1, self.other)

    def test_councillor_posts_a_note_on_own_ward(self):
        message = self.own.with_user(self.councillor_1).message_post(
            body="Please prioritise: the school on this street has no water.",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        self.assertEqual(message.author_id, self.councillor_1.partner_id)
        self.assertIn(message, self.own.message_ids)

    def test_councillor_cannot_post_on_other_ward(self):
        with self.assertRaises(AccessError):
            self.other.with_user(self.councillor_1).message_post(
                body="not my ward", message_type="comment", subtype_xmlid="mail.mt_note"
            )

    # ------------------------------------------------------------------ manager

    def test_manager_reads_every_department(self):
        self.assertCanRead(self.manager, self.own)
        self.assertCanRead(self.manager, self.other)

    def test_manager_writes_every_department(self):
        self.assertCanWrite(self.manager, self.own)
        self.assertCanWrite(self.manager, self.other)

    def test_manager_creates_in_every_department(self):
        self.assertEqual(self.create_as(self.manager, self.category_b).department_id, self.department_b)

    def test_manager_archives_but_cannot_delete(self):
        self.assertCannotDelete(self.manager, self.other)
        self.other.with_user(self.manager).action_archive()
        self.assertFalse(self.other.active)

    # ------------------------------------------------------------------- portal

    def test_portal_reads_own(self):
        self.assertCanRead(self.citizen, self.own)

    def test_portal_cannot_read_another_citizens(self):
        self.assertCannotRead(self.citizen, self.other)

    def test_portal_cannot_write_own(self):
        self.assertCannotWrite(self.citizen, self.own)

    def test_portal_cannot_write_another_citizens(self):
        self.assertCannotWrite(self.citizen, self.other)

    def test_portal_creates_own(self):
        grievance = self.create_as(self.citizen, self.category_a)
        self.assertEqual(grievance.partner_id, self.citizen.partner_id)
        self.assertEqual(grievance.department_id, self.department_a, "routing runs for portal filings too")

    def test_portal_cannot_create_for_another_citizen(self):
        with self.assertRaises(AccessError):
            self.create_as(self.citizen, self.category_a, citizen=self.other_citizen)

    def test_portal_cannot_delete_own(self):
        self.assertCannotDelete(self.citizen, self.own)

    def test_portal_cannot_delete_another_citizens(self):
        self.assertCannotDelete(self.citizen, self.other)

    def test_portal_reads_grievances_of_its_commercial_partner(self):
        company = self.env["res.partner"].create({"name": "Sagar Traders", "is_company": True})
        self.citizen.partner_id.parent_id = company
        filed_for_company = self._grievance(citizen=self.other_citizen, partner_id=company.id)
        self.assertCanRead(self.citizen, filed_for_company)

    def test_portal_cannot_set_what_the_system_keeps_when_filing(self):
        for field, value in (("name", "MP15-2026-999999"), ("priority", "2"), ("escalation_level", 2)):
            with self.assertRaises(AccessError, msg=field):
                self.env["mp15.grievance"].with_user(self.citizen).create(
                    {
                        "category_id": self.category_a.id,
                        "description": "x",
                        "partner_id": self.citizen.partner_id.id,
                        field: value,
                    }
                )
        filed = self.create_as(self.citizen, self.category_a)
        self.assertEqual(filed.channel, "portal")

    def test_staff_cannot_rewrite_the_sla_record(self):
        for user in (self.head_a, self.manager):
            for field, value in (("sla_state", "met"), ("date_filed", "2020-01-01 00:00:00"), ("rating", "satisfied")):
                with self.assertRaises(AccessError, msg=f"{user.login}: {field}"):
                    self.own.with_user(user).write({field: value})
        self.assertEqual(self.own.sla_state, "on_track", "not even the commissioner rewrites the record")

    def test_updates_never_go_to_a_number_a_citizen_typed_on_the_portal(self):
        stranger = "+919425011111"
        self.citizen.partner_id.sudo().write({"mobile": stranger, "phone": stranger, "mp15_phone": False})
        grievance = self.create_as(self.citizen, self.category_a)
        grievance.sudo().write({"resolution_note": "Fixed.", "stage_id": self.stage_resolved.id})
        sent = self.env["mp15.whatsapp.message"].search([("phone", "=", stranger)])
        self.assertFalse(sent, "nothing is sent to a number nobody proved is theirs")
        self.assertFalse(self.env["mp15.whatsapp.conversation"].search([("phone", "=", stranger)]))

    # ------------------------------------------------------------ other users

    def test_employee_without_a_grievance_role_sees_nothing(self):
        with self.assertRaises(AccessError):
            self.env["mp15.grievance"].with_user(self.internal_user).search([])


@tagged("post_install", "-at_install", "mp15_security")
class TestConfigurationSecurity(Mp15Case):
    def test_staff_read_configuration(self):
        for user in (self.officer_a, self.head_a, self.councillor_1):
            for model in CONFIG_MODELS:
                self.assertTrue(self.env[model].with_user(user).search([]), f"{user.login} reads {model}")

    def test_staff_cannot_change_configuration(self):
        records = {
            "mp15.department": self.department_a,
            "mp15.ward": self.ward_1,
            "mp15.grievance.category": self.category_a,
            "mp15.grievance.stage": self.stage_new,
        }
        for user in (self.officer_a, self.head_a, self.councillor_1):
            for model, record in records.items():
                with self.assertRaises(AccessError, msg=f"{user.login} writes {model}"):
                    record.with_user(user).write({"active": True})

    def test_manager_changes_configuration(self):
        self.department_a.with_user(self.manager).write({"sla_hours": 36})
        self.assertEqual(self.department_a.sla_hours, 36)
        ward = self.env["mp15.ward"].with_user(self.manager).create({"number": 948, "name": "New ward"})
        self.assertEqual(ward.display_name, "Ward 948 · New ward")
        self.category_a.with_user(self.manager).write({"keywords": "paani, पानी"})
        self.stage_new.with_user(self.manager).write({"fold": False})

    def test_portal_reads_no_configuration(self):
        for model in CONFIG_MODELS:
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.citizen).search([])

    def test_roles_form_the_implied_chain(self):
        officer = self.env.ref("mp15_grievance.group_officer")
        head = self.env.ref("mp15_grievance.group_head")
        self.assertIn(head, self.manager.groups_id)
        self.assertIn(officer, self.manager.groups_id)
        self.assertIn(officer, self.head_a.groups_id)
        self.assertNotIn(officer, self.councillor_1.groups_id)

    def test_department_membership_grants_the_role(self):
        newcomer = self.env["res.users"].create({"name": "New Officer", "login": "newcomer"})
        self.department_b.member_ids = [(4, newcomer.id)]
        self.assertTrue(newcomer.has_group("mp15_grievance.group_officer"))
        self.assertFalse(newcomer.has_group("mp15_grievance.group_head"))
        self.department_b.head_id = newcomer
        self.assertTrue(newcomer.has_group("mp15_grievance.group_head"))
