"""One factory per model. Factories build valid rows directly; services are tested on their own."""

from __future__ import annotations

import json
import uuid

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts import identifiers
from accounts.crypto import encrypt
from accounts.models import (
    AccessKey,
    Account,
    AuditEvent,
    Group,
    GroupMembership,
    IAMUser,
    Role,
    RootUser,
)
from brokers.models import Broker, Configuration
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion

ALLOW_MQ_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["mq:Describe*", "mq:List*"], "Resource": "*"}],
}
TRUST_ACCOUNT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    account_id = factory.Sequence(lambda n: f"{100000000000 + n:012d}")
    alias = factory.Sequence(lambda n: f"account-{n}")


class RootUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RootUser

    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"root{n}@example.com")
    password = factory.LazyFunction(lambda: make_password("Root-Passw0rd"))


class IAMUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IAMUser

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"user{n}")
    unique_id = factory.LazyFunction(lambda: identifiers.unique_id(identifiers.USER_PREFIX))


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"group{n}")
    unique_id = factory.LazyFunction(lambda: identifiers.unique_id(identifiers.GROUP_PREFIX))


class GroupMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    user = factory.SubFactory(IAMUserFactory)
    group = factory.SubFactory(GroupFactory, account=factory.SelfAttribute("..user.account"))


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"role{n}")
    unique_id = factory.LazyFunction(lambda: identifiers.unique_id(identifiers.ROLE_PREFIX))
    trust_policy = json.dumps(TRUST_ACCOUNT)


class ManagedPolicyFactory(factory.django.DjangoModelFactory):
    """A customer managed policy with a default version v1."""

    class Meta:
        model = ManagedPolicy
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"policy{n}")
    unique_id = factory.LazyFunction(lambda: identifiers.unique_id(identifiers.POLICY_PREFIX))
    next_version_number = 2
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
    default_version = factory.RelatedFactory(
        "tests.factories.PolicyVersionFactory", factory_related_name="policy"
    )


class PolicyVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyVersion

    policy = factory.SubFactory(ManagedPolicyFactory, default_version=None)
    version_id = "v1"
    is_default = True
    document = json.dumps(ALLOW_MQ_READ)
    created_at = factory.LazyFunction(timezone.now)


class InlinePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InlinePolicy

    name = factory.Sequence(lambda n: f"inline{n}")
    user = factory.SubFactory(IAMUserFactory)
    document = json.dumps(ALLOW_MQ_READ)


class PolicyAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyAttachment

    user = factory.SubFactory(IAMUserFactory)
    policy = factory.SubFactory(
        ManagedPolicyFactory, account=factory.SelfAttribute("..user.account")
    )


class AccessKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccessKey

    access_key_id = factory.LazyFunction(identifiers.access_key_id)
    secret_encrypted = factory.LazyFunction(lambda: encrypt(identifiers.secret_access_key()))
    user = factory.SubFactory(IAMUserFactory)


class ConfigurationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Configuration

    account = factory.SubFactory(AccountFactory)
    region = "us-east-1"
    configuration_id = factory.LazyFunction(lambda: f"c-{uuid.uuid4()}")
    name = factory.Sequence(lambda n: f"config{n}")
    engine_type = "ACTIVEMQ"
    engine_version = "5.18"


class BrokerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Broker

    account = factory.SubFactory(AccountFactory)
    region = "us-east-1"
    broker_id = factory.LazyFunction(lambda: f"b-{uuid.uuid4()}")
    name = factory.Sequence(lambda n: f"broker{n}")
    engine_type = "ACTIVEMQ"
    engine_version = "5.18"
    deployment_mode = "SINGLE_INSTANCE"
    host_instance_type = "mq.t3.micro"
    state = Broker.State.RUNNING


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    principal_arn = "arn:aws:iam::111122223333:user/alice"
    action = "iam:ListUsers"


class PasswordPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.PasswordPolicy"

    account = factory.SubFactory(AccountFactory)
    minimum_length = 12
    require_symbols = True


class PasswordHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.PasswordHistory"

    user = factory.SubFactory(IAMUserFactory)
    password = factory.LazyFunction(lambda: make_password("Old-Passw0rd!"))


class MFADeviceFactory(factory.django.DjangoModelFactory):
    """An enabled virtual MFA device of an IAM user."""

    class Meta:
        model = "accounts.MFADevice"

    user = factory.SubFactory(IAMUserFactory)
    account = factory.SelfAttribute("user.account")
    name = factory.SelfAttribute("user.name")
    seed_encrypted = factory.LazyFunction(lambda: encrypt("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
    enabled_at = factory.LazyFunction(timezone.now)


class RoleSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.RoleSession"

    role = factory.SubFactory(RoleFactory)
    session_name = factory.Sequence(lambda n: f"session{n}")
    access_key_id = factory.LazyFunction(lambda: identifiers.access_key_id(temporary=True))
    secret_encrypted = factory.LazyFunction(lambda: encrypt(identifiers.secret_access_key()))
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    source_arn = "arn:aws:iam::111122223333:user/alice"
    issued_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=1))


class CredentialReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.CredentialReport"

    account = factory.SubFactory(AccountFactory)


class ConfigurationRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "brokers.ConfigurationRevision"

    configuration = factory.SubFactory(ConfigurationFactory)
    revision = factory.Sequence(lambda n: n + 10)
    data = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<broker/>'


class BrokerUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "brokers.BrokerUser"

    broker = factory.SubFactory(BrokerFactory)
    username = factory.Sequence(lambda n: f"app-user-{n}")
    password = factory.LazyFunction(lambda: make_password("Broker-Passw0rd-1"))


class MatrixResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.MatrixResource"

    account = factory.SubFactory(AccountFactory)
    position = factory.Sequence(lambda n: n)
    arn = factory.Sequence(lambda n: f"arn:aws:mq:us-east-1:111122223333:broker:b{n}:b-{n}")
    kind = "broker"


class EffectivePermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.EffectivePermission"

    account = factory.SubFactory(AccountFactory)
    principal_kind = "user"
    principal_id = factory.Sequence(lambda n: n + 1)
    principal_arn = factory.Sequence(lambda n: f"arn:aws:iam::111122223333:user/u{n}")
    action = "mq:RebootBroker"
    allowed = b"\x01"
    computed_at = factory.LazyFunction(timezone.now)


class PrincipalProvenanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.PrincipalProvenance"

    account = factory.SubFactory(AccountFactory)
    principal_kind = "user"
    principal_id = factory.Sequence(lambda n: n + 1)


class PermissionChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.PermissionChange"

    account = factory.SubFactory(AccountFactory)
    scope = "account"
    reason = "test"


class MatrixStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.MatrixState"

    account = factory.SubFactory(AccountFactory)


class RecomputeJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.RecomputeJob"

    account = factory.SubFactory(AccountFactory)


class PreviewJobFactory(factory.django.DjangoModelFactory):
    """A queued worker preview of attaching nothing in particular (tests build real ones)."""

    class Meta:
        model = "policies.PreviewJob"

    account = factory.SubFactory(AccountFactory)
    requested_by = factory.LazyAttribute(lambda o: f"arn:aws:iam::{o.account.account_id}:root")
    change = factory.LazyFunction(lambda: {"type": "tag_user", "name": "nobody", "tags": {}})
    principals = 1


class AccessRequestFactory(factory.django.DjangoModelFactory):
    """A pending request of a user for one action on ``*`` (tests build real ones by service)."""

    class Meta:
        model = "policies.AccessRequest"

    request_id = factory.Sequence(lambda n: f"ar-{n:012x}")
    user = factory.SubFactory(IAMUserFactory)
    account = factory.SelfAttribute("user.account")
    requester_arn = factory.LazyAttribute(lambda o: o.user.arn)
    requester_principal_arn = factory.LazyAttribute(lambda o: o.user.arn)
    requester_kind = "user"
    intent = "custom"
    actions = factory.LazyFunction(lambda: ["mq:ListBrokers"])
    duration_hours = 8
    justification = "Needed for CHG-1234."
    policy_name = factory.LazyAttribute(lambda o: f"AccessRequest-{o.request_id}")
    policy_document = json.dumps(ALLOW_MQ_READ)


class AccessRequestApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.AccessRequestApproval"

    access_request = factory.SubFactory(AccessRequestFactory)
    round = 1
    approver_arn = "arn:aws:iam::111122223333:user/admin"
    approver_principal_arn = "arn:aws:iam::111122223333:user/admin"


class AccessRequestEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.AccessRequestEvent"

    access_request = factory.SubFactory(AccessRequestFactory)
    verb = "submitted"
    actor_arn = "arn:aws:iam::111122223333:user/alice"


class AccessRequestSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.AccessRequestSettings"

    account = factory.SubFactory(AccountFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "policies.Notification"

    account = factory.SubFactory(AccountFactory)
    recipient_arn = "arn:aws:iam::111122223333:user/alice"
    text = "ar-000000000001 approved."
