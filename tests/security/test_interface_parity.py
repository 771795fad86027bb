"""Interface parity: every interface gives the same decision for the same principal/action/resource.

The operations come from the console's own registries (URL configuration, OpenAPI schema,
query-API ``OPERATIONS``, Amazon MQ operation table), so a new operation is covered without
editing this file. Every operation is requested once by each principal kind: a control
(``*`` on ``*``) and principals denied through (a) a resource-tag condition, (b) a
permissions boundary, (c) an explicit deny, (d) an MFA condition, and (e) a condition on the
resource-side key ``iam:PermissionsBoundary``. A spy on the real seam records every
decision. Then, for each principal:

* the same (action, resource) gets the same decision on every interface;
* a response is a denial (403 in the interface's own shape) exactly when the operation's
  primary action was denied;
* the simulator, given the resource's true tags and boundary, decides the same;
* the effective-permissions matrix stores the same decision for its actions.

See docs/architecture.md, "The parity test".
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest
from django.db import transaction

from tests.security.parity_checks import (
    DecisionSpy,
    Observation,
    interface_mismatches,
    matrix_mismatches,
    response_mismatches,
    run,
    simulator_mismatches,
    table,
)
from tests.security.parity_registry import (
    all_operations,
    mq_routes_cover_the_operation_table,
)
from tests.security.parity_world import KINDS, build_world

# The module's fixture builds its own world in one transaction; the mark tells pytest-django
# to create the test database for this module.
pytestmark = pytest.mark.django_db

# Registry entries the test does not send, each with the reason: those it cannot build from
# the world, and those that would end the caller's own session. The test fails when an
# unbuildable entry is missing here (a new operation nobody taught it) or an entry is stale.
SESSION = "changes the caller's own console session (sign-in flow), not an IAM operation"
NOT_SENT: dict[str, str] = {
    "console POST /signin": SESSION,
    "console GET /signin": SESSION,
    "console GET /signin/mfa": SESSION,
    "console POST /signin/mfa": SESSION,
    "console POST /signout": SESSION,
    "console GET /switch-role": SESSION,
    "console POST /switch-role": SESSION,
    "console POST /switch-role/back": SESSION,
    "console POST /password/change": SESSION,
    "console GET /access/blast-radius/<uuid:job_id>": (
        "a preview job exists only as its requester's own (no IAM action names it)"
    ),
    "console POST /notifications/<int:pk>/open": (
        "a notification exists only as its recipient's own (no IAM action names it)"
    ),
}

# Entries whose documented rule that is not IAM may refuse (403) without a seam decision.
REQUESTER_ONLY = "requester-only step of an access request (docs/access-requests.md)"
NOT_IAM: dict[str, str] = {
    "console POST /requests/settings": "root-only account rules (docs/access-requests.md)",
    "rest POST /api/v1/access-requests/<str:request_id>/cancel/": REQUESTER_ONLY,
    "rest POST /api/v1/access-requests/<str:request_id>/extend/": REQUESTER_ONLY,
}

# Built entries that make no authorization decision for the control principal, with why.
# Any other entry must reach the seam: an operation that authorizes nothing is a gap.
BLANK_FORM = "a blank create form: the action is authorized when the form is submitted"
OWN = "the caller's own objects, narrowed to them (no IAM action names them)"
PUBLIC = "public: no principal, no IAM action"
ASKING = "asking for access needs no permission (docs/access-requests.md)"
NO_PERMISSION = "AWS requires no permission for it (STS: GetCallerIdentity, GetSessionToken)"
NO_DECISION: dict[str, str] = {
    "console GET /brokers/create/<str:step>": BLANK_FORM,
    "console GET /configurations/create": BLANK_FORM,
    "console GET /groups/create": BLANK_FORM,
    "console GET /roles/create": BLANK_FORM,
    "console GET /users/create": BLANK_FORM,
    "console GET /requests/new": BLANK_FORM,
    "console GET /simulator": BLANK_FORM,
    "console POST /brokers/create/<str:step>": (
        "a wizard step kept in the session; the broker is created (and authorized) at the end"
    ),
    "console GET /password/change": "the caller's own password form (sent: NOT_SENT)",
    "console POST /security-credentials/mfa": (
        "confirms the seed its GET (which authorizes iam:CreateVirtualMFADevice) put in the "
        "session; without it, nothing happens"
    ),
    "console GET /security-credentials/mfa": (
        "the enrolment's start page: the device is created (and authorized) by its POST"
    ),
    "console POST /users/<str:name>/mfa/assign": (
        "confirms the seed its GET (which authorizes iam:CreateVirtualMFADevice) put in the "
        "session; without it, nothing happens"
    ),
    "console GET /healthz": PUBLIC,
    "rest GET /api/docs/": PUBLIC,
    "rest GET /api/redoc/": PUBLIC,
    "rest GET /api/schema/": PUBLIC,
    "rest GET /api/v1/": PUBLIC,
    "console GET /access/freshness": "the matrix's freshness: no permission shown",
    "rest GET /api/v1/matrix/freshness/": "the matrix's freshness: no permission shown",
    "console GET /account/credential-report": (
        "the report's status; generating (POST) and downloading (?download) authorize"
    ),
    "console GET /notifications": OWN,
    "console POST /notifications": OWN,
    "rest GET /api/v1/notifications/": OWN,
    "rest POST /api/v1/notifications/": OWN,
    "console GET /requests": OWN,
    "console GET /requests/review": OWN,
    "rest GET /api/v1/access-requests/": OWN,
    "console GET /requests/settings": "the account's access-request rules (root changes them)",
    "console POST /requests/settings": "root-only account rules (docs/access-requests.md)",
    "console GET /requests/<str:request_id>/edit": REQUESTER_ONLY,
    "console POST /requests/<str:request_id>/edit": REQUESTER_ONLY,
    "console POST /requests/<str:request_id>/cancel": REQUESTER_ONLY,
    "console POST /requests/<str:request_id>/extend": REQUESTER_ONLY,
    "rest POST /api/v1/access-requests/<str:request_id>/cancel/": REQUESTER_ONLY,
    "rest POST /api/v1/access-requests/<str:request_id>/extend/": REQUESTER_ONLY,
    "console POST /requests/new": ASKING,
    "console POST /requests/preview": ASKING,
    "rest POST /api/v1/access-requests/": ASKING,
    "rest POST /api/v1/access-requests/preview/": ASKING,
    "console POST /roles/trust-preview": "renders a trust policy being written (no IAM action)",
    "query sts:GetCallerIdentity": NO_PERMISSION,
    "query sts:GetSessionToken": NO_PERMISSION,
    "rest GET /api/v1/caller-identity/": NO_PERMISSION,
    "rest DELETE /api/v1/policies/<str:policy_id>/tags/": (
        "its TagKeys body is not in the OpenAPI schema (drf-spectacular drops DELETE bodies)"
    ),
    "query iam:GetServiceLinkedRoleDeletionStatus": (
        "looks the deletion task up first: the world has none, so NoSuchEntity"
    ),
}


@dataclass
class Parity:
    observations: list[Observation]
    unbuilt: dict[str, str]
    entries: set[str]
    interface: list
    responses: list
    simulator: list
    matrix: list
    unmatched_mq_routes: list[str]
    seconds: float
    simulated: int = 0  # distinct requests asked of the simulator
    matrix_compared: int = 0  # decisions compared with a definite matrix cell


@pytest.fixture(scope="module")
def parity(django_db_setup, django_db_blocker):
    """The world, every operation as every principal, and the checks' findings (rolled back)."""
    from policies.tasks import matrix_recompute

    started = time.monotonic()
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as monkeypatch,
        transaction.atomic(),
    ):
        world = build_world()
        matrix_recompute(world.account.pk)
        operations, unbuilt = all_operations(world)
        registry = {o.entry for o in operations} | set(unbuilt)
        operations = [o for o in operations if o.entry not in NOT_SENT]
        spy = DecisionSpy()
        spy.install(monkeypatch)
        observations = run(world, operations, spy)
        simulated, simulated_count = simulator_mismatches(observations, world)
        in_matrix, matrix_count = matrix_mismatches(observations, world)
        result = Parity(
            observations=observations,
            unbuilt=unbuilt,
            entries=registry,
            interface=interface_mismatches(observations),
            responses=response_mismatches(observations, NOT_IAM),
            simulator=simulated,
            matrix=in_matrix,
            unmatched_mq_routes=mq_routes_cover_the_operation_table(),
            seconds=time.monotonic() - started,
            simulated=simulated_count,
            matrix_compared=matrix_count,
        )
        transaction.set_rollback(True)
    print(
        f"\nparity: {len(result.entries)} registry entries, {len(observations)} requests, "
        f"{sum(len(o.decisions) for o in observations)} decisions ({simulated_count} distinct "
        f"asked of the simulator, {matrix_count} compared with matrix cells) in "
        f"{result.seconds:.1f} s"
    )
    return result


def test_every_registry_entry_is_built_or_acknowledged(parity):
    new = {e: why for e, why in parity.unbuilt.items() if e not in NOT_SENT}
    stale = sorted(
        e
        for e, why in NOT_SENT.items()
        if e not in parity.entries or (why not in (SESSION,) and e not in parity.unbuilt)
    )
    assert not new, (
        "entries the test cannot build (teach parity_world or list them):\n"
        + "\n".join(f"  {e}: {why}" for e, why in sorted(new.items()))
    )
    assert not stale, f"listed in NOT_SENT but gone or now buildable (remove them): {stale}"
    assert not parity.unmatched_mq_routes, parity.unmatched_mq_routes


def test_every_built_operation_reaches_the_seam(parity):
    reached = {
        o.operation.entry for o in parity.observations if o.kind == "control" and o.decisions
    }
    built = {o.operation.entry for o in parity.observations}
    answers = {
        o.operation.entry: f"{o.operation.label} -> {o.status} {o.detail}"
        for o in parity.observations
        if o.kind == "control"
    }
    silent = [answers[e] for e in sorted(built - reached - set(NO_DECISION))]
    stale = sorted(e for e in NO_DECISION if e in reached or e not in built)
    assert not silent, "operations that decided nothing for the control principal:\n" + "\n".join(
        silent
    )
    assert not stale, f"listed in NO_DECISION but they decide (or are gone): {stale}"


def test_each_principal_kind_is_denied_the_way_it_should(parity):
    """The world works: the control is never denied, every other kind is, in its own way."""
    decisions = {kind: set() for kind in KINDS}
    for observation in parity.observations:
        decisions[observation.kind] |= {d.decision for d in observation.decisions}
    control_denials = [
        (observation.operation.entry, d.action, d.resource, d.decision)
        for observation in parity.observations
        if observation.kind == "control"
        for d in observation.decisions
        if d.decision != "allowed"
    ]
    assert not control_denials, control_denials
    for kind in ("tag", "explicit", "pbkey"):
        assert "explicitDeny" in decisions[kind], kind
    for kind in ("boundary", "mfa"):
        assert "implicitDeny" in decisions[kind], kind


def test_the_same_triple_gets_the_same_decision_on_every_interface(parity):
    rows = [decision.row() for group in parity.interface for decision in group]
    assert not rows, (
        f"{len(parity.interface)} (principal, action, resource) triples decided differently:\n"
        + table(rows)
    )


def test_a_denial_answers_exactly_when_the_primary_action_is_denied(parity):
    assert not parity.responses, (
        f"{len(parity.responses)} responses disagree with the decision:\n" + table(parity.responses)
    )


def test_the_simulator_agrees_with_every_interface(parity):
    assert parity.simulated > 0
    assert not parity.simulator, (
        f"{len(parity.simulator)} decisions differ from the simulator's with the resource's "
        "true tags and boundary:\n" + table(parity.simulator)
    )


def test_the_matrix_agrees_with_every_interface(parity):
    assert parity.matrix_compared > 0
    assert not parity.matrix, (
        f"{len(parity.matrix)} decisions differ from the stored matrix:\n" + table(parity.matrix)
    )
