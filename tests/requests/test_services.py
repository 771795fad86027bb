"""Access-request services: submit, decide (IAM decides who may), cancel, extend, revoke."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.errors import AccessDenied as RefusedAccess
from accounts.errors import ValidationError
from accounts.models import AuditEvent
from policies.authorization import AccessDenied
from policies.models import AccessRequestSettings, InlinePolicy, Notification
from policies.requests.eligibility import PrincipalAuthorizer, eligible_approvers
from policies.requests.rules import InvalidRequestState
from policies.services import requests as services
from tests.requests.conftest import ACTOR

pytestmark = pytest.mark.django_db


def _create(world, user=None, principal=None, **overrides):
    values = {
        "intent": "operate-brokers",
        "targets": [{"Arn": world.orders.arn}],
        "duration_hours": 8,
        "justification": "Reboot orders after CHG-1234.",
    }
    values.update(overrides)
    return services.access_request_create(
        actor=ACTOR, principal=principal or world.principal(user or world.alice), **values
    )


def _approve(world, req, approver, **kwargs):
    return services.access_request_approve(
        actor=ACTOR,
        approver=world.principal(approver),
        access_request=req,
        authz=world.authz(approver),
        **kwargs,
    )


def test_create_synthesizes_the_policy_and_audits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        req = _create(world)
    assert req.status == "pending"
    assert req.requester_principal_arn == world.alice.arn
    assert req.policy_name == f"AccessRequest-{req.request_id}"
    assert '"mq:RebootBroker"' in req.policy_document and world.orders.arn in req.policy_document
    assert req.events.get().verb == "submitted"
    event = AuditEvent.objects.get(action="console:CreateAccessRequest")
    assert event.principal_arn == ACTOR.arn and event.resource_arn == world.alice.arn
    assert event.request_parameters["AccessRequestId"] == req.request_id
    # The approvers IAM allows to grant it were told, in the app and by email.
    told = set(
        Notification.objects.filter(access_request=req).values_list("recipient_arn", flat=True)
    )
    assert told == {world.account.root_arn, world.admin.arn, world.carol.arn, world.lead.arn}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@acme.example",
        "carol@acme.example",
        "root@acme.example",
    ]
    assert req.request_id in mail.outbox[0].subject


def test_eligible_approvers_excludes_the_requester_and_those_iam_denies(world):
    req = _create(world, user=world.bob)
    arns = {arn for arn, _email in eligible_approvers(req)}
    assert world.lead.arn not in arns  # lead may grant only to team=payments users
    assert world.bob.arn not in arns and world.nobody.arn not in arns
    assert world.admin.arn in arns


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"justification": "  "}, "justification"),
        ({"duration_hours": 0}, "duration"),
        ({"duration_hours": 24 * 91}, "duration"),
        ({"duration_hours": None}, "duration"),
        ({"targets": []}, "targets"),
        ({"intent": "anything"}, "intent"),
        ({"intent": "custom", "actions": ["mq:Reboot*"]}, "actions"),
    ],
)
def test_create_refuses_what_breaks_the_rules(world, overrides, field):
    with pytest.raises(ValidationError) as error:
        _create(world, **overrides)
    assert field in error.value.fields


def test_permanent_needs_the_account_setting(world):
    AccessRequestSettings.objects.create(account=world.account, allow_permanent=True)
    req = _create(world, duration_hours=None)
    assert req.is_permanent and "aws:CurrentTime" not in req.policy_document


def test_root_needs_no_request(world):
    from accounts.principals import principal_for_root

    with pytest.raises(Exception, match="root user"):
        _create(world, principal=principal_for_root(world.root))


def test_approve_applies_the_inline_policy_audited_and_told(world):
    req = _create(world)
    before = timezone.now()
    done = _approve(world, req, world.admin)
    assert done.status == "approved"
    assert before + timedelta(hours=8) <= done.expires_at <= timezone.now() + timedelta(hours=8)
    inline = InlinePolicy.objects.get(user=world.alice, name=req.policy_name)
    assert inline.document == done.policy_document
    assert done.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ") in inline.document
    put = AuditEvent.objects.get(
        action="iam:PutUserPolicy", request_parameters__PolicyName=req.policy_name
    )
    assert put.principal_arn == ACTOR.arn
    assert AuditEvent.objects.filter(action="console:ApproveAccessRequest").count() == 1
    assert Notification.objects.filter(recipient_arn=world.alice.arn, text__contains="approved")


def test_approver_without_iam_permission_is_denied_and_the_denial_audited(world):
    req = _create(world)
    with pytest.raises(AccessDenied) as denied:
        _approve(world, req, world.nobody)
    assert "iam:PutUserPolicy on resource: arn:aws:iam::111122223333:user/alice" in str(
        denied.value.message
    )
    req.refresh_from_db()
    assert req.status == "pending" and not req.approvals.exists()
    row = AuditEvent.objects.get(action="iam:PutUserPolicy", decision="implicitDeny")
    assert row.principal_arn == world.nobody.arn


def test_limited_approver_may_grant_to_its_team_only(world):
    mine = _create(world)
    theirs = _create(world, user=world.bob)
    assert _approve(world, mine, world.lead).status == "approved"
    with pytest.raises(AccessDenied):
        _approve(world, theirs, world.lead)


def test_self_approval_is_refused_even_with_the_permission(world):
    from policies.services.attachments import inline_policy_put

    inline_policy_put(
        actor=ACTOR,
        identity=world.alice,
        name="admin",
        document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": "*"}],
        },
    )
    req = _create(world)
    with pytest.raises(RefusedAccess, match="your own"):
        _approve(world, req, world.alice)


def test_role_session_request_goes_to_the_role_and_its_assumer_cannot_approve(world, role_session):
    role, session = role_session
    req = _create(world, principal=session)
    assert req.requester_kind == "role" and req.role == role
    assert req.requester_principal_arn == role.arn and req.requester_source_arn == world.bob.arn
    from policies.services.attachments import inline_policy_put

    inline_policy_put(
        actor=ACTOR,
        identity=world.bob,
        name="put-role",
        document={
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "*"}],
        },
    )
    with pytest.raises(RefusedAccess):
        _approve(world, req, world.bob)  # bob assumed the role: it is his request
    with pytest.raises(AccessDenied):
        _approve(world, req, world.lead)  # lead has iam:PutUserPolicy, not PutRolePolicy
    _approve(world, req, world.admin)
    assert InlinePolicy.objects.filter(role=role, name=req.policy_name).exists()


def test_two_distinct_approvers_when_the_account_requires_it(world):
    AccessRequestSettings.objects.create(account=world.account, require_two_approvers=True)
    req = _create(world)
    first = _approve(world, req, world.admin)
    assert first.status == "pending" and first.approvals.count() == 1
    assert not InlinePolicy.objects.filter(user=world.alice, name=req.policy_name).exists()
    with pytest.raises(InvalidRequestState, match="different approver"):
        _approve(world, req, world.admin)
    second = _approve(world, req, world.carol)
    assert second.status == "approved"
    assert InlinePolicy.objects.filter(user=world.alice, name=req.policy_name).exists()


def test_approver_narrows_duration_and_targets(world):
    req = _create(world, targets=[{"Arn": world.orders.arn}, {"Arn": world.telemetry.arn}])
    with pytest.raises(ValidationError, match="shorten"):
        _approve(world, req, world.admin, duration_hours=24)
    with pytest.raises(ValidationError, match="not add"):
        _approve(world, req, world.admin, targets=[{"Arn": world.config.arn}])
    done = _approve(world, req, world.admin, duration_hours=1, targets=[{"Arn": world.orders.arn}])
    assert done.duration_hours == 1 and done.targets == [{"Arn": world.orders.arn}]
    assert world.telemetry.arn not in done.policy_document
    assert done.events.filter(verb="narrowed").exists()


def test_deny_and_request_changes_need_a_reason_and_tell_the_requester(world):
    req = _create(world)
    with pytest.raises(ValidationError):
        services.access_request_deny(
            actor=ACTOR, approver=world.principal(world.admin), access_request=req,
            authz=world.authz(world.admin), reason=" ",
        )  # fmt: skip
    changed = services.access_request_request_changes(
        actor=ACTOR, approver=world.principal(world.admin), access_request=req,
        authz=world.authz(world.admin), reason="Only orders, and 4 hours.",
    )  # fmt: skip
    assert changed.status == "changes_requested"
    again = services.access_request_resubmit(
        actor=ACTOR, principal=world.principal(world.alice), access_request=req,
        intent="operate-brokers", targets=[{"Arn": world.orders.arn}], duration_hours=4,
        justification="Only orders now.",
    )  # fmt: skip
    assert again.status == "pending" and again.round == 2 and again.duration_hours == 4
    denied = services.access_request_deny(
        actor=ACTOR, approver=world.principal(world.admin), access_request=again,
        authz=world.authz(world.admin), reason="Not this week.",
    )  # fmt: skip
    assert denied.status == "denied" and denied.decision_reason == "Not this week."
    texts = list(
        Notification.objects.filter(recipient_arn=world.alice.arn).values_list("text", flat=True)
    )
    assert any("needs changes" in t for t in texts) and any("denied" in t for t in texts)
    assert AuditEvent.objects.filter(action="console:DenyAccessRequest").count() == 1


def test_only_the_requester_cancels_and_only_open_requests(world):
    req = _create(world)
    with pytest.raises(RefusedAccess):
        services.access_request_cancel(
            actor=ACTOR, principal=world.principal(world.admin), access_request=req
        )
    done = services.access_request_cancel(
        actor=ACTOR, principal=world.principal(world.alice), access_request=req
    )
    assert done.status == "cancelled"
    with pytest.raises(InvalidRequestState):
        _approve(world, req, world.admin)


def test_extension_is_reviewed_and_rewrites_the_expiry(world):
    req = _approve(world, _create(world), world.admin)
    first_expiry = req.expires_at
    asked = services.access_request_extend(
        actor=ACTOR, principal=world.principal(world.alice), access_request=req, hours=4,
        justification="The migration runs late.",
    )  # fmt: skip
    assert asked.extension_pending and asked.awaiting_review
    done = _approve(world, asked, world.admin)
    assert done.expires_at == first_expiry + timedelta(hours=4)
    assert not done.extension_pending
    inline = InlinePolicy.objects.get(user=world.alice, name=req.policy_name)
    assert done.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ") in inline.document
    assert AuditEvent.objects.filter(action="console:ApproveAccessRequestExtension").exists()


def test_revoke_by_the_requester_or_by_iam_permission(world):
    req = _approve(world, _create(world), world.admin)
    with pytest.raises(AccessDenied):
        services.access_request_revoke(
            actor=ACTOR, principal=world.principal(world.nobody), access_request=req,
            authz=world.authz(world.nobody),
        )  # fmt: skip
    done = services.access_request_revoke(
        actor=ACTOR, principal=world.principal(world.alice), access_request=req,
        authz=PrincipalAuthorizer(world.principal(world.alice)),
    )  # fmt: skip
    assert done.status == "revoked" and done.revoked_at
    assert not InlinePolicy.objects.filter(user=world.alice, name=req.policy_name).exists()
    assert AuditEvent.objects.filter(action="iam:DeleteUserPolicy").exists()


def test_a_policy_too_large_for_the_users_quota_is_refused_at_submission(world):
    from accounts.errors import LimitExceeded
    from tests.factories import BrokerFactory

    many = [BrokerFactory(account=world.account, name=f"b{i:02d}") for i in range(30)]
    with pytest.raises(LimitExceeded):
        _create(world, targets=[{"Arn": b.arn} for b in many])


def test_root_may_approve_in_its_account(world):
    from accounts.principals import principal_for_root

    root = principal_for_root(world.root)
    req = _create(world)
    done = services.access_request_approve(
        actor=ACTOR, approver=root, access_request=req, authz=PrincipalAuthorizer(root)
    )
    assert done.status == "approved" and done.approvals.get().approver_arn == root.arn
