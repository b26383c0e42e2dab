"""Listing message templates with the Cloud API client, against the local fake Graph API (pure, no Odoo)."""

import pytest

from mp15_grievance.tests import fake_graph_api
from mp15_grievance.tools.cloud_api import AUTH, RETRY, CloudApiClient, CloudApiError

WABA_ID = "102290129340398"


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
