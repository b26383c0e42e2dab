import json
from contextlib import contextmanager

import odoo
from odoo import api
from odoo.tests import TransactionCase, new_test_user

from .whatsapp_common import create_account


def square(lat, lon, half_side=0.005):
    """A closed GeoJSON square around a point, as a ward boundary."""
    ring = [
        [lon - half_side, lat - half_side],
        [lon + half_side, lat - half_side],
        [lon + half_side, lat + half_side],
        [lon - half_side, lat + half_side],
        [lon - half_side, lat - half_side],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


class SeparateConnections:
    """For what two processes do at once: real, separate database connections whose commits are real
    (the tests clean up after themselves)."""

    def setUp(self):
        super().setUp()
        # Looked up here, in the main thread: it holds the registry lock during tests, so a worker thread
        # of the test asking for the registry would wait for it forever.
        self.connections_registry = odoo.modules.registry.Registry(odoo.tests.get_db_name())

    def connect(self):
        """A real, separate connection (not the test cursor), bound to the loaded registry."""
        cr = odoo.sql_db.db_connect(self.connections_registry.db_name).cursor()
        cr.transaction = api.Transaction(self.connections_registry)
        return cr


class Mp15Case(TransactionCase):
    """Two departments, two wards with boundaries, and a user of every role.

    Nothing here relies on demo data: tests create what they read.
    """

    # Points inside the two test wards: north-east of the city, clear of the demo wards' boundaries.
    POINT_WARD_1 = (23.9500, 78.9500)
    POINT_WARD_2 = (23.9700, 78.9700)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.env = env
        cls.officer_a = new_test_user(env, "test_officer_a", groups="mp15_grievance.group_officer", name="Officer A")
        cls.officer_a2 = new_test_user(env, "test_officer_a2", groups="mp15_grievance.group_officer", name="Officer A2")
        cls.officer_b = new_test_user(env, "test_officer_b", groups="mp15_grievance.group_officer", name="Officer B")
        cls.head_a = new_test_user(env, "test_head_a", groups="mp15_grievance.group_head", name="Head A")
        cls.head_b = new_test_user(env, "test_head_b", groups="mp15_grievance.group_head", name="Head B")
        cls.councillor_1 = new_test_user(env, "test_councillor_1", groups="mp15_grievance.group_councillor")
        cls.manager = new_test_user(
            env, "test_commissioner", groups="mp15_grievance.group_manager", name="Commissioner"
        )
        cls.citizen = new_test_user(env, "test_citizen", groups="base.group_portal", name="Rajesh Kumar")
        cls.other_citizen = new_test_user(env, "test_other_citizen", groups="base.group_portal", name="Priya Sharma")
        cls.internal_user = new_test_user(env, "test_plain_employee", groups="base.group_user")
        # The corporation's WhatsApp number, so citizens' updates are queued (nothing is sent from here).
        # Created here: the main addon's tests never lean on the simulator addon's account.
        cls.corporation_account = env["mp15.whatsapp.account"]._default_account() or create_account(
            env,
            name="Sagar Municipal Corporation (common test number)",
            phone_number_id="100000000000090",
            app_secret="app-secret-of-the-common-test-number",
            verify_token="verify-token-of-the-common-test-number",
            template_status_update="grievance_status_update",
            template_feedback="grievance_feedback",
        )

        cls.department_a = env["mp15.department"].create(
            {
                "name": "Water Supply (test)",
                "code": "T_WATER",
                "sla_hours": 24,
                "head_id": cls.head_a.id,
                "member_ids": [(6, 0, [cls.officer_a.id, cls.officer_a2.id])],
            }
        )
        cls.department_b = env["mp15.department"].create(
            {
                "name": "Public Works (test)",
                "code": "T_PWD",
                "sla_hours": 48,
                "head_id": cls.head_b.id,
                "member_ids": [(6, 0, [cls.officer_b.id])],
            }
        )
        cls.category_a = env["mp15.grievance.category"].create(
            {"name": "No water (test)", "code": "T_WATER", "department_id": cls.department_a.id, "sla_hours": 12}
        )
        cls.category_b = env["mp15.grievance.category"].create(
            {"name": "Pothole (test)", "code": "T_ROAD", "department_id": cls.department_b.id}
        )
        cls.category_emergency = env["mp15.grievance.category"].create(
            {"name": "Fire (test)", "code": "T_FIRE", "department_id": cls.department_b.id, "is_emergency": True}
        )
        cls.ward_1 = env["mp15.ward"].create(
            {
                "number": 901,
                "name": "Teen Batti (test)",
                "boundary_geojson": square(*cls.POINT_WARD_1),
                "councillor_user_ids": [(6, 0, [cls.councillor_1.id])],
            }
        )
        cls.ward_2 = env["mp15.ward"].create(
            {"number": 902, "name": "Katra (test)", "boundary_geojson": square(*cls.POINT_WARD_2)}
        )
        cls.stage_new = env.ref("mp15_grievance.stage_new")
        cls.stage_assigned = env.ref("mp15_grievance.stage_assigned")
        cls.stage_in_progress = env.ref("mp15_grievance.stage_in_progress")
        cls.stage_resolved = env.ref("mp15_grievance.stage_resolved")
        cls.stage_closed = env.ref("mp15_grievance.stage_closed")

    @contextmanager
    def assertRaisesMessage(self, exception, text):
        """assertRaises (which rolls the failed operation back, unlike assertRaisesRegex) and its message."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertIn(text, str(caught.exception))

    @classmethod
    def _grievance(cls, category=None, ward=None, citizen=None, **values):
        """A grievance filed as the system would, in the given category and ward."""
        vals = {
            "category_id": (category or cls.category_a).id,
            "description": "मेरे वार्ड में तीन दिन से पानी नहीं आ रहा है",
            "ward_id": (ward or cls.ward_1).id,
            "partner_id": (citizen or cls.citizen).partner_id.id,
            **values,
        }
        return cls.env["mp15.grievance"].create(vals)
