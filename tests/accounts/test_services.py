"""Account and identity services against the real PostgreSQL: AWS's limits, errors and audit."""

import json

import pytest

from accounts.actors import system_actor
from accounts.crypto import decrypt
from accounts.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    UnmodifiableEntity,
    ValidationError,
)
from accounts.models import AccessKey, AuditEvent, IAMUser
from accounts.services import access_keys, accounts, groups, roles, users
from tests.factories import (
    TRUST_ACCOUNT,
    AccountFactory,
    GroupFactory,
    IAMUserFactory,
    InlinePolicyFactory,
    PolicyAttachmentFactory,
    RoleFactory,
)

pytestmark = pytest.mark.django_db
ACTOR = system_actor("111122223333")


def test_account_create_with_root_user_and_audit():
    account = accounts.account_create(
        actor=ACTOR,
        account_id="111122223333",
        alias="acme",
        root_email="root@acme.example",
        root_password="Root-Passw0rd-1",
    )
    assert account.root_user.check_password("Root-Passw0rd-1")
    assert account.root_user.password.startswith("md5$")  # test hasher; argon2 in base settings
    event = AuditEvent.objects.get(action="console:CreateAccount")
    assert event.resource_arn == "arn:aws:iam::111122223333:root"
    assert "Root-Passw0rd-1" not in json.dumps(event.request_parameters)


def test_account_duplicates_are_entity_already_exists():
    accounts.account_create(
        actor=ACTOR,
        account_id="111122223333",
        alias="acme",
        root_email="a@example.com",
        root_password="Root-Passw0rd",
    )
    with pytest.raises(EntityAlreadyExists):
        accounts.account_create(
            actor=ACTOR,
            account_id="111122223333",
            alias=None,
            root_email="b@example.com",
            root_password="Root-Passw0rd",
        )
    with pytest.raises(EntityAlreadyExists):
        accounts.account_create(
            actor=ACTOR,
            account_id="222233334444",
            alias="acme",
            root_email="c@example.com",
            root_password="Root-Passw0rd",
        )
    with pytest.raises(EntityAlreadyExists):
        accounts.account_create(
            actor=ACTOR,
            account_id="222233334444",
            alias="other",
            root_email="A@example.com",
            root_password="Root-Passw0rd",
        )


def test_user_create_assigns_aida_id_and_arn_with_path():
    account = AccountFactory(account_id="111122223333")
    user = users.user_create(
        actor=ACTOR,
        account=account,
        name="alice",
        path="/ops/",
        tags={"team": "payments"},
        password="S3cret-pass!",
    )
    assert user.unique_id.startswith("AIDA") and len(user.unique_id) == 21
    assert user.unique_id[4:].isalnum() and user.unique_id.isupper()
    assert user.arn == "arn:aws:iam::111122223333:user/ops/alice"
    assert user.check_password("S3cret-pass!")
    event = AuditEvent.objects.get(action="iam:CreateUser")
    assert event.request_parameters["Password"] == "***"
    assert event.after["Tags"] == {"team": "payments"}


def test_user_names_are_unique_case_insensitively_per_account():
    account = AccountFactory()
    users.user_create(actor=ACTOR, account=account, name="Alice")
    with pytest.raises(EntityAlreadyExists) as exc:
        users.user_create(actor=ACTOR, account=account, name="alice")
    assert exc.value.message == "User with name alice already exists."
    users.user_create(actor=ACTOR, account=AccountFactory(), name="alice")  # other account: ok


def test_user_get_is_case_insensitive_and_missing_is_no_such_entity():
    user = IAMUserFactory(name="Bob")
    assert users.user_get(account=user.account, name="bob") == user
    with pytest.raises(NoSuchEntity):
        users.user_get(account=user.account, name="carol")


def test_user_delete_preconditions_in_aws_order_then_success():
    user = IAMUserFactory()
    users.user_password_set(actor=ACTOR, user=user, password="Passw0rd-1")
    access_keys.access_key_create(actor=ACTOR, owner=user)
    InlinePolicyFactory(user=user)
    PolicyAttachmentFactory(user=user)
    group = GroupFactory(account=user.account)
    groups.group_member_add(actor=ACTOR, group=group, user=user)

    with pytest.raises(DeleteConflict) as exc:
        users.user_delete(actor=ACTOR, user=user)
    assert exc.value.message == "Cannot delete entity, must delete login profile first."
    assert len(exc.value.fields["blockers"]) == 5

    users.user_password_set(actor=ACTOR, user=user, password=None)
    user.access_keys.all().delete()
    user.inline_policies.all().delete()
    user.policy_attachments.all().delete()
    groups.group_member_remove(actor=ACTOR, group=group, user=user)
    users.user_delete(actor=ACTOR, user=user)
    assert not IAMUser.objects.filter(pk=user.pk).exists()
    assert AuditEvent.objects.filter(action="iam:DeleteUser", before__UserName=user.name).exists()


def test_user_rename_and_tags():
    user = users.user_create(actor=ACTOR, account=AccountFactory(), name="old", tags={"Team": "a"})
    users.user_update(actor=ACTOR, user=user, new_name="new", new_path="/x/")
    users.user_tag(actor=ACTOR, user=user, tags={"team": "b", "env": "prod"})
    user.refresh_from_db()
    assert (user.name, user.path, user.tags) == ("new", "/x/", {"team": "b", "env": "prod"})
    users.user_untag(actor=ACTOR, user=user, keys=["TEAM"])
    user.refresh_from_db()
    assert user.tags == {"env": "prod"}
    with pytest.raises(LimitExceeded):
        users.user_tag(actor=ACTOR, user=user, tags={f"k{i}": "v" for i in range(50)})


def test_a_user_belongs_to_at_most_ten_groups():
    user = IAMUserFactory()
    for _ in range(10):
        groups.group_member_add(actor=ACTOR, group=GroupFactory(account=user.account), user=user)
    with pytest.raises(LimitExceeded) as exc:
        groups.group_member_add(actor=ACTOR, group=GroupFactory(account=user.account), user=user)
    assert exc.value.message == "Cannot exceed quota for GroupsPerUser: 10"
    assert exc.value.http_status == 409


def test_group_member_add_is_idempotent_and_delete_needs_empty_group():
    user = IAMUserFactory()
    group = groups.group_create(actor=ACTOR, account=user.account, name="Admins")
    assert group.unique_id.startswith("AGPA")
    groups.group_member_add(actor=ACTOR, group=group, user=user)
    groups.group_member_add(actor=ACTOR, group=group, user=user)
    assert group.memberships.count() == 1
    with pytest.raises(DeleteConflict) as exc:
        groups.group_delete(actor=ACTOR, group=group)
    assert exc.value.message == "Cannot delete entity, must remove users from group first."
    groups.group_member_remove(actor=ACTOR, group=group, user=user)
    groups.group_delete(actor=ACTOR, group=group)
    with pytest.raises(EntityAlreadyExists):
        g = groups.group_create(actor=ACTOR, account=user.account, name="ops")
        groups.group_create(actor=ACTOR, account=g.account, name="OPS")


def test_role_create_validates_trust_policy_and_duration():
    account = AccountFactory()
    role = roles.role_create(
        actor=ACTOR,
        account=account,
        name="Deployer",
        trust_policy=TRUST_ACCOUNT,
        max_session_duration=7200,
    )
    assert role.unique_id.startswith("AROA")
    assert json.loads(role.trust_policy) == TRUST_ACCOUNT
    with pytest.raises(ValidationError):
        roles.role_create(
            actor=ACTOR,
            account=account,
            name="TooLong",
            trust_policy=TRUST_ACCOUNT,
            max_session_duration=43201,
        )
    no_principal = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}],
    }
    with pytest.raises(MalformedPolicyDocument):
        roles.role_create(
            actor=ACTOR, account=account, name="NoPrincipal", trust_policy=no_principal
        )
    with pytest.raises(MalformedPolicyDocument):
        roles.role_create(actor=ACTOR, account=account, name="NotJson", trust_policy="{nope")


def test_role_delete_needs_policies_removed():
    role = RoleFactory()
    PolicyAttachmentFactory(user=None, role=role, policy__account=role.account)
    with pytest.raises(DeleteConflict) as exc:
        roles.role_delete(actor=ACTOR, role=role)
    assert exc.value.message == "Cannot delete entity, must detach all policies first."


def test_service_linked_roles_cannot_be_edited_or_deleted():
    role = RoleFactory(is_service_linked=True, path="/aws-service-role/mq.amazonaws.com/")
    with pytest.raises(UnmodifiableEntity):
        roles.role_delete(actor=ACTOR, role=role)
    with pytest.raises(UnmodifiableEntity):
        roles.role_trust_policy_update(actor=ACTOR, role=role, trust_policy=TRUST_ACCOUNT)
    roles.role_update(actor=ACTOR, role=role, description="only the description may change")


def test_access_keys_at_most_two_secret_encrypted_and_shown_once():
    user = IAMUserFactory()
    first = access_keys.access_key_create(actor=ACTOR, owner=user)
    access_keys.access_key_create(actor=ACTOR, owner=user)
    assert first.key.access_key_id.startswith("AKIA") and len(first.key.access_key_id) == 20
    assert len(first.secret_access_key) == 40
    stored = AccessKey.objects.get(pk=first.key.pk)
    assert first.secret_access_key.encode() not in bytes(stored.secret_encrypted)
    assert decrypt(stored.secret_encrypted) == first.secret_access_key
    with pytest.raises(LimitExceeded):
        access_keys.access_key_create(actor=ACTOR, owner=user)
    access_keys.access_key_set_status(
        actor=ACTOR, owner=user, access_key_id=first.key.access_key_id, status="Inactive"
    )
    assert AccessKey.objects.get(pk=first.key.pk).status == "Inactive"
    event = AuditEvent.objects.filter(action="iam:CreateAccessKey").first()
    assert first.secret_access_key not in json.dumps(
        [event.request_parameters, event.before, event.after]
    )
