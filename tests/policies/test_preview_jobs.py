"""A blast radius over many principals is computed by the worker, with progress, and equals
the one computed during the request; only the principal who asked can read it."""

import json
import re
import time

import pytest

from accounts.actors import system_actor
from accounts.services import groups, users
from policies.effective.changes import resolve
from policies.effective.preview import blast_radius
from policies.effective.views import change_from_form
from policies.models import PolicyAttachment, PreviewJob
from policies.services import managed
from tests.factories import AccountFactory, BrokerFactory, RootUserFactory
from tests.policies.test_matrix_worker import broker_unreachable
from tests.support import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
ACTOR = system_actor()


@pytest.fixture
def world(client, settings):
    # Three affected principals are "many" here, so the worker takes the preview.
    settings.MQIAM = {**settings.MQIAM, "PREVIEW_SYNC_PRINCIPALS": 2}
    account = AccountFactory(account_id="111122223333", alias="acme")
    BrokerFactory(account=account, name="orders", tags={"team": "payments", "env": "production"})
    BrokerFactory(account=account, name="telemetry", tags={"team": "iot"})
    policy = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="RebootOwnTeam",
        document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "mq:RebootBroker",
                        "Resource": "*",
                        "Condition": {
                            "StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}
                        },
                    }
                ],
            }
        ),
    )
    operators = groups.group_create(actor=ACTOR, account=account, name="operators")
    for name in ("ana", "bo", "cy"):
        user = users.user_create(actor=ACTOR, account=account, name=name, tags={"team": "payments"})
        groups.group_member_add(actor=ACTOR, group=operators, user=user)
    RootUserFactory(account=account, email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    return {"account": account, "policy": policy, "operators": operators}


def _attach_form(world) -> dict:
    return {
        "change_type": "attach_policy",
        "identity_kind": "group",
        "identity_name": "operators",
        "policy_arn": world["policy"].arn,
    }


def test_a_large_preview_runs_on_the_worker_and_matches_the_synchronous_one(
    client, world, celery_worker
):
    form = _attach_form(world)
    page = client.post("/access/blast-radius", form).content.decode()
    assert "the worker computes its impact" in page and "<progress" in page
    url = re.search(r'hx-get="(/access/blast-radius/[0-9a-f-]{36})"', page).group(1)

    def finished() -> str | None:
        answer = client.get(url).content.decode()
        return None if "the worker computes its impact" in answer else answer

    page = wait_until(finished, 60, interval=0.2, message="the worker did not finish the preview")

    expected = blast_radius(
        world["account"], resolve(world["account"], ACTOR, change_from_form(form)).apply
    )
    assert len(expected.gained) == 3  # ana, bo and cy may reboot orders (team payments)
    assert f"+{len(expected.gained)} gained" in page and "across 3 principals" in page
    assert "New access to production brokers" in page
    assert "arn:aws:iam::111122223333:user/cy" in page
    # Previewing changed nothing, and the job is done once.
    assert not PolicyAttachment.objects.filter(group=world["operators"]).exists()
    job = PreviewJob.objects.get()
    assert job.status == PreviewJob.Status.DONE and job.result["gained"] == 3

    # Only the principal who asked may read it.
    PreviewJob.objects.filter(pk=job.pk).update(requested_by="arn:aws:iam::111122223333:user/x")
    assert client.get(url).status_code == 404


def test_with_redis_down_a_large_preview_says_so_instead_of_waiting_forever(client, world):
    from config.celery import app

    app.conf.task_always_eager = False  # a real publish, to no Redis
    try:
        with broker_unreachable(app):
            started = time.monotonic()
            response = client.post("/access/blast-radius", _attach_form(world))
            assert time.monotonic() - started < 5
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 200
    url = re.search(r'hx-get="(/access/blast-radius/[0-9a-f-]{36})"', response.content.decode())
    page = client.get(url.group(1)).content.decode()
    assert "The worker could not be reached to compute this preview" in page
    assert "hx-get" not in page  # the panel stops polling
    assert PreviewJob.objects.get().status == PreviewJob.Status.FAILED
