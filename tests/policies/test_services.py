"""Managed policies, versions, attachments, inline policies and boundaries (real PostgreSQL)."""

import json

import pytest

from accounts.actors import system_actor
from accounts.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    UnmodifiableEntity,
    ValidationError,
)
from accounts.models import AuditEvent
from policies.models import ManagedPolicy, PolicyAttachment
from policies.services import attachments, managed
from tests.factories import (
    ALLOW_MQ_READ,
    AccountFactory,
    GroupFactory,
    IAMUserFactory,
    ManagedPolicyFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db
ACTOR = system_actor("111122223333")


def _doc(action="mq:DescribeBroker"):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}],
    }


def test_policy_create_has_default_v1_and_anpa_id():
    account = AccountFactory(account_id="111122223333")
    policy = managed.policy_create(
        actor=ACTOR, account=account, name="Ops", path="/team/", document=_doc()
    )
    assert policy.unique_id.startswith("ANPA") and len(policy.unique_id) == 21
    assert policy.arn == "arn:aws:iam::111122223333:policy/team/Ops"
    assert policy.default_version.version_id == "v1"
    with pytest.raises(EntityAlreadyExists):
        managed.policy_create(actor=ACTOR, account=account, name="ops", document=_doc())


def test_policy_text_is_kept_as_written():
    text = (
        '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", '
        '"Action": "mq:List*", "Resource": "*"}\n}'
    )
    policy = managed.policy_create(actor=ACTOR, account=AccountFactory(), name="P", document=text)
    assert policy.default_version.document == text


@pytest.mark.parametrize(
    "document",
    [
        "{not json",
        "[]",
        {"Statement": [{"Effect": "Maybe", "Action": "mq:*", "Resource": "*"}]},
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "mq:*", "Resource": "*"}],
        },
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "mq:*",
                    "Resource": "*",
                    "Condition": {"StringLike": {"aws:username": {"a": 1}}},
                }
            ],
        },
    ],
)
def test_malformed_documents_are_refused(document):
    with pytest.raises(MalformedPolicyDocument):
        managed.policy_create(actor=ACTOR, account=AccountFactory(), name="Bad", document=document)
    assert not ManagedPolicy.objects.filter(name="Bad").exists()


def test_managed_policy_size_limit_6144_without_whitespace():
    actions = [f"mq:DescribeBroker{i:04d}" for i in range(400)]
    with pytest.raises(LimitExceeded) as exc:
        managed.policy_create(
            actor=ACTOR, account=AccountFactory(), name="Big", document=_doc(actions)
        )
    assert "PolicySize: 6144" in exc.value.message


def test_a_document_past_the_parameter_length_is_refused_before_parsing():
    # 131,073 characters of white space around a valid document: within the 6,144-byte quota
    # once white space is dropped, but past the PolicyDocument parameter's 131,072 limit.
    text = json.dumps(_doc())
    padded = text + " " * (131072 - len(text) + 1)
    with pytest.raises(ValidationError) as exc:
        managed.policy_create(actor=ACTOR, account=AccountFactory(), name="Long", document=padded)
    assert "less than or equal to 131072" in exc.value.message
    exactly = text + " " * (131072 - len(text))
    managed.policy_create(actor=ACTOR, account=AccountFactory(), name="Edge", document=exactly)


def test_versions_are_numbered_never_reused_and_capped_at_five():
    policy = managed.policy_create(actor=ACTOR, account=AccountFactory(), name="P", document=_doc())
    for i in range(2, 6):
        v = managed.policy_version_create(
            actor=ACTOR, policy=policy, document=_doc(), set_as_default=(i == 3)
        )
        assert v.version_id == f"v{i}"
    with pytest.raises(LimitExceeded) as exc:
        managed.policy_version_create(actor=ACTOR, policy=policy, document=_doc())
    assert "up to 5 versions" in exc.value.message
    assert policy.default_version.version_id == "v3"
    with pytest.raises(DeleteConflict):
        managed.policy_version_delete(actor=ACTOR, policy=policy, version_id="v3")
    managed.policy_version_delete(actor=ACTOR, policy=policy, version_id="v2")
    assert (
        managed.policy_version_create(actor=ACTOR, policy=policy, document=_doc()).version_id
        == "v6"
    )
    managed.policy_version_set_default(actor=ACTOR, policy=policy, version_id="v6")
    assert list(policy.versions.filter(is_default=True).values_list("version_id", flat=True)) == [
        "v6"
    ]
    with pytest.raises(NoSuchEntity):
        managed.policy_version_set_default(actor=ACTOR, policy=policy, version_id="v2")


def test_policy_delete_preconditions():
    policy = managed.policy_create(actor=ACTOR, account=AccountFactory(), name="P", document=_doc())
    managed.policy_version_create(actor=ACTOR, policy=policy, document=_doc())
    user = IAMUserFactory(account=policy.account)
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=user)
    with pytest.raises(DeleteConflict) as exc:
        managed.policy_delete(actor=ACTOR, policy=policy)
    assert exc.value.message == "Cannot delete a policy attached to entities."
    attachments.policy_detach(actor=ACTOR, policy=policy, identity=user)
    with pytest.raises(DeleteConflict):  # a non-default version remains
        managed.policy_delete(actor=ACTOR, policy=policy)
    managed.policy_version_delete(actor=ACTOR, policy=policy, version_id="v2")
    managed.policy_delete(actor=ACTOR, policy=policy)
    assert not ManagedPolicy.objects.filter(pk=policy.pk).exists()
    assert AuditEvent.objects.filter(action="iam:DeletePolicy").count() == 1


def test_at_most_ten_managed_policies_per_identity():
    for identity in (IAMUserFactory(), GroupFactory(), RoleFactory()):
        for _ in range(10):
            attachments.policy_attach(
                actor=ACTOR,
                policy=ManagedPolicyFactory(account=identity.account),
                identity=identity,
            )
        with pytest.raises(LimitExceeded) as exc:
            attachments.policy_attach(
                actor=ACTOR,
                policy=ManagedPolicyFactory(account=identity.account),
                identity=identity,
            )
        kind = type(identity).__name__.replace("IAM", "")
        assert exc.value.message == f"Cannot exceed quota for PoliciesPer{kind}: 10"


def test_attach_is_idempotent_and_refuses_other_accounts_policies():
    user = IAMUserFactory()
    policy = ManagedPolicyFactory(account=user.account)
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=user)
    attachments.policy_attach(actor=ACTOR, policy=policy, identity=user)
    assert PolicyAttachment.objects.filter(user=user).count() == 1
    with pytest.raises(NoSuchEntity):
        attachments.policy_attach(actor=ACTOR, policy=ManagedPolicyFactory(), identity=user)
    with pytest.raises(NoSuchEntity):
        attachments.policy_detach(
            actor=ACTOR, policy=ManagedPolicyFactory(account=user.account), identity=user
        )


def test_aws_managed_policies_attach_but_never_change():
    user = IAMUserFactory()
    aws = ManagedPolicy.objects.get(name="AmazonMQReadOnlyAccess")
    attachments.policy_attach(actor=ACTOR, policy=aws, identity=user)
    with pytest.raises(UnmodifiableEntity):
        managed.policy_version_create(actor=ACTOR, policy=aws, document=_doc())
    with pytest.raises(UnmodifiableEntity):
        managed.policy_delete(actor=ACTOR, policy=aws)


def test_inline_policy_quota_is_a_sum_per_entity():
    user = IAMUserFactory()
    # Each document is a little over 1,000 characters without white space.
    big = _doc([f"mq:DescribeBroker{i:02d}" for i in range(45)])
    size = len(json.dumps(big, separators=(",", ":")))
    assert 1024 < size < 2048
    attachments.inline_policy_put(actor=ACTOR, identity=user, name="one", document=big)
    attachments.inline_policy_put(actor=ACTOR, identity=user, name="one", document=big)  # replace
    with pytest.raises(LimitExceeded) as exc:
        attachments.inline_policy_put(actor=ACTOR, identity=user, name="two", document=big)
    assert "2048" in exc.value.message
    # A role's inline quota is 10,240: the same two fit.
    role = RoleFactory()
    attachments.inline_policy_put(actor=ACTOR, identity=role, name="one", document=big)
    attachments.inline_policy_put(actor=ACTOR, identity=role, name="two", document=big)
    attachments.inline_policy_delete(actor=ACTOR, identity=role, name="two")
    with pytest.raises(NoSuchEntity):
        attachments.inline_policy_delete(actor=ACTOR, identity=role, name="two")


def test_permissions_boundary_set_remove_and_blocks_policy_delete():
    user = IAMUserFactory()
    boundary = managed.policy_create(
        actor=ACTOR, account=user.account, name="Boundary", document=ALLOW_MQ_READ
    )
    attachments.permissions_boundary_put(actor=ACTOR, identity=user, policy=boundary)
    assert user.permissions_boundary == boundary
    with pytest.raises(DeleteConflict):
        managed.policy_delete(actor=ACTOR, policy=boundary)
    attachments.permissions_boundary_put(actor=ACTOR, identity=user, policy=None)
    with pytest.raises(NoSuchEntity):
        attachments.permissions_boundary_put(actor=ACTOR, identity=user, policy=None)
    managed.policy_delete(actor=ACTOR, policy=boundary)
