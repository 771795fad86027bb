"""Access-request pages: the form from a denial, live preview, lists, review, decisions."""

import pytest

from accounts.models import AuditEvent
from policies.models import AccessRequest, AccessRequestSettings, InlinePolicy, Notification
from policies.services import requests as services
from policies.tasks import matrix_recompute
from tests.requests.conftest import ACTOR

pytestmark = pytest.mark.django_db


def _create(world, user=None, **overrides):
    values = {
        "intent": "operate-brokers",
        "targets": [{"Arn": world.orders.arn}],
        "duration_hours": 8,
        "justification": "Reboot orders after CHG-1234.",
    }
    values.update(overrides)
    return services.access_request_create(
        actor=ACTOR, principal=world.principal(user or world.alice), **values
    )


FORM = {
    "intent": "custom",
    "actions": ["mq:RebootBroker"],
    "duration": "4",
    "justification": "Reboot orders after CHG-1234.",
}


def test_the_denial_page_offers_a_prefilled_request(client, world, sign_in):
    sign_in(client, world.alice)
    denied = client.post(f"/brokers/{world.orders.broker_id}/reboot")
    assert denied.status_code == 403
    page = denied.content.decode()
    assert "Request access" in page
    assert "/requests/new?action=mq%3ARebootBroker&amp;resource=arn%3Aaws%3Amq" in page
    form = client.get("/requests/new", {"action": "mq:RebootBroker", "resource": world.orders.arn})
    html = form.content.decode()
    assert form.status_code == 200
    assert 'value="mq:RebootBroker" id="action-mqrebootbroker" checked' in html
    assert f'<option value="{world.orders.arn}" selected>' in html
    # The preview is there before any typing: the policy, no findings, the summary.
    assert "&quot;mq:RebootBroker&quot;" in html and "No findings" in html
    assert "Limited: Write" in html


def test_live_preview_shows_policy_findings_and_summary(client, world, sign_in):
    sign_in(client, world.alice)
    data = {**FORM, "brokers": [world.orders.arn]}
    response = client.post("/requests/preview", data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "DateLessThan" in page and world.orders.arn in page
    assert "Limited: Write" in page
    missing = client.post("/requests/preview", FORM, HTTP_HX_REQUEST="true")
    assert "acts on brokers" in missing.content.decode()


def test_submit_creates_the_request_and_shows_its_page(client, world, sign_in):
    sign_in(client, world.alice)
    response = client.post("/requests/new", {**FORM, "brokers": [world.orders.arn]})
    req = AccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/{req.request_id}"
    assert req.actions == ["mq:RebootBroker"] and req.duration_hours == 4
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for an approver" in page and "Submitted" in page


def test_submit_shows_field_errors(client, world, sign_in):
    sign_in(client, world.alice)
    response = client.post("/requests/new", {**FORM, "justification": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post("/requests/new", FORM)  # no target for a broker action
    assert response.status_code == 400
    assert "acts on brokers" in response.content.decode()


def test_root_is_told_there_is_nothing_to_request(client, world):
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    response = client.get("/requests/new")
    assert "nothing to request" in response.content.decode()


@pytest.mark.parametrize("path", ["/requests", "/requests/new", "/requests/review"])
def test_anonymous_is_sent_to_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/signin")


def test_review_page_anonymous_no_permission_and_limited(client, world, sign_in):
    alices = _create(world)
    bobs = _create(world, user=world.bob)
    url = f"/requests/{alices.request_id}/review"
    assert client.get(url).status_code == 302
    sign_in(client, world.nobody)
    denied = client.get(url)
    assert denied.status_code == 403
    assert (
        "User: arn:aws:iam::111122223333:user/nobody is not authorized to perform: "
        "iam:PutUserPolicy on resource: arn:aws:iam::111122223333:user/alice"
    ) in denied.content.decode()
    assert AuditEvent.objects.filter(
        principal_arn=world.nobody.arn, action="iam:PutUserPolicy", decision="implicitDeny"
    ).exists()
    client.post("/signout")
    sign_in(client, world.lead)
    assert client.get(url).status_code == 200
    assert client.get(f"/requests/{bobs.request_id}/review").status_code == 403
    listed = client.get("/requests/review").content.decode()
    assert alices.request_id in listed and bobs.request_id not in listed


def test_own_request_cannot_be_reviewed(client, world, sign_in):
    req = _create(world)
    sign_in(client, world.alice)
    response = client.get(f"/requests/{req.request_id}/review")
    assert response.status_code == 302 and response["Location"] == f"/requests/{req.request_id}"


def test_blast_radius_flags_production(client, world, sign_in):
    matrix_recompute(world.account.pk)
    req = _create(world)
    sign_in(client, world.admin)
    response = client.get(f"/requests/{req.request_id}/blast-radius", HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "+1 gained" in page and "New access to production brokers" in page
    assert "mq:RebootBroker" in page and "orders" in page
    assert not InlinePolicy.objects.filter(name=req.policy_name).exists()  # rolled back
    sign_in(client, world.nobody)
    denied = client.get(f"/requests/{req.request_id}/blast-radius")
    assert "not authorized" in denied.content.decode()


def test_approve_deny_and_ask_for_changes_from_the_review_page(client, world, sign_in):
    first, second, third = _create(world), _create(world), _create(world)
    sign_in(client, world.admin)
    page = client.get(f"/requests/{first.request_id}/review").content.decode()
    assert "Reboot orders after CHG-1234." in page and "Approve" in page
    response = client.post(
        f"/requests/{first.request_id}/approve", {"duration": "4", "targets": ["0"]}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == "approved" and first.duration_hours == 4
    assert InlinePolicy.objects.filter(user=world.alice, name=first.policy_name).exists()
    empty = client.post(f"/requests/{second.request_id}/deny", {"reason": ""})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    client.post(f"/requests/{second.request_id}/deny", {"reason": "Use the runbook."})
    client.post(f"/requests/{third.request_id}/request-changes", {"reason": "Only 1 hour."})
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.status == "denied" and third.status == "changes_requested"
    decided = client.get(f"/requests/{second.request_id}/review")
    assert decided.status_code == 302 and decided["Location"] == f"/requests/{second.request_id}"


def test_approve_without_permission_renders_the_denial(client, world, sign_in):
    req = _create(world)
    sign_in(client, world.nobody)
    response = client.post(
        f"/requests/{req.request_id}/approve", {"duration": "8", "targets": ["0"]}
    )
    assert response.status_code == 403
    assert "iam:PutUserPolicy" in response.content.decode()


def test_detail_is_for_the_requester_and_those_who_may_grant(client, world, sign_in):
    req = _create(world)
    sign_in(client, world.nobody)
    assert client.get(f"/requests/{req.request_id}").status_code == 403
    client.post("/signout")
    sign_in(client, world.alice)
    page = client.get(f"/requests/{req.request_id}").content.decode()
    assert "Cancel request" in page and "Change and resubmit" in page
    client.post(f"/requests/{req.request_id}/cancel")
    req.refresh_from_db()
    assert req.status == "cancelled"


def test_resubmit_after_changes_requested(client, world, sign_in):
    req = _create(world)
    services.access_request_request_changes(
        actor=ACTOR, approver=world.principal(world.admin), access_request=req,
        authz=world.authz(world.admin), reason="Only 1 hour.",
    )  # fmt: skip
    sign_in(client, world.alice)
    page = client.get(f"/requests/{req.request_id}/edit").content.decode()
    assert "Only 1 hour." in page
    response = client.post(
        f"/requests/{req.request_id}/edit",
        {"intent": "operate-brokers", "brokers": [world.orders.arn], "duration": "1",
         "justification": "Only 1 hour then."},
    )  # fmt: skip
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == "pending" and req.duration_hours == 1 and req.round == 2


def test_extend_and_give_up_from_the_detail_page(client, world, sign_in):
    req = services.access_request_approve(
        actor=ACTOR, approver=world.principal(world.admin), access_request=_create(world),
        authz=world.authz(world.admin),
    )  # fmt: skip
    sign_in(client, world.alice)
    page = client.get(f"/requests/{req.request_id}").content.decode()
    assert "Ask to extend" in page and "Give up this access" in page
    client.post(f"/requests/{req.request_id}/extend", {"hours": "4", "justification": "Late."})
    req.refresh_from_db()
    assert req.extension_hours == 4
    client.post(f"/requests/{req.request_id}/revoke")
    req.refresh_from_db()
    assert req.status == "revoked"


def test_lists_filter_and_the_nav_counts_what_awaits_review(
    client, world, sign_in, django_assert_max_num_queries
):
    for _ in range(3):
        _create(world)
    _create(world, user=world.bob)
    sign_in(client, world.admin)
    with django_assert_max_num_queries(25):
        page = client.get("/requests/review").content.decode()
    assert page.count('/review">ar-') == 4
    assert 'title="Requests waiting for your review">4' in page
    sign_in(client, world.lead)
    page = client.get("/requests/review").content.decode()
    assert 'title="Requests waiting for your review">3' in page
    denied_only = client.get("/requests/review", {"status": "denied"}).content.decode()
    assert "Nothing to review" in denied_only
    client.post("/signout")
    sign_in(client, world.alice)
    mine = client.get("/requests").content.decode()
    assert mine.count('">ar-') == 3 and "Requests waiting for your review" not in mine


def test_notifications_list_open_and_mark_read(client, world, sign_in):
    req = _create(world)
    services.access_request_deny(
        actor=ACTOR, approver=world.principal(world.admin), access_request=req,
        authz=world.authz(world.admin), reason="Not now.",
    )  # fmt: skip
    sign_in(client, world.alice)
    page = client.get("/notifications").content.decode()
    assert "denied: Not now." in page and "bi-bell" in page
    note = Notification.objects.get(recipient_arn=world.alice.arn)
    opened = client.post(f"/notifications/{note.pk}/open")
    assert opened["Location"] == f"/requests/{req.request_id}"
    note.refresh_from_db()
    assert note.read_at is not None


def test_settings_are_changed_by_root_only(client, world, sign_in):
    sign_in(client, world.admin)
    refused = client.post(
        "/requests/settings", {"require_two_approvers": "on", "pending_expiry_days": "3"}
    )
    assert refused.status_code == 403
    client.post("/signout")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    client.post("/requests/settings", {"require_two_approvers": "on", "pending_expiry_days": "3"})
    saved = AccessRequestSettings.objects.get(account=world.account)
    assert saved.require_two_approvers and saved.pending_expiry_days == 3
    assert AuditEvent.objects.filter(action="console:UpdateAccessRequestSettings").exists()
