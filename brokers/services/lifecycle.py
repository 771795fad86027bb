"""Broker states and how they move on: CREATION/REBOOT/DELETION_IN_PROGRESS end in a task.

A service starts a transition (state, due time, a fresh token) and, after commit, enqueues
``broker_transition_task`` with a countdown of ``MQIAM["BROKER_TRANSITION_DELAY_S"]``. The task
finishes the transition only if the token still matches, so a duplicate or superseded task
does nothing; ``broker_transition_sweep`` finishes transitions whose task was lost.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.actors import Actor, system_actor
from accounts.audit import audit_record
from brokers.models import Broker, BrokerUser, Configuration
from brokers.models.broker import IN_PROGRESS_STATES
from brokers.rules import zone_info
from brokers.services.snapshots import broker_snapshot
from config.queue import task

MIN_SWEEP_GRACE_S = 10.0
MAINTENANCE_WINDOW = timedelta(hours=2)
_NEXT_STATE = {
    "CREATION_IN_PROGRESS": "RUNNING",
    "REBOOT_IN_PROGRESS": "RUNNING",
    "DELETION_IN_PROGRESS": None,  # gone
}

log = logging.getLogger("mqiam.brokers")


def transition_delay_s() -> float:
    """Seconds a creation, reboot or deletion takes (MQIAM["BROKER_TRANSITION_DELAY_S"])."""
    return float(settings.MQIAM.get("BROKER_TRANSITION_DELAY_S", 5.0))


def transition_start(broker: Broker, state: str) -> None:
    """Put ``broker`` (locked, in a transaction) into ``state`` and schedule its end."""
    now = timezone.now()
    delay = transition_delay_s()
    broker.state = state
    broker.state_changed_at = now
    broker.transition_due_at = now + timedelta(seconds=delay)
    broker.transition_token = str(uuid.uuid4())
    broker.save(
        update_fields=["state", "state_changed_at", "transition_due_at", "transition_token"]
    )
    broker_pk, token = broker.pk, broker.transition_token

    def enqueue_transition() -> None:
        """Queue the transition's end; with Redis down the sweep finishes it instead."""
        transition_task = task("brokers.tasks.broker_transition_task")
        try:
            transition_task.apply_async(
                kwargs={"broker_pk": broker_pk, "token": token}, countdown=delay
            )
        except Exception:
            log.warning(
                "could not queue the transition of broker %s; the sweep will finish it",
                broker_pk,
                exc_info=True,
            )

    transaction.on_commit(enqueue_transition)


def transition_progress(broker: Broker, now: datetime | None = None) -> int:
    """How far the running transition is, 0-100, for the progress bar."""
    if not broker.in_progress or not broker.state_changed_at or not broker.transition_due_at:
        return 100
    now = now or timezone.now()
    total = (broker.transition_due_at - broker.state_changed_at).total_seconds()
    if total <= 0:
        return 99
    done = (now - broker.state_changed_at).total_seconds() / total
    return max(1, min(99, int(done * 100)))


def broker_transition_complete(
    *, broker_pk: int, token: str | None = None, actor: Actor | None = None
) -> str | None:
    """Finish the broker's transition; idempotent. Returns the new state, "DELETED" or None."""
    actor = actor or system_actor(via="broker-worker")
    with transaction.atomic():
        broker = (
            Broker.objects.select_for_update().select_related("account").filter(pk=broker_pk)
        ).first()
        if broker is None or broker.state not in IN_PROGRESS_STATES:
            return None
        if token is not None and token != broker.transition_token:
            return None  # a newer transition owns the broker now
        before = broker_snapshot(broker)
        previous = broker.state
        next_state = _NEXT_STATE[previous]
        action = {
            "CREATION_IN_PROGRESS": "mq:CreateBroker",
            "REBOOT_IN_PROGRESS": "mq:RebootBroker",
            "DELETION_IN_PROGRESS": "mq:DeleteBroker",
        }[previous]
        if next_state is None:
            arn = broker.arn
            broker.delete()
            audit_record(
                actor=actor,
                action=action,
                resource_arn=arn,
                account_id=broker.account.account_id,
                parameters={"phase": "completed"},
                before=before,
            )
            return "DELETED"
        if previous == "REBOOT_IN_PROGRESS":
            pending_apply(broker)
            broker.actions_required = []
        broker.state = next_state
        broker.state_changed_at = timezone.now()
        broker.transition_due_at = None
        broker.transition_token = ""
        broker.save()
        audit_record(
            actor=actor,
            action=action,
            resource_arn=broker.arn,
            account_id=broker.account.account_id,
            parameters={"phase": "completed"},
            before=before,
            after=broker_snapshot(broker),
        )
        return next_state


def pending_apply(broker: Broker) -> None:
    """Apply what UpdateBroker, CreateUser/UpdateUser/DeleteUser left pending (on reboot)."""
    pending = dict(broker.pending or {})
    if "configuration" in pending:
        new = pending.pop("configuration")
        if broker.configuration_id is not None:
            history = list(broker.configuration_history)
            history.append(
                {
                    "id": broker.configuration.configuration_id,
                    "revision": broker.configuration_revision,
                }
            )
            broker.configuration_history = history
        broker.configuration = Configuration.objects.filter(configuration_id=new["id"]).first()
        broker.configuration_revision = new["revision"]
    simple = {
        "engineVersion": "engine_version",
        "hostInstanceType": "host_instance_type",
        "securityGroups": "security_groups",
        "authenticationStrategy": "authentication_strategy",
        "storageSize": "storage_size",
        "ldapServerMetadata": "ldap_server_metadata",
    }
    for wire, attribute in simple.items():
        if wire in pending:
            setattr(broker, attribute, pending.pop(wire))
    if "logs" in pending:
        logs = pending.pop("logs")
        broker.logs_general = logs.get("general", broker.logs_general)
        broker.logs_audit = logs.get("audit", broker.logs_audit)
    broker.pending = pending
    _users_apply(broker)


def _users_apply(broker: Broker) -> None:
    users = BrokerUser.objects.filter(broker=broker).exclude(pending_change="")
    for user in users:
        if user.pending_change == "DELETE":
            user.delete()
            continue
        if user.pending_console_access is not None:
            user.console_access = user.pending_console_access
        if user.pending_groups is not None:
            user.groups = user.pending_groups
        if user.pending_password:
            user.password = user.pending_password
        user.applied = True
        user.pending_change = ""
        user.pending_console_access = None
        user.pending_groups = None
        user.pending_password = ""
        user.save()


def broker_transition_sweep(*, now: datetime | None = None) -> int:
    """Finish transitions overdue by a grace period (their task was lost); returns how many."""
    now = now or timezone.now()
    grace = timedelta(seconds=max(MIN_SWEEP_GRACE_S, transition_delay_s()))
    overdue = Broker.objects.filter(
        state__in=IN_PROGRESS_STATES, transition_due_at__lt=now - grace
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(overdue):
        if broker_transition_complete(broker_pk=pk, actor=system_actor(via="broker-sweep")):
            done += 1
    return done


def window_start(broker: Broker, now: datetime) -> datetime:
    """The most recent start of the broker's weekly maintenance window, at or before ``now``."""
    zone = zone_info(broker.maintenance_time_zone)
    local = now.astimezone(zone)
    day_index = Broker.DayOfWeek.values.index(broker.maintenance_day)
    hour, minute = (int(part) for part in broker.maintenance_time.split(":"))
    start = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    start -= timedelta(days=(local.weekday() - day_index) % 7)
    if start > local:
        start -= timedelta(days=7)
    return start


def broker_maintenance_sweep(*, now: datetime | None = None) -> int:
    """Reboot RUNNING brokers with pending changes whose maintenance window is open now."""
    now = now or timezone.now()
    started = 0
    waiting_users = BrokerUser.objects.filter(broker=OuterRef("pk")).exclude(pending_change="")
    candidates = (
        Broker.objects.filter(state="RUNNING")
        .filter(~Q(pending={}) | Exists(waiting_users))
        .select_related("account")
    )
    for broker in candidates:
        start = window_start(broker, now)
        if not (start <= now < start + MAINTENANCE_WINDOW):
            continue
        if broker.last_maintenance_at and broker.last_maintenance_at >= start:
            continue
        with transaction.atomic():
            locked = Broker.objects.select_for_update().get(pk=broker.pk)
            if locked.state != "RUNNING":
                continue
            locked.last_maintenance_at = now
            locked.save(update_fields=["last_maintenance_at"])
            transition_start(locked, "REBOOT_IN_PROGRESS")
            audit_record(
                actor=system_actor(via="maintenance-window"),
                action="mq:RebootBroker",
                resource_arn=broker.arn,
                account_id=broker.account.account_id,
                parameters={"reason": "maintenance window"},
            )
        started += 1
    return started
