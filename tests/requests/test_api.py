"""The access-requests API: the same services and IAM checks as the pages, JSON errors."""

import pytest

from accounts.models import AuditEvent
from policies.models import AccessRequest, InlinePolicy

pytestmark = pytest.mark.django_db
BASE = "/api/v1/access-requests/"


@pytest.fixture
def api(client, sign_in):
    """A console-session client for the API (SigV4 is covered by tests/accounts)."""

    def as_user(user):
        client.post("/signout")
        sign_in(client, user)
        return client

    return as_user


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def _body(world, **overrides):
    body = {
        "Intent": "operate-brokers",
        "Targets": [{"Arn": world.orders.arn}],
        "DurationHours": 8,
        "Justification": "Reboot orders after CHG-1234.",
    }
    return {**body, **overrides}


def test_anonymous_gets_a_json_403(client, world):
    response = client.get(BASE)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "NotAuthenticated"
    assert _post(client, BASE, _body(world)).status_code == 403


def test_create_preview_list_and_detail(api, world):
    client = api(world.alice)
    preview = _post(client, BASE + "preview/", _body(world))
    assert preview.status_code == 200
    data = preview.json()
    assert data["PolicyDocument"]["Statement"][1]["Resource"] == world.orders.arn
    assert data["Findings"] == [] and data["Summary"]["Allow"]["Services"][0]["Service"] == "mq"
    created = _post(client, BASE, _body(world))
    assert created.status_code == 201
    request_id = created.json()["AccessRequestId"]
    assert created.json()["Status"] == "pending"
    listed = client.get(BASE).json()
    assert [r["AccessRequestId"] for r in listed["results"]] == [request_id]
    detail = client.get(f"{BASE}{request_id}/").json()
    assert detail["Events"][0]["Verb"] == "submitted"
    bad = _post(client, BASE, _body(world, Justification=""))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "ValidationError"


def test_decisions_no_permission_limited_and_allowed(api, world):
    alices = _post(api(world.alice), BASE, _body(world)).json()["AccessRequestId"]
    bobs = _post(api(world.bob), BASE, _body(world)).json()["AccessRequestId"]
    client = api(world.nobody)
    denied = _post(client, f"{BASE}{alices}/approve/")
    assert denied.status_code == 403
    assert denied.json()["error"] == {
        "code": "AccessDenied",
        "message": "User: arn:aws:iam::111122223333:user/nobody is not authorized to perform: "
        "iam:PutUserPolicy on resource: arn:aws:iam::111122223333:user/alice because no "
        "identity-based policy allows the iam:PutUserPolicy action",
    }
    assert client.get(f"{BASE}{alices}/").status_code == 403
    client = api(world.lead)
    assert _post(client, f"{BASE}{bobs}/approve/").status_code == 403
    review = client.get(BASE, {"Scope": "review"}).json()
    assert [r["AccessRequestId"] for r in review["results"]] == [alices]
    approved = _post(client, f"{BASE}{alices}/approve/", {"DurationHours": 2})
    assert approved.status_code == 200, approved.content
    assert approved.json()["Status"] == "approved" and approved.json()["DurationHours"] == 2
    assert InlinePolicy.objects.filter(user=world.alice).count() == 2
    assert AuditEvent.objects.filter(
        principal_arn=world.lead.arn, action="iam:PutUserPolicy", decision="allowed"
    ).exists()


def test_self_approval_is_refused(api, world):
    request_id = _post(api(world.admin), BASE, _body(world)).json()["AccessRequestId"]
    response = _post(api(world.admin), f"{BASE}{request_id}/approve/")
    assert response.status_code == 403
    assert "your own access request" in response.json()["error"]["message"]


def test_deny_changes_cancel_extend_revoke(api, world):
    client = api(world.alice)
    ids = [_post(client, BASE, _body(world)).json()["AccessRequestId"] for _ in range(4)]
    admin = api(world.admin)
    missing = _post(admin, f"{BASE}{ids[0]}/deny/", {})
    assert missing.status_code == 400
    assert _post(admin, f"{BASE}{ids[0]}/deny/", {"Reason": "No."}).json()["Status"] == "denied"
    changes = _post(admin, f"{BASE}{ids[1]}/request-changes/", {"Reason": "Less."})
    assert changes.json()["Status"] == "changes_requested"
    assert _post(admin, f"{BASE}{ids[3]}/approve/").json()["Status"] == "approved"
    client = api(world.alice)
    assert _post(client, f"{BASE}{ids[2]}/cancel/").json()["Status"] == "cancelled"
    extend = _post(client, f"{BASE}{ids[3]}/extend/", {"Hours": 4, "Justification": "Late."})
    assert extend.json()["ExtensionHours"] == 4
    again = _post(client, f"{BASE}{ids[3]}/extend/", {"Hours": 4, "Justification": "Late."})
    assert again.status_code == 409 and again.json()["error"]["code"] == "InvalidRequestState"
    admin = api(world.admin)
    extended = _post(admin, f"{BASE}{ids[3]}/approve/").json()
    assert extended["ExtensionHours"] is None
    revoked = _post(admin, f"{BASE}{ids[3]}/revoke/", {"Reason": "Done."})
    assert revoked.json()["Status"] == "revoked"
    assert not AccessRequest.objects.filter(status="approved").exists()
    assert api(world.alice).get("/api/v1/notifications/").json()["count"] >= 4


def test_the_schema_describes_the_endpoints(client, world):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/access-requests/{request_id}/approve/" in schema
