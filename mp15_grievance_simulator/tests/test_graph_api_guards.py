"""The simulator's Graph API stand-in: bearer token before the body, bodies over its limit refused unread."""

import json
import socket

from odoo.tests import tagged

from odoo.addons.mp15_grievance.tools import messages

from ..controllers.graph_api import MAX_SEND_BYTES
from .common import SimulatorCase

GRAPH_PATH = "/mp15/simulator/graph"
CITIZEN = "+919876543210"


@tagged("post_install", "-at_install")
class TestGraphApiGuards(SimulatorCase):
    def raw_post(self, headers, body=b""):
        """The status line a request with ``headers`` gets while only ``body`` of it has been sent.

        The connection stays open: a server that waited for the rest of the body would time out here.
        """
        path = f"{GRAPH_PATH}/{self.account.phone_number_id}/messages"
        cookies = "; ".join(f"{name}={value}" for name, value in self.opener.cookies.items())
        lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{self.http_port()}", f"Cookie: {cookies}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        with socket.create_connection(("127.0.0.1", self.http_port()), timeout=10) as connection:
            connection.sendall(head + body)
            try:
                answer = connection.recv(4096)
            except TimeoutError:
                self.fail("the stand-in waited for a body it should have refused unread")
        return answer.split(b"\r\n", 1)[0].decode()

    def test_a_wrong_token_is_refused_before_the_body_is_read(self):
        declared = {"Content-Type": "application/json", "Content-Length": "5000"}
        for authorization in ("Bearer not-the-token", "", f"Basic {self.account.access_token}"):
            with self.subTest(authorization=authorization):
                status = self.raw_post({**declared, "Authorization": authorization}, b'{"messaging_product"')
                self.assertIn(" 401 ", status)
        # Even a body over the limit is answered as unauthorized: the token is looked at first.
        oversized = {"Content-Type": "application/json", "Content-Length": str(MAX_SEND_BYTES + 1)}
        self.assertIn(" 401 ", self.raw_post({**oversized, "Authorization": "Bearer nope"}))

    def test_a_body_over_the_limit_is_refused_unread(self):
        bearer = {"Authorization": f"Bearer {self.account.access_token}", "Content-Type": "application/json"}
        status = self.raw_post({**bearer, "Content-Length": str(MAX_SEND_BYTES + 1)}, b"{")
        self.assertIn(" 413 ", status)
        status = self.raw_post({**bearer, "Transfer-Encoding": "chunked"}, b"5\r\n{...}\r\n")
        self.assertIn(" 411 ", status)

        payload = messages.text_message(CITIZEN, "x")
        padded = json.dumps(payload).encode().ljust(MAX_SEND_BYTES + 1, b" ")
        url = f"{self.base_url()}{GRAPH_PATH}/{self.account.phone_number_id}/messages"
        response = self.opener.post(url, data=padded, headers=bearer, timeout=30)
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json()["error"]["code"], 100)
        at_the_limit = json.dumps(payload).encode().ljust(MAX_SEND_BYTES, b" ")
        response = self.opener.post(url, data=at_the_limit, headers=bearer, timeout=30)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertTrue(response.json()["messages"][0]["id"].startswith("wamid."))
