"""Services of the brokers app: every state change of brokers, users, configurations, tags."""

from brokers.services.brokers import (
    broker_create,
    broker_delete,
    broker_reboot,
    ensure_mq_service_linked_role,
    new_broker_id,
)
from brokers.services.configurations import (
    configuration_create,
    configuration_delete,
    configuration_update,
)
from brokers.services.lifecycle import (
    broker_maintenance_sweep,
    broker_transition_complete,
    broker_transition_sweep,
)
from brokers.services.snapshots import broker_snapshot
from brokers.services.tags import resource_for_arn, tags_create, tags_delete
from brokers.services.updates import broker_update
from brokers.services.users import broker_user_create, broker_user_delete, broker_user_update

__all__ = [
    "broker_create",
    "broker_delete",
    "broker_maintenance_sweep",
    "broker_reboot",
    "broker_snapshot",
    "broker_transition_complete",
    "broker_transition_sweep",
    "broker_update",
    "broker_user_create",
    "broker_user_delete",
    "broker_user_update",
    "configuration_create",
    "configuration_delete",
    "configuration_update",
    "ensure_mq_service_linked_role",
    "new_broker_id",
    "resource_for_arn",
    "tags_create",
    "tags_delete",
]
