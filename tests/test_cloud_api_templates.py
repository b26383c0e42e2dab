"""Listing message templates with the Cloud API client, against the local fake Graph API (pure, no Odoo)."""

import importlib.util
import sys
from pathlib import Path

import pytest

from mp15_grievance.tools.cloud_api import AUTH, RETRY, CloudApiClient, CloudApiError

FAKE_GRAPH_API = Path(__file__).resolve().parent.parent / "mp15_grievance" / "tests" / "fake_graph_api.py"
WABA_ID = "102290129340398"


def _load_fake_graph_api():
    # Loaded by path: importing the ``mp15_grievance.tests`` package would load the Odoo tests.
    name = "mp15_fake_graph_api"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, FAKE_GRAPH_API)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


fake_graph_api = _load_fake_graph_api()


@pytest.fixture
def graph():
    with fake_graph_api.FakeGraphApi() as server:
        yield server


def client_for(graph, token=None):
    return CloudApiClient(graph.graph_url, graph.phone_number_id, token or graph.access_token, timeout=5)


def test_every_page_is_read_by_its_cursor(graph):
    many = [{"name": f"notice_{index:03d}", "language": "hi", "category": "UTILITY"} for index in range(230)]
    graph.set_templates(many)
    with client_for(graph) as client:
        templates = client.list_templates(WABA_ID, page_size=100)
    assert [template["name"] for template in templates] == [template["name"] for template in many]
    requests = [request for request in graph.requests if request.route == "templates"]
    assert len(requests) == 3
    assert all(request.path.startswith(f"/v21.0/{WABA_ID}/message_templates?") for request in requests)
    assert "after=200" in requests[-1].path


def test_the_default_list_has_meta_shapes(graph):
    with client_for(graph) as client:
        templates = client.list_templates(WABA_ID)
    assert {template["status"] for template in templates} == {"APPROVED", "REJECTED"}
    assert {template["category"] for template in templates} == {"UTILITY", "MARKETING"}


def test_a_wrong_token_is_an_auth_error(graph):
    with client_for(graph, token="expired") as client, pytest.raises(CloudApiError) as caught:
        client.list_templates(WABA_ID)
    assert caught.value.disposition == AUTH
    assert caught.value.error.code == 190


def test_an_unexpected_answer_is_retryable(graph):
    graph.queue_responses(fake_graph_api.ScriptedResponse.json({"not": "a list"}), route="templates")
    with client_for(graph) as client, pytest.raises(CloudApiError) as caught:
        client.list_templates(WABA_ID)
    assert caught.value.disposition == RETRY


def test_an_unsafe_account_id_is_refused_before_any_request(graph):
    with client_for(graph) as client, pytest.raises(ValueError):
        client.list_templates("../../me")
    assert graph.requests == []
