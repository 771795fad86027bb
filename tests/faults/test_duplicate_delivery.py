"""Duplicate delivery of any task has no double effect: every registered task, run twice.

Celery delivers at least once (acks_late, redelivery after a lost worker), so a task may run
twice with the same arguments. For every task the app registers, a scenario gives it real
work; the database (every row of the console's apps, volatile times aside) and the emails
sent must be the same after the second run as after the first. A task registered without a
scenario fails the test, so a new task cannot skip this check.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.utils import timezone

from accounts.actors import system_actor
from accounts.models import AuditEvent
from accounts.principals import principal_for_user
from accounts.services import users
from policies.services import attachments
from tests.factories import AccountFactory, BrokerFactory, RootUserFactory

pytestmark = pytest.mark.django_db
ACTOR = system_actor()
APPS = ("accounts", "policies", "brokers")


def snapshot() -> dict:
    """Every row of the console's models, times and ids left out (a rerun may touch them)."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        # Ids left out too: a task may replace rows with equal ones (the matrix does).
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if not isinstance(f, models.DateTimeField | models.DateField | models.AutoField)
        ]
        rows = model.objects.values_list(*fields)
        state[model._meta.label] = sorted(json.dumps(r, default=str) for r in rows)
    return state


def _account():
    account = AccountFactory(account_id="111122223333", alias="acme")
    RootUserFactory(account=account)
    alice = users.user_create(
        actor=ACTOR,
        account=account,
        name="alice",
        tags={"email": "alice@acme.example", "team": "payments"},
    )
    admin = users.user_create(
        actor=ACTOR, account=account, name="admin", tags={"email": "admin@acme.example"}
    )
    attachments.inline_policy_put(
        actor=ACTOR,
        identity=admin,
        name="all",
        document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    broker = BrokerFactory(account=account, name="orders", tags={"team": "payments"})
    return account, alice, broker


def s_audit_retention_sweep():
    _account()
    AuditEvent.objects.update(time=timezone.now() - timedelta(days=4000))
    return (), {}


def s_credential_report_build():
    from accounts.services.credential_report import credential_report_generate

    account, _, _ = _account()
    credential_report_generate(actor=ACTOR, account=account)
    from accounts.models import CredentialReport

    return (CredentialReport.objects.latest("pk").pk,), {}


def _plan():
    from policies.services import matrix

    account, _, _ = _account()
    plan = matrix.matrix_plan(account=account)
    assert plan is not None and plan.keys
    return account, plan


def s_matrix_recompute():
    account, _, _ = _account()
    return (account.pk,), {}


def s_matrix_recompute_chunk():
    account, plan = _plan()
    return (account.pk, [list(k) for k in plan.keys], plan.job_id), {}


def s_matrix_finish():
    from policies.services import matrix

    account, plan = _plan()
    matrix.matrix_recompute_chunk(account=account, keys=plan.keys, job_id=plan.job_id)
    return (account.pk, list(plan.change_ids), plan.job_id, plan.full), {}


def s_matrix_sweep():
    from policies.models import PermissionChange

    _account()
    PermissionChange.objects.update(created_at=timezone.now() - timedelta(hours=1))
    return (), {}


def s_matrix_preview():
    from policies.effective.preview import preview_job_start

    account, alice, _ = _account()
    change = {
        "type": "put_inline",
        "identity": {"kind": "user", "name": alice.name},
        "name": "reboot",
        "document": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "mq:RebootBroker", "Resource": "*"}],
            }
        ),
    }
    job = preview_job_start(account=account, requested_by=alice.arn, change=change, principals=1)
    return (str(job.pk),), {}


def _transitioning_broker():
    from brokers.models import Broker

    _, _, broker = _account()
    Broker.objects.filter(pk=broker.pk).update(
        state="REBOOT_IN_PROGRESS",
        transition_token="tok-1",
        transition_due_at=timezone.now() - timedelta(minutes=1),
    )
    return broker


def s_broker_transition_task():
    broker = _transitioning_broker()
    return (), {"broker_pk": broker.pk, "token": "tok-1"}


def s_broker_transition_sweep():
    _transitioning_broker()
    return (), {}


def _access_request():
    from policies.services import requests as access_requests

    _, alice, broker = _account()
    return access_requests.access_request_create(
        actor=ACTOR,
        principal=principal_for_user(alice),
        intent="operate-brokers",
        targets=[{"Arn": broker.arn}],
        duration_hours=8,
        justification="CHG-1 reboot orders",
    )


def s_access_request_notify_approvers():
    return (_access_request().pk,), {}


def s_access_request_send_emails():
    from policies.requests import expiry

    req = _access_request()
    expiry.notify_approvers(pk=req.pk)
    from policies.models import Notification

    ids = list(Notification.objects.exclude(email="").values_list("pk", flat=True))
    assert ids, "the scenario must leave emails to send"
    return (ids,), {}


def s_access_request_expire():
    from policies.models import AccessRequest

    req = _access_request()
    AccessRequest.objects.filter(pk=req.pk).update(
        status="approved", expires_at=timezone.now() - timedelta(minutes=1)
    )
    return (req.pk,), {}


def s_access_request_sweep():
    from policies.models import AccessRequest

    req = _access_request()
    AccessRequest.objects.filter(pk=req.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    return (), {}


SCENARIOS = {
    "accounts.tasks.audit_retention_sweep": s_audit_retention_sweep,
    "accounts.tasks.credential_report_build": s_credential_report_build,
    "policies.tasks.matrix_recompute": s_matrix_recompute,
    "policies.tasks.matrix_recompute_chunk": s_matrix_recompute_chunk,
    "policies.tasks.matrix_finish": s_matrix_finish,
    "policies.tasks.matrix_sweep": s_matrix_sweep,
    "policies.tasks.matrix_preview": s_matrix_preview,
    "brokers.tasks.broker_transition_task": s_broker_transition_task,
    "brokers.tasks.broker_transition_sweep": s_broker_transition_sweep,
    "policies.tasks.access_request_expire": s_access_request_expire,
    "policies.tasks.access_request_notify_approvers": s_access_request_notify_approvers,
    "policies.tasks.access_request_send_emails": s_access_request_send_emails,
    "policies.tasks.access_request_sweep": s_access_request_sweep,
}


def registered_tasks() -> list[str]:
    from config.celery import app

    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_every_registered_task_has_a_duplicate_delivery_scenario():
    missing = set(registered_tasks()) - set(SCENARIOS)
    assert not missing, f"add a scenario to SCENARIOS for: {sorted(missing)}"


# Found by this test and left to the matrix's owner (docs/security.md, "Open findings").
KNOWN_DOUBLE_EFFECTS: dict[str, str] = {}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DOUBLE_EFFECTS[n]))
        if n in KNOWN_DOUBLE_EFFECTS
        else n
        for n in sorted(SCENARIOS)
    ],
)
def test_a_task_delivered_twice_has_no_double_effect(name, settings, aws_managed):
    from config.celery import app

    settings.MQIAM = {**settings.MQIAM, "BROKER_TRANSITION_DELAY_S": 0}
    assert name in registered_tasks(), f"{name} is no longer registered: drop its scenario"
    args, kwargs = SCENARIOS[name]()
    task = app.tasks[name]
    task.apply(args=args, kwargs=kwargs, throw=True)
    first, first_mail = snapshot(), len(mail.outbox)
    task.apply(args=args, kwargs=kwargs, throw=True)
    second, second_mail = snapshot(), len(mail.outbox)
    changed = {
        label: (
            sorted(set(first[label]) - set(second[label]))[:3],
            sorted(set(second[label]) - set(first[label]))[:3],
        )
        for label in first
        if first[label] != second[label]
    }
    assert not changed, f"{name} did it again: {changed}"
    assert second_mail == first_mail, f"{name} sent its emails again"


@pytest.fixture
def aws_managed():
    from policies.aws_managed import sync_aws_managed_policies
    from policies.models import ManagedPolicy, PolicyVersion

    sync_aws_managed_policies(ManagedPolicy, PolicyVersion)
