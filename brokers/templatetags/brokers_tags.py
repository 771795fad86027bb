"""Template filters of the broker pages: state badges, engine and mode labels."""

from __future__ import annotations

from django import template

from brokers import engines

register = template.Library()

_STATE_STYLES = {
    "RUNNING": ("success", "check-circle-fill"),
    "CREATION_IN_PROGRESS": ("info", ""),
    "REBOOT_IN_PROGRESS": ("info", ""),
    "DELETION_IN_PROGRESS": ("warning", ""),
    "CREATION_FAILED": ("danger", "x-octagon-fill"),
    "CRITICAL_ACTION_REQUIRED": ("danger", "exclamation-triangle-fill"),
    "REPLICA": ("secondary", "files"),
}
_MODE_LABELS = {
    "SINGLE_INSTANCE": "Single-instance",
    "ACTIVE_STANDBY_MULTI_AZ": "Active/standby (Multi-AZ)",
    "CLUSTER_MULTI_AZ": "Cluster (Multi-AZ)",
}


@register.filter
def state_label(state: str) -> str:
    """``CREATION_IN_PROGRESS`` → ``Creation in progress``."""
    return state.replace("_", " ").capitalize()


@register.filter
def state_style(state: str) -> str:
    return _STATE_STYLES.get(state, ("secondary", ""))[0]


@register.filter
def state_icon(state: str) -> str:
    return _STATE_STYLES.get(state, ("secondary", ""))[1]


@register.filter
def engine_label(engine_type: str) -> str:
    return engines.engine_label(engine_type)


@register.filter
def mode_label(mode: str) -> str:
    return _MODE_LABELS.get(mode, mode)


@register.filter
def constant_label(value: str) -> str:
    """``SUNDAY`` → ``Sunday``, ``EBS`` stays ``EBS``."""
    return value if len(value) <= 3 else value.replace("_", " ").capitalize()


@register.filter
def endpoint_protocol(endpoint: str) -> str:
    """``amqp+ssl://host:5671`` → ``AMQP+SSL``."""
    return endpoint.split("://", 1)[0].upper()


_PENDING_LABELS = {
    "engineVersion": "engine version {}",
    "hostInstanceType": "instance type {}",
    "authenticationStrategy": "authentication {}",
    "storageSize": "storage {} GB",
}


@register.filter
def pending_items(pending: dict) -> list[str]:
    """UpdateBroker's pending changes, in words, for the pending-changes notes."""
    items = []
    for key, value in (pending or {}).items():
        if key in _PENDING_LABELS:
            items.append(_PENDING_LABELS[key].format(value))
        elif key == "logs":
            general = "on" if value.get("general") else "off"
            items.append(
                f"general logs {general}, audit logs {'on' if value.get('audit') else 'off'}"
            )
        elif key == "configuration":
            items.append(f"configuration revision {value['revision']}")
        elif key == "securityGroups":
            items.append(f"security groups {', '.join(value) or 'none'}")
        else:
            items.append("LDAP server settings" if key == "ldapServerMetadata" else key)
    return items


_REASONS = {
    "DISALLOWED_ELEMENT_REMOVED": "element not permitted",
    "DISALLOWED_ATTRIBUTE_REMOVED": "attribute not permitted",
    "INVALID_ATTRIBUTE_VALUE_REMOVED": "invalid attribute value",
}


@register.filter
def reason_label(reason: str) -> str:
    """A SanitizationWarning reason in words."""
    return _REASONS.get(reason, reason)
