"""ActiveMQ broker users: CreateUser, UpdateUser, DeleteUser, each pending until reboot."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from accounts.actors import Actor
from accounts.audit import audit_record
from brokers import engines, rules
from brokers.authz import Authorizer, authorize
from brokers.errors import Conflict, bad_request, not_running, user_not_found
from brokers.models import Broker, BrokerUser
from brokers.services.brokers import ACTIVE_STATES
from brokers.services.snapshots import broker_user_snapshot

UNSET = object()


def _locked_broker(broker: Broker, operation: str) -> Broker:
    locked = Broker.objects.select_for_update().select_related("account").get(pk=broker.pk)
    if locked.state not in ACTIVE_STATES:
        raise not_running(locked.broker_id, locked.state, operation)
    return locked


def _activemq_only(broker: Broker) -> None:
    if broker.engine_type != "ACTIVEMQ":
        raise bad_request(
            "Broker users of RabbitMQ brokers are managed with the RabbitMQ management API, "
            "not with Amazon MQ's user operations.",
            "broker-id",
        )


def _audit(actor: Actor, action: str, broker: Broker, user: BrokerUser, before=None) -> None:
    audit_record(
        actor=actor,
        action=action,
        resource_arn=broker.arn,
        account_id=broker.account.account_id,
        parameters={"Username": user.username},
        before=before,
        after=broker_user_snapshot(user) if user.pk else None,
    )


def broker_user_get(*, broker: Broker, username: str) -> BrokerUser:
    """One user of a broker by username; NotFoundException otherwise."""
    user = BrokerUser.objects.filter(broker=broker, username=username).first()
    if user is None:
        raise user_not_found(username)
    return user


def broker_user_create(
    *,
    actor: Actor,
    broker: Broker,
    username: str,
    password: str,
    console_access: bool = False,
    groups: list | None = None,
    replication_user: bool = False,
    authz: Authorizer | None = None,
) -> BrokerUser:
    """CreateUser: the user exists on the broker after its next reboot (pending CREATE)."""
    authorize(authz, "mq:CreateUser", broker.arn)
    _activemq_only(broker)
    username = rules.check_username(broker.engine_type, username)
    rules.check_password(password)
    groups = rules.check_groups(groups)
    limit = engines.engine_data()["users"]["max_users_per_broker"]
    try:
        with transaction.atomic():
            broker = _locked_broker(broker, "add users to")
            if BrokerUser.objects.filter(broker=broker, username=username).exists():
                raise Conflict(
                    f"User [{username}] already exists on broker [{broker.broker_id}].",
                    fields={"username": "already exists"},
                )
            if BrokerUser.objects.filter(broker=broker).count() >= limit:
                raise bad_request(f"A broker can have at most {limit} users.", "username")
            user = BrokerUser.objects.create(
                broker=broker,
                username=username,
                password=make_password(password),
                replication_user=bool(replication_user),
                applied=False,
                pending_change="CREATE",
                pending_console_access=bool(console_access),
                pending_groups=groups,
            )
            _audit(actor, "mq:CreateUser", broker, user)
    except IntegrityError as exc:
        raise Conflict(
            f"User [{username}] already exists on broker [{broker.broker_id}].",
            fields={"username": "already exists"},
        ) from exc
    return user


def broker_user_update(
    *,
    actor: Actor,
    broker: Broker,
    username: str,
    password=UNSET,
    console_access=UNSET,
    groups=UNSET,
    replication_user=UNSET,
    authz: Authorizer | None = None,
) -> BrokerUser:
    """UpdateUser: new values wait in ``pending_*`` (pending UPDATE, or still CREATE)."""
    authorize(authz, "mq:UpdateUser", broker.arn)
    _activemq_only(broker)
    if password not in (UNSET, None):
        rules.check_password(password)
    if groups not in (UNSET, None):
        groups = rules.check_groups(groups)
    with transaction.atomic():
        broker = _locked_broker(broker, "update users of")
        user = BrokerUser.objects.select_for_update().filter(broker=broker, username=username)
        user = user.first()
        if user is None:
            raise user_not_found(username)
        if user.pending_change == "DELETE":
            raise Conflict(
                f"User [{username}] is pending deletion; it can't be updated.",
                fields={"username": "pending deletion"},
            )
        before = broker_user_snapshot(user)
        if console_access not in (UNSET, None):
            user.pending_console_access = bool(console_access)
        if groups not in (UNSET, None):
            user.pending_groups = groups
        if replication_user not in (UNSET, None):
            user.replication_user = bool(replication_user)
        if password not in (UNSET, None):
            if user.applied:
                user.pending_password = make_password(password)
            else:
                user.password = make_password(password)
        if user.applied:
            user.pending_change = "UPDATE"
            if user.pending_console_access is None:
                user.pending_console_access = user.console_access
            if user.pending_groups is None:
                user.pending_groups = list(user.groups)
        user.save()
        _audit(actor, "mq:UpdateUser", broker, user, before=before)
    return user


def broker_user_delete(
    *, actor: Actor, broker: Broker, username: str, authz: Authorizer | None = None
) -> BrokerUser | None:
    """DeleteUser: pending DELETE until reboot; a never-applied user goes at once."""
    authorize(authz, "mq:DeleteUser", broker.arn)
    _activemq_only(broker)
    with transaction.atomic():
        broker = _locked_broker(broker, "delete users of")
        user = BrokerUser.objects.select_for_update().filter(broker=broker, username=username)
        user = user.first()
        if user is None:
            raise user_not_found(username)
        before = broker_user_snapshot(user)
        if not user.applied:
            user.delete()
            user.pk = None
            _audit(actor, "mq:DeleteUser", broker, user, before=before)
            return None
        user.pending_change = "DELETE"
        user.save(update_fields=["pending_change", "updated_at"])
        _audit(actor, "mq:DeleteUser", broker, user, before=before)
    return user
