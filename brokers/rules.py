"""Amazon MQ's field rules for brokers and broker users, one check per field.

Each check returns the normalised value or raises ``BadRequest`` naming the wire attribute
(``brokerName``, ``deploymentMode``…); services call them all, the create wizard calls them
step by step, so a rule holds for the UI, both APIs and tasks alike.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, available_timezones

from accounts import rules as iam_rules
from brokers import engines
from brokers.errors import bad_request

BROKER_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,50}$")
CONFIGURATION_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,150}$")
TIME_OF_DAY_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
UTC_OFFSET_RE = re.compile(r"^(UTC)?[+-]([01]\d|2[0-3]):?[0-5]\d$")
SUBNET_RE = re.compile(r"^subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]{8,17}$")
SECURITY_GROUPS_MAX = 5


def _one_of(value: object, allowed: list[str], attribute: str, label: str) -> str:
    if value not in allowed:
        raise bad_request(
            f"{label} [{value}] is invalid. Valid values are [{', '.join(allowed)}].", attribute
        )
    return value  # type: ignore[return-value]


def check_broker_name(name: object) -> str:
    if not isinstance(name, str) or not BROKER_NAME_RE.match(name):
        raise bad_request(
            "Broker name must be 1-50 characters long, contain only letters, numbers, dashes "
            "and underscores, and must not contain white spaces, brackets, wildcard "
            "characters or special characters.",
            "brokerName",
        )
    return name


def check_configuration_name(name: object) -> str:
    if not isinstance(name, str) or not CONFIGURATION_NAME_RE.match(name):
        raise bad_request(
            "Configuration name must be 1-150 characters long and contain only letters, "
            "numbers, dashes and underscores.",
            "name",
        )
    return name


def check_engine(engine_type: object, engine_version: object = None) -> tuple[str, str]:
    """(engine type, version); the version defaults to the engine's newest."""
    engine_type = _one_of(engine_type, engines.engine_types(), "engineType", "Broker engine type")
    if engine_version in (None, ""):
        return engine_type, engines.default_engine_version(engine_type)
    versions = engines.engine_versions(engine_type)
    if engine_version not in versions:
        raise bad_request(
            f"Broker engine version [{engine_version}] is not supported for "
            f"{engines.engine_label(engine_type)}. Supported versions: {', '.join(versions)}.",
            "engineVersion",
        )
    return engine_type, engine_version  # type: ignore[return-value]


def check_deployment_mode(engine_type: str, mode: object) -> str:
    mode = _one_of(mode, engines.enum("DeploymentMode"), "deploymentMode", "Deployment mode")
    if mode not in engines.deployment_modes(engine_type):
        raise bad_request(
            f"Deployment mode [{mode}] is not supported for "
            f"{engines.engine_label(engine_type)} brokers. Supported modes: "
            f"{', '.join(engines.deployment_modes(engine_type))}.",
            "deploymentMode",
        )
    return mode


def check_instance_type(engine_type: str, mode: str, instance_type: object) -> str:
    names = [t.name for t in engines.instance_types(engine_type)]
    if instance_type not in names:
        raise bad_request(
            f"Broker instance type [{instance_type}] is not supported for "
            f"{engines.engine_label(engine_type)}. Supported types: {', '.join(names)}.",
            "hostInstanceType",
        )
    if not engines.instance_supports_mode(instance_type, mode):  # type: ignore[arg-type]
        raise bad_request(
            f"Broker instance type [{instance_type}] supports only the SINGLE_INSTANCE "
            "deployment mode.",
            "hostInstanceType",
        )
    return instance_type  # type: ignore[return-value]


def check_storage(
    engine_type: str, instance_type: str, storage_type: object, storage_size: object = None
) -> tuple[str, int]:
    if storage_type in (None, ""):
        storage_type = engines.default_storage_type(engine_type)
        if storage_type not in engines.storage_types(engine_type, instance_type):
            storage_type = engines.storage_types(engine_type, instance_type)[0]
    allowed = engines.storage_types(engine_type, instance_type)
    _one_of(storage_type, engines.enum("BrokerStorageType"), "storageType", "Storage type")
    if storage_type not in allowed:
        raise bad_request(
            f"Storage type [{storage_type}] is not supported for "
            f"{engines.engine_label(engine_type)} on {instance_type}. Supported: "
            f"{', '.join(allowed)}.",
            "storageType",
        )
    if storage_size in (None, ""):
        storage_size = engines.default_storage_size(instance_type)
    if isinstance(storage_size, bool) or not isinstance(storage_size, int) or storage_size < 1:
        raise bad_request("Storage size must be a positive number of GB.", "storageSize")
    return storage_type, storage_size  # type: ignore[return-value]


def check_authentication_strategy(engine_type: str, strategy: object) -> str:
    if strategy in (None, ""):
        return "SIMPLE"
    allowed = engines.authentication_strategies(engine_type)
    _one_of(strategy, engines.enum("AuthenticationStrategy"), "authenticationStrategy", "Strategy")
    if strategy not in allowed:
        raise bad_request(
            f"Authentication strategy [{strategy}] is not supported for "
            f"{engines.engine_label(engine_type)} brokers. Supported: {', '.join(allowed)}.",
            "authenticationStrategy",
        )
    return strategy  # type: ignore[return-value]


LDAP_REQUIRED = (
    "hosts",
    "roleBase",
    "roleSearchMatching",
    "serviceAccountUsername",
    "serviceAccountPassword",
    "userBase",
    "userSearchMatching",
)


def check_ldap(strategy: str, ldap: object) -> tuple[dict | None, str | None]:
    """(metadata without the password, the service account password) for LDAP brokers."""
    if strategy != "LDAP":
        if ldap:
            raise bad_request(
                "LDAP server metadata applies only to the LDAP authentication strategy.",
                "ldapServerMetadata",
            )
        return None, None
    if not isinstance(ldap, dict):
        raise bad_request(
            "The LDAP authentication strategy needs ldapServerMetadata.", "ldapServerMetadata"
        )
    missing = [key for key in LDAP_REQUIRED if not ldap.get(key)]
    if missing:
        raise bad_request(
            f"ldapServerMetadata is missing {', '.join(missing)}.", "ldapServerMetadata"
        )
    metadata = {k: v for k, v in ldap.items() if k != "serviceAccountPassword"}
    return metadata, ldap["serviceAccountPassword"]


def check_logs(engine_type: str, logs: object) -> tuple[bool, bool]:
    """(general, audit); audit logs do not apply to RabbitMQ."""
    logs = logs or {}
    if not isinstance(logs, dict):
        raise bad_request("logs must be an object with general and audit.", "logs")
    general, audit = bool(logs.get("general", False)), bool(logs.get("audit", False))
    if audit and engine_type == "RABBITMQ":
        raise bad_request("Audit logs are not supported for RabbitMQ brokers.", "logs")
    return general, audit


def check_encryption(engine_type: str, options: object) -> tuple[bool, str]:
    """(use an AWS owned key, customer KMS key id)."""
    options = options or {"useAwsOwnedKey": True}
    if not isinstance(options, dict) or "useAwsOwnedKey" not in options:
        raise bad_request("encryptionOptions.useAwsOwnedKey is required.", "encryptionOptions")
    aws_owned, kms_key = bool(options["useAwsOwnedKey"]), options.get("kmsKeyId") or ""
    if aws_owned and kms_key:
        raise bad_request(
            "kmsKeyId can be given only when useAwsOwnedKey is false.", "encryptionOptions"
        )
    if not aws_owned and engine_type == "RABBITMQ":
        raise bad_request(
            "RabbitMQ brokers support only AWS owned keys for encryption at rest.",
            "encryptionOptions",
        )
    return aws_owned, kms_key


def check_maintenance_window(window: object, *, default_day: str) -> tuple[str, str, str]:
    """(day of week, HH:MM, time zone); Amazon MQ picks a window when none is given."""
    if not window:
        return default_day, "03:00", "UTC"
    if not isinstance(window, dict):
        raise bad_request("maintenanceWindowStartTime must be an object.", "maintenanceWindow")
    day = _one_of(
        window.get("dayOfWeek"), engines.enum("DayOfWeek"), "maintenanceWindow", "Day of week"
    )
    time_of_day = window.get("timeOfDay")
    if not isinstance(time_of_day, str) or not TIME_OF_DAY_RE.match(time_of_day):
        raise bad_request(
            f"timeOfDay [{time_of_day}] must be a 24-hour time HH:MM.", "maintenanceWindow"
        )
    zone = window.get("timeZone") or "UTC"
    if not (zone == "UTC" or UTC_OFFSET_RE.match(zone) or zone in available_timezones()):
        raise bad_request(
            f"timeZone [{zone}] must be UTC, a UTC offset such as UTC+05:30, or a Region/City "
            "name such as Europe/Paris.",
            "maintenanceWindow",
        )
    return day, time_of_day, zone


def zone_info(zone: str):
    """A tzinfo for a maintenance window's time zone."""
    from datetime import UTC, timedelta, timezone

    match = UTC_OFFSET_RE.match(zone)
    if match and zone != "UTC":
        sign = -1 if "-" in zone else 1
        digits = re.sub(r"\D", "", zone)
        return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return UTC if zone == "UTC" else ZoneInfo(zone)


def check_network(
    mode: str, publicly_accessible: bool, subnet_ids: object, security_groups: object
) -> tuple[list[str], list[str]]:
    """Subnets (one per AZ the mode uses) and security groups, in AWS's id formats."""
    subnet_ids = list(subnet_ids or [])
    security_groups = list(security_groups or [])
    for subnet in subnet_ids:
        if not isinstance(subnet, str) or not SUBNET_RE.match(subnet):
            raise bad_request(f"Subnet id [{subnet}] is not a valid subnet id.", "subnetIds")
    if len(set(subnet_ids)) != len(subnet_ids):
        raise bad_request("Subnets must be in different Availability Zones.", "subnetIds")
    needed = engines.subnet_count(mode)
    # A cluster takes any number of subnets; no subnets at all means the default VPC's.
    if mode != "CLUSTER_MULTI_AZ" and subnet_ids and len(subnet_ids) != needed:
        raise bad_request(
            f"A {mode} broker needs exactly {needed} subnet{'s' if needed > 1 else ''}.",
            "subnetIds",
        )
    for group in security_groups:
        if not isinstance(group, str) or not SECURITY_GROUP_RE.match(group):
            raise bad_request(
                f"Security group [{group}] is not a valid security group id.", "securityGroups"
            )
    if len(security_groups) > SECURITY_GROUPS_MAX:
        raise bad_request(
            f"A broker can have at most {SECURITY_GROUPS_MAX} security groups.", "securityGroups"
        )
    return subnet_ids, security_groups


def check_auto_minor_upgrade(engine_type: str, engine_version: str, value: object) -> bool:
    if value is None:
        return True
    if not value and engines.auto_minor_upgrade_required(engine_type, engine_version):
        raise bad_request(
            f"autoMinorVersionUpgrade must be true for {engines.engine_label(engine_type)} "
            f"{engine_version} brokers.",
            "autoMinorVersionUpgrade",
        )
    return bool(value)


def check_tags(tags: object) -> dict:
    """Amazon MQ tags follow the AWS tag rules; keys are case-sensitive."""
    return iam_rules.check_tags(tags, entity="broker", case_insensitive_keys=False)


def check_username(engine_type: str, username: object) -> str:
    spec = engines.engine_data()["users"]
    rule = spec["username"]
    pattern, characters = rule["pattern"], rule["characters"]
    if engine_type == "RABBITMQ":
        pattern = spec["rabbitmq_username"]["pattern"]
        characters = spec["rabbitmq_username"]["characters"]
    if (
        not isinstance(username, str)
        or not rule["min_length"] <= len(username) <= rule["max_length"]
        or not re.match(pattern, username)
    ):
        raise bad_request(
            f"Username must be {rule['min_length']}-{rule['max_length']} characters long and "
            f"contain only {characters}.",
            "username",
        )
    if engine_type == "RABBITMQ" and username in spec["rabbitmq_username"]["forbidden"]:
        raise bad_request(f"Amazon MQ does not allow the username {username}.", "username")
    return username


def check_password(password: object) -> str:
    rule = engines.engine_data()["users"]["password"]
    forbidden = rule["forbidden_characters"]
    if (
        not isinstance(password, str)
        or len(password) < rule["min_length"]
        or len(set(password)) < rule["min_unique_characters"]
        or any(c in forbidden for c in password)
    ):
        raise bad_request(
            f"Password must be at least {rule['min_length']} characters long, contain at least "
            f"{rule['min_unique_characters']} unique characters, and must not contain commas, "
            "colons, or equal signs (,:=).",
            "password",
        )
    return password


def check_groups(groups: object) -> list[str]:
    rule = engines.engine_data()["users"]["groups"]
    groups = list(groups or [])
    if len(groups) > rule["max_count"]:
        raise bad_request(f"A user can be in at most {rule['max_count']} groups.", "groups")
    for group in groups:
        if (
            not isinstance(group, str)
            or not rule["min_length"] <= len(group) <= rule["max_length"]
            or not re.match(rule["pattern"], group)
        ):
            raise bad_request(
                f"Group [{group}] must be {rule['min_length']}-{rule['max_length']} characters "
                "long and contain only letters, digits and - . _ ~",
                "groups",
            )
    return list(dict.fromkeys(groups))


def check_initial_users(engine_type: str, strategy: str, users: object) -> list[dict]:
    """CreateBroker's users: RabbitMQ with SIMPLE needs exactly one (reference field rule)."""
    users = list(users or [])
    if strategy == "SIMPLE":
        if engine_type == "RABBITMQ" and len(users) != 1:
            raise bad_request(
                "A RabbitMQ broker with SIMPLE authentication needs exactly one administrative "
                "user at creation.",
                "users",
            )
        if engine_type == "ACTIVEMQ" and not users:
            raise bad_request(
                "An ActiveMQ broker with SIMPLE authentication needs at least one user.", "users"
            )
    limit = engines.engine_data()["users"]["max_users_per_broker"]
    if len(users) > limit:
        raise bad_request(f"A broker can have at most {limit} users.", "users")
    normalized, seen = [], set()
    for user in users:
        if not isinstance(user, dict):
            raise bad_request("Each user must be an object with username and password.", "users")
        username = check_username(engine_type, user.get("username"))
        if username in seen:
            raise bad_request(f"The username {username} is given twice.", "users")
        seen.add(username)
        normalized.append(
            {
                "username": username,
                "password": check_password(user.get("password")),
                "consoleAccess": bool(user.get("consoleAccess", False)),
                "groups": check_groups(user.get("groups")) if engine_type == "ACTIVEMQ" else [],
                "replicationUser": bool(user.get("replicationUser", False)),
            }
        )
    return normalized
