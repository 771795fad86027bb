"""The effective-permissions matrix: change capture, recompute, queries, previews, verify."""

import html
import json
import re

import pytest
from django.db import transaction

from accounts.actors import system_actor
from accounts.models import Account, IAMUser
from accounts.services import groups, users
from policies.effective import queries
from policies.effective.changes import resolve
from policies.effective.preview import blast_radius
from policies.effective.verify import verify_sample
from policies.models import EffectivePermission, PermissionChange
from policies.services import attachments, managed
from policies.tasks import matrix_recompute, matrix_sweep
from tests.factories import AccountFactory, BrokerFactory

pytestmark = pytest.mark.django_db
ACTOR = system_actor()
ACCT = "111122223333"


def _doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.fixture
def world():
    account = AccountFactory(account_id=ACCT, alias="acme")
    orders = BrokerFactory(
        account=account, name="orders", tags={"team": "payments", "env": "production"}
    )
    telemetry = BrokerFactory(account=account, name="telemetry", tags={"team": "iot"})
    olivia = users.user_create(
        actor=ACTOR, account=account, name="olivia", tags={"team": "payments"}
    )
    operators = managed.policy_create(
        actor=ACTOR,
        account=account,
        name="Operators",
        document=_doc(
            {
                "Sid": "OwnTeam",
                "Effect": "Allow",
                "Action": ["mq:RebootBroker", "mq:DescribeBroker"],
                "Resource": "arn:aws:mq:*:*:broker:*:*",
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}},
            }
        ),
    )
    attachments.policy_attach(actor=ACTOR, policy=operators, identity=olivia)
    matrix_recompute(account.pk)
    return {
        "account": account,
        "orders": orders,
        "telemetry": telemetry,
        "olivia": olivia,
        "operators": operators,
    }


def _cell(user, action, broker):
    position = queries.MatrixResource.objects.get(arn=broker.arn).position
    return queries.cell_value(queries.stored_row("user", user.pk, action), position)


def test_full_recompute_answers_what_can_and_who_can(world):
    olivia, orders, telemetry = world["olivia"], world["orders"], world["telemetry"]
    assert _cell(olivia, "mq:RebootBroker", orders) == "allowed"
    assert _cell(olivia, "mq:RebootBroker", telemetry) == "implicitDeny"
    assert _cell(olivia, "mq:DeleteBroker", orders) == "implicitDeny"
    who = queries.who_can(
        account_pk=world["account"].pk, action="mq:RebootBroker", resource_arn=orders.arn
    )
    assert [w["principal_arn"] for w in who] == [olivia.arn]
    assert who[0]["sources"][0]["sid"] == "OwnTeam"
    assert who[0]["sources"][0]["policy"] == world["operators"].arn
    info = queries.freshness(world["account"].pk)
    assert info.current and info.version >= 1


def test_conditions_on_unknown_keys_make_cells_conditional(world):
    account, olivia = world["account"], world["olivia"]
    attachments.inline_policy_put(
        actor=ACTOR,
        identity=olivia,
        name="mfa",
        document=_doc(
            {
                "Effect": "Allow",
                "Action": "mq:DeleteBroker",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ),
    )
    matrix_recompute(account.pk)
    assert _cell(olivia, "mq:DeleteBroker", world["orders"]) == "conditional"
    row = EffectivePermission.objects.get(principal_id=olivia.pk, action="mq:DeleteBroker")
    position = queries.MatrixResource.objects.get(arn=world["orders"].arn).position
    [source] = queries.cell_sources(row, position)
    assert source["conditions"] == [
        {"operator": "Bool", "key": "aws:MultiFactorAuthPresent", "values": ["true"]}
    ]


def test_change_capture_is_transactional(world):
    account, olivia = world["account"], world["olivia"]
    before = PermissionChange.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        users.user_tag(actor=ACTOR, user=olivia, tags={"team": "iot"})
        raise RuntimeError("roll back")
    assert PermissionChange.objects.count() == before
    users.user_tag(actor=ACTOR, user=olivia, tags={"team": "iot"})
    change = PermissionChange.objects.filter(account=account, processed_at=None).get()
    assert (change.scope, change.target, change.reason) == ("principal", olivia.arn, "iam:TagUser")


def test_commit_enqueues_a_recompute(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        users.user_tag(actor=ACTOR, user=world["olivia"], tags={"team": "iot"})
    assert len(callbacks) == 1
    # Eager in tests: the recompute ran at commit; olivia now operates the iot broker.
    assert _cell(world["olivia"], "mq:RebootBroker", world["telemetry"]) == "allowed"
    assert _cell(world["olivia"], "mq:RebootBroker", world["orders"]) == "implicitDeny"
    assert queries.freshness(world["account"].pk).current


def test_only_affected_principals_are_recomputed(world):
    account = world["account"]
    bob = users.user_create(actor=ACTOR, account=account, name="bob")
    matrix_recompute(account.pk)
    olivia_stamp = (
        EffectivePermission.objects.filter(principal_id=world["olivia"].pk).first().computed_at
    )
    group = groups.group_create(actor=ACTOR, account=account, name="ops")
    attachments.policy_attach(actor=ACTOR, policy=world["operators"], identity=group)
    groups.group_member_add(actor=ACTOR, group=group, user=bob)
    result = matrix_recompute(account.pk)
    assert result["principals"] == 1
    assert (
        EffectivePermission.objects.filter(principal_id=world["olivia"].pk).first().computed_at
        == olivia_stamp
    )


def test_recompute_is_idempotent(world):
    account = world["account"]
    snapshot = lambda: sorted(  # noqa: E731
        (r.principal_arn, r.action, bytes(r.allowed), bytes(r.conditional))
        for r in EffectivePermission.objects.filter(account=account)
    )
    first = snapshot()
    from policies.effective.outbox import record

    record(account, "account", "", "again")
    matrix_recompute(account.pk)
    matrix_recompute(account.pk)
    assert snapshot() == first


def test_policy_version_change_recomputes_attached_principals(world):
    managed.policy_version_create(
        actor=ACTOR,
        policy=world["operators"],
        set_as_default=True,
        document=_doc({"Effect": "Allow", "Action": "mq:*", "Resource": "*"}),
    )
    matrix_recompute(world["account"].pk)
    assert _cell(world["olivia"], "mq:DeleteBroker", world["telemetry"]) == "allowed"


def test_new_broker_gets_a_column_and_deleted_users_lose_rows(world):
    account = world["account"]
    new = BrokerFactory(account=account, name="new-payments", tags={"team": "payments"})
    # No audited service created it: the sweep's reconciliation notices the new column.
    assert account.pk in matrix_sweep()["accounts"]
    assert _cell(world["olivia"], "mq:RebootBroker", new) == "allowed"
    olivia = world["olivia"]
    attachments.policy_detach(actor=ACTOR, policy=world["operators"], identity=olivia)
    users.user_delete(actor=ACTOR, user=olivia)
    matrix_recompute(account.pk)
    assert not EffectivePermission.objects.filter(
        principal_id=olivia.pk, principal_kind="user"
    ).exists()


def test_sweep_recovers_changes_whose_task_was_lost(world, settings):
    account = world["account"]
    users.user_tag(actor=ACTOR, user=world["olivia"], tags={"team": "iot"})
    PermissionChange.objects.filter(processed_at=None).update(
        created_at=PermissionChange.objects.first().created_at.replace(year=2020)
    )
    assert matrix_sweep()["accounts"] == [account.pk]
    assert queries.freshness(account.pk).current
    assert _cell(world["olivia"], "mq:RebootBroker", world["telemetry"]) == "allowed"


def test_sweep_computes_accounts_never_computed():
    account = AccountFactory()
    IAMUser.objects.create(account=account, name="x", unique_id="AIDAXXXXXXXXXXXXXXXXX")
    assert account.pk in matrix_sweep()["accounts"]
    assert queries.freshness(account.pk).current


def test_stored_cells_equal_the_engine(world):
    checked, mismatches = verify_sample(world["account"], samples=200, seed=3)
    assert checked > 20 and mismatches == []


def test_blast_radius_equals_the_saved_diff(world):
    account = world["account"]
    change = {
        "type": "policy_version",
        "policy_arn": world["operators"].arn,
        "document": json.dumps(
            _doc({"Effect": "Allow", "Action": "mq:DeleteBroker", "Resource": "*"})
        ),
    }
    resolved = resolve(account, ACTOR, change)
    assert resolved.action == "iam:CreatePolicyVersion"
    radius = blast_radius(account, resolved.apply)
    assert world["operators"].versions.count() == 1  # the preview was rolled back
    gained = {(c.action, c.resource_name) for c in radius.gained}
    lost = {(c.action, c.resource_name) for c in radius.lost}
    assert ("mq:DeleteBroker", "telemetry") in gained
    assert ("mq:RebootBroker", "orders") in lost
    assert [c.resource_name for c in radius.production_gains] == ["orders"]

    def olivias_cells():
        matrix = queries.what_can(
            principal_kind="user", principal_id=world["olivia"].pk, account_pk=account.pk
        )
        return {
            (row["action"].name, cell["resource"].position): cell["value"]
            for row in matrix.rows
            for cell in row["cells"]
            if cell["value"]
        }

    before = olivias_cells()
    resolve(account, ACTOR, change).apply()
    matrix_recompute(account.pk)
    after = olivias_cells()
    positions = {r.arn: r.position for r in queries.MatrixResource.objects.all()}
    saved = {
        (a, p, before[(a, p)], after[(a, p)]) for (a, p) in after if before[(a, p)] != after[(a, p)]
    }
    previewed = {(c.action, positions[c.resource_arn], c.before, c.after) for c in radius.changes}
    assert saved == previewed


def test_who_can_excludes_other_accounts(world):
    other = AccountFactory()
    assert (
        queries.who_can(
            account_pk=other.pk, action="mq:RebootBroker", resource_arn=world["orders"].arn
        )
        == []
    )


def test_accounts_stay_apart_in_rows(world):
    assert set(EffectivePermission.objects.values_list("account_id", flat=True)) == {
        world["account"].pk
    }
    assert Account.objects.count() == 1


def test_blast_radius_panel_for_a_form_change(client, world):
    from tests.factories import RootUserFactory

    RootUserFactory(account=world["account"], email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    response = client.post(
        "/access/blast-radius",
        {
            "change_type": "policy_version",
            "policy_arn": world["operators"].arn,
            "document": json.dumps(
                _doc({"Effect": "Allow", "Action": "mq:DeleteBroker", "Resource": "*"})
            ),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "gained" in page and "New access to production brokers" in page
    assert world["operators"].versions.count() == 1
    denied = client.post(
        "/access/blast-radius",
        {
            "change_type": "attach_policy",
            "policy_arn": "arn:aws:iam::1:policy/x",
            "target": "user:nobody",
        },
    )
    assert (
        "cannot be found" in denied.content.decode() or "not attachable" in denied.content.decode()
    )


def test_matrix_pages_render_for_an_allowed_principal(client, world):
    from tests.factories import RootUserFactory

    RootUserFactory(account=world["account"], email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    page = client.get("/access/user/olivia")
    assert page.status_code == 200 and b"What can olivia do?" in page.content
    cell = client.get(
        "/access/user/olivia/cell", {"action": "mq:RebootBroker", "resource": world["orders"].arn}
    )
    assert b"OwnTeam" in cell.content
    # The cell links to the simulator, which opens with principal, action and resource chosen.
    link = re.search(r'href="(/simulator\?[^"]+)"', cell.content.decode())
    simulator = client.get(html.unescape(link.group(1))).content.decode()
    for value in ("user:olivia", "mq:RebootBroker", world["orders"].arn):
        assert re.search(rf'<option value="{re.escape(value)}"[^>]*selected', simulator), value
    who = client.get(
        "/access/who-can", {"action": "mq:RebootBroker", "resource": world["orders"].arn}
    )
    assert b"arn:aws:iam::111122223333:user/olivia" in who.content
    graph = client.get("/access/graph.json", {"resource": world["orders"].arn}).json()
    assert {n["type"] for n in graph["nodes"]} >= {"resource", "policy", "user"}
    # A principal's graph reaches the brokers it may act on, and only those.
    mine = client.get("/access/graph.json", {"principal": "user:olivia"}).json()
    labels = {n["label"] for n in mine["nodes"]}
    assert {"olivia", "Operators", "orders"} <= labels and "telemetry" not in labels
    assert any("OwnTeam: mq:RebootBroker" in e["label"] for e in mine["edges"])
    assert b'data-graph-url="/access/graph.json?principal=user%3Aolivia"' in page.content
    csv_text = client.get("/access/user/olivia", {"format": "csv"}).content.decode()
    assert "mq:RebootBroker," + world["orders"].arn + ",allowed" in csv_text


def test_matrix_api(client, world):
    from tests.factories import RootUserFactory

    RootUserFactory(account=world["account"], email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    body = client.get("/api/v1/effective-permissions/user/olivia/").json()
    reboot = next(a for a in body["actions"] if a["action"] == "mq:RebootBroker")
    assert reboot["resources"][world["orders"].arn] == "allowed"
    who = client.get(
        "/api/v1/who-can/", {"action": "mq:RebootBroker", "resource": world["orders"].arn}
    ).json()
    assert [p["principal_arn"] for p in who["principals"]] == [world["olivia"].arn]
    preview = client.post(
        "/api/v1/preview/",
        {"change": {"type": "tag_user", "name": "olivia", "tags": {"team": "iot"}}},
        content_type="application/json",
    ).json()
    assert preview["gained"] >= 1 and preview["lost"] >= 1
    assert client.get("/api/v1/matrix/freshness/").json()["current"] is True


def test_broker_page_card_lists_who_can_act(client, world):
    from tests.factories import RootUserFactory

    RootUserFactory(account=world["account"], email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    card = client.get("/access/resource", {"resource": world["orders"].arn}).content.decode()
    assert "mq:RebootBroker" in card and ">olivia<" in card


def test_blast_radius_of_adding_a_member_from_the_group_page(client, world):
    from accounts.services.groups import group_create
    from tests.factories import RootUserFactory

    group = group_create(actor=ACTOR, account=world["account"], name="admins")
    attachments.policy_attach(
        actor=ACTOR,
        identity=group,
        policy=managed.policy_create(
            actor=ACTOR,
            account=world["account"],
            name="All",
            document=_doc({"Effect": "Allow", "Action": "mq:*", "Resource": "*"}),
        ),
    )
    users.user_create(actor=ACTOR, account=world["account"], name="bob")
    RootUserFactory(account=world["account"], email="root@acme.example")
    client.post(
        "/signin", {"as": "root", "email": "root@acme.example", "password": "Root-Passw0rd"}
    )
    page = client.post(
        "/access/blast-radius", {"change_type": "add_member", "group": "admins", "user_name": "bob"}
    )
    text = page.content.decode()
    assert "arn:aws:iam::111122223333:user/bob" in text and "lost" in text
    assert not group.memberships.exists()


def test_a_principal_deleted_between_the_two_reads_is_left_out(world):
    from policies.effective.compute import compute_principals, subjects_for
    from policies.models import MatrixResource
    from policies.services.matrix import matrix_recompute_chunk

    account, olivia = world["account"], world["olivia"]
    bob = users.user_create(actor=ACTOR, account=account, name="bob", tags={"team": "payments"})
    resources = list(MatrixResource.objects.filter(account=account, deleted_at__isnull=True))
    # The worker's first read (the subjects), then bob is deleted, then the second read (their
    # policies): before the fix this was KeyError(("user", bob.pk)) and the chunk rolled back.
    subjects = subjects_for(account, user_ids=[olivia.pk, bob.pk])
    assert {(s.kind, s.pk) for s in subjects} == {("user", olivia.pk), ("user", bob.pk)}
    users.user_delete(actor=ACTOR, user=bob)
    principals = compute_principals(account, subjects, resources)
    assert [(p.subject.kind, p.subject.pk) for p in principals] == [("user", olivia.pk)]
    alone = compute_principals(account, subjects_for(account, user_ids=[olivia.pk]), resources)
    assert principals[0].rows == alone[0].rows
    # The chunk finishes without the vanished principal, and keeps none of its rows.
    assert matrix_recompute_chunk(account=account, keys=[("user", olivia.pk), ("user", bob.pk)])
    assert not EffectivePermission.objects.filter(principal_kind="user", principal_id=bob.pk)
    assert _cell(olivia, "mq:RebootBroker", world["orders"]) == "allowed"
