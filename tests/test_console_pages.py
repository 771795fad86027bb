"""Small console-page fixes, on the demo world signed in as its administrator."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.actors import system_actor
from accounts.models import Account
from brokers.models import Configuration
from policies.services.managed import policy_create

pytestmark = pytest.mark.django_db
PASSWORD = "Demo-Passw0rd!"


@pytest.fixture
def alice(client):
    call_command("load_demo", "--password", PASSWORD, "--quiet", stdout=StringIO())
    response = client.post(
        "/signin", {"as": "user", "account": "acme-prod", "username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_the_switch_role_display_name_names_the_session_in_the_navigation(alice):
    response = alice.post(
        "/switch-role",
        {
            "account": "acme-prod",
            "role_name": "BrokerReadOnly",
            "display_name": "Prod reader",
            "color": "green",
        },
    )
    assert response.status_code == 302
    badge = re.search(
        r'class="badge role-badge[^"]*"[^>]*>(.*?)</span>', alice.get("/").content.decode(), re.S
    )
    assert "Prod reader" in badge.group(1)
    alice.post("/switch-role/back")
    assert "Prod reader" not in alice.get("/").content.decode()


def test_last_activity_today_reads_today(alice):
    text = alice.get("/users").content.decode()  # alice has just signed in
    assert "today ago" not in text
    assert re.search(r">\s*today\s*<", text)


def test_the_mfa_filter_offers_any_not_unknown(alice):
    text = alice.get("/users").content.decode()
    select = re.search(r'<select name="mfa".*?</select>', text, re.S).group(0)
    assert "Unknown" not in select
    assert re.findall(r"<option[^>]*>([^<]+)</option>", select) == ["Any", "Enabled", "Not enabled"]


def test_an_invalid_alias_is_explained_in_words_not_a_regular_expression(alice):
    response = alice.post("/account/settings", {"section": "alias", "alias": "Bad--Alias"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "regular expression" not in text and "(?!" not in text
    assert "lower-case letters, digits and hyphens" in text


def test_a_configuration_xml_error_is_shown_once(alice):
    config = Configuration.objects.get(name="orders-config")
    response = alice.post(
        f"/configurations/{config.configuration_id}/edit",
        {"document": "<broker><unclosed></broker>", "description": "broken"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    errors = re.findall(
        r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>(.*?)</div>', text, re.S
    )
    assert len(errors) == 1, errors
    # The live check (htmx) must not add a second copy when the page loads: the saved
    # form's error sits where the live check writes, and no check runs on load.
    check = re.search(r'<div id="document-check"[^>]*>(.*?)</div>\s*</div>', text, re.S)
    assert errors[0] in check.group(1)
    assert re.search(r'hx-trigger="[^"]*\bload\b', text) is None


def test_resource_access_opened_directly_is_a_whole_page(alice):
    from brokers.models import Broker

    orders = Broker.objects.get(name="orders")
    page = alice.get(f"/access/resource?resource={orders.arn}").content.decode()
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "console.css" in page and "mq:RebootBroker" in page
    fragment = alice.get(f"/access/resource?resource={orders.arn}", HTTP_HX_REQUEST="true")
    assert not fragment.content.decode().lstrip().lower().startswith("<!doctype")


def test_a_minified_policy_is_shown_pretty_printed(alice):
    account = Account.objects.get(alias="acme-prod")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "mq:ListBrokers", "Resource": "*"}],
    }
    policy = policy_create(
        actor=system_actor(account.account_id),
        account=account,
        name="Minified",
        document=json.dumps(document, separators=(",", ":")),
    )
    text = alice.get(f"/policies/{policy.unique_id}").content.decode()
    lines = re.findall(r'<span class="doc-line" id="L(\d+)">', text)
    assert len(lines) == len(json.dumps(document, indent=4).splitlines())


def test_the_matrix_hides_actions_without_access_and_counts_the_rest(alice):
    from policies.effective import queries
    from policies.tasks import matrix_recompute

    account = Account.objects.get(alias="acme-prod")
    matrix_recompute(account.pk)
    assert queries.freshness(account.pk).current
    page = alice.get("/access/user/olivia")
    rows = page.context["rows"]
    assert rows and all(any(r["counts"].values()) for r in rows)
    assert len(rows) < page.context["total_rows"]
    reboot = next(r for r in rows if r["action"].name == "mq:RebootBroker")
    assert reboot["counts"]["allowed"] == 1  # orders, her team's broker
    every = alice.get("/access/user/olivia?all=1").context["rows"]
    assert len(every) == page.context["total_rows"]


@pytest.mark.parametrize("debug", [True, False])
def test_an_unknown_address_shows_the_consoles_404_page_not_the_url_list(alice, settings, debug):
    settings.DEBUG = debug
    response = alice.get("/no-such-page")
    text = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in text and "console.css" in text  # the console's own page
    assert "URLconf" not in text and "api/v1/" not in text  # no list of URL patterns


@pytest.mark.parametrize("debug", [True, False])
def test_a_missing_object_shows_the_consoles_404_with_its_message(alice, settings, debug):
    settings.DEBUG = debug
    response = alice.get("/access/user/nobody")
    assert response.status_code == 404
    text = response.content.decode()
    assert "The user with name nobody cannot be found." in text
    assert "Traceback" not in text and "console.css" in text


def test_a_server_error_in_debug_shows_the_consoles_500_page_and_logs_it(
    alice, settings, monkeypatch, caplog
):
    from policies.effective import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    settings.DEBUG = True
    monkeypatch.setattr(views.queries, "freshness", boom)
    alice.raise_request_exception = False
    response = alice.get("/access/user/olivia")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any("Internal Server Error" in r.message for r in caplog.records)


def test_api_docs_have_no_inline_style_for_the_csp_to_block(alice):
    text = alice.get("/api/docs/").content.decode()
    assert "<style" not in text
    assert "console/swagger.css" in text
