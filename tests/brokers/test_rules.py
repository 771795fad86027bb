"""Amazon MQ's field rules, one by one (services, the wizard and both APIs share them)."""

import pytest

from brokers import rules
from brokers.errors import BadRequest


def _rejects(check, *args, attribute=None, **kwargs):
    with pytest.raises(BadRequest) as error:
        check(*args, **kwargs)
    if attribute:
        assert error.value.error_attribute == attribute
    return error.value.message


@pytest.mark.parametrize("name", ["a", "orders", "Orders_01", "x" * 50, "b-2"])
def test_broker_name_accepted(name):
    assert rules.check_broker_name(name) == name


@pytest.mark.parametrize("name", ["", "x" * 51, "has space", "dot.name", "star*", "[x]", None])
def test_broker_name_rejected(name):
    _rejects(rules.check_broker_name, name, attribute="brokerName")


def test_engine_versions_and_default():
    assert rules.check_engine("ACTIVEMQ") == ("ACTIVEMQ", "5.18")
    assert rules.check_engine("RABBITMQ", "3.13") == ("RABBITMQ", "3.13")
    assert "Supported versions" in _rejects(
        rules.check_engine, "ACTIVEMQ", "3.13", attribute="engineVersion"
    )
    assert "Valid values are [ACTIVEMQ, RABBITMQ]" in _rejects(
        rules.check_engine, "KAFKA", attribute="engineType"
    )


def test_instance_type_must_belong_to_the_engine():
    _rejects(rules.check_instance_type, "ACTIVEMQ", "SINGLE_INSTANCE", "mq.m7g.large")
    _rejects(rules.check_instance_type, "ACTIVEMQ", "SINGLE_INSTANCE", "mq.t2.micro")
    assert rules.check_instance_type("RABBITMQ", "CLUSTER_MULTI_AZ", "mq.m7g.large")


def test_storage_rules_and_defaults():
    assert rules.check_storage("ACTIVEMQ", "mq.m5.large", None) == ("EFS", 200)
    assert rules.check_storage("RABBITMQ", "mq.t3.micro", None) == ("EBS", 20)
    _rejects(rules.check_storage, "RABBITMQ", "mq.m5.large", "EFS", attribute="storageType")
    _rejects(rules.check_storage, "ACTIVEMQ", "mq.t3.micro", "EBS", attribute="storageType")
    _rejects(rules.check_storage, "ACTIVEMQ", "mq.m5.large", "EBS", 0, attribute="storageSize")


def test_authentication_strategy_per_engine_and_ldap_metadata():
    assert rules.check_authentication_strategy("ACTIVEMQ", None) == "SIMPLE"
    _rejects(rules.check_authentication_strategy, "RABBITMQ", "LDAP")
    _rejects(rules.check_authentication_strategy, "ACTIVEMQ", "CONFIG_MANAGED")
    _rejects(rules.check_ldap, "LDAP", None, attribute="ldapServerMetadata")
    assert "missing" in _rejects(rules.check_ldap, "LDAP", {"hosts": ["ldap.example.com"]})
    ldap = {key: "x" for key in rules.LDAP_REQUIRED} | {"hosts": ["ldap.example.com"]}
    metadata, password = rules.check_ldap("LDAP", ldap)
    assert password == "x" and "serviceAccountPassword" not in metadata
    _rejects(rules.check_ldap, "SIMPLE", ldap)


def test_logs_audit_is_activemq_only():
    assert rules.check_logs("ACTIVEMQ", {"general": True, "audit": True}) == (True, True)
    _rejects(rules.check_logs, "RABBITMQ", {"audit": True}, attribute="logs")


def test_encryption_options():
    assert rules.check_encryption("ACTIVEMQ", None) == (True, "")
    assert rules.check_encryption("ACTIVEMQ", {"useAwsOwnedKey": False, "kmsKeyId": "k"}) == (
        False,
        "k",
    )
    _rejects(rules.check_encryption, "ACTIVEMQ", {"useAwsOwnedKey": True, "kmsKeyId": "k"})
    _rejects(rules.check_encryption, "RABBITMQ", {"useAwsOwnedKey": False})
    _rejects(rules.check_encryption, "ACTIVEMQ", {"kmsKeyId": "k"}, attribute="encryptionOptions")


@pytest.mark.parametrize(
    "window",
    [
        {"dayOfWeek": "MONDAY", "timeOfDay": "02:30", "timeZone": "Europe/Paris"},
        {"dayOfWeek": "FRIDAY", "timeOfDay": "23:59", "timeZone": "UTC+05:30"},
        {"dayOfWeek": "SUNDAY", "timeOfDay": "00:00"},
    ],
)
def test_maintenance_window_accepted(window):
    day, time_of_day, zone = rules.check_maintenance_window(window, default_day="SUNDAY")
    assert (day, time_of_day) == (window["dayOfWeek"], window["timeOfDay"])
    assert zone == window.get("timeZone", "UTC")


@pytest.mark.parametrize(
    "window",
    [
        {"dayOfWeek": "FUNDAY", "timeOfDay": "02:30"},
        {"dayOfWeek": "MONDAY", "timeOfDay": "24:00"},
        {"dayOfWeek": "MONDAY", "timeOfDay": "2:30"},
        {"dayOfWeek": "MONDAY", "timeOfDay": "02:30", "timeZone": "Mars/Olympus"},
    ],
)
def test_maintenance_window_rejected(window):
    _rejects(rules.check_maintenance_window, window, default_day="SUNDAY")


def test_network_rules_per_mode():
    one, two = (
        ["subnet-0123456789abcdef0"],
        ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    )
    assert rules.check_network("SINGLE_INSTANCE", False, one, None) == (one, [])
    assert rules.check_network("ACTIVE_STANDBY_MULTI_AZ", False, two, None) == (two, [])
    _rejects(rules.check_network, "SINGLE_INSTANCE", False, two, None, attribute="subnetIds")
    _rejects(rules.check_network, "ACTIVE_STANDBY_MULTI_AZ", False, one, None)
    _rejects(rules.check_network, "SINGLE_INSTANCE", False, ["vpc-1"], None)
    _rejects(rules.check_network, "SINGLE_INSTANCE", False, None, ["default"])
    assert rules.check_network("CLUSTER_MULTI_AZ", True, [*two, "subnet-0123456789abcdef2"], [])


def test_auto_minor_version_upgrade_required_on_newest_engines():
    _rejects(rules.check_auto_minor_upgrade, "ACTIVEMQ", "5.18", False)
    _rejects(rules.check_auto_minor_upgrade, "RABBITMQ", "3.13", False)
    assert rules.check_auto_minor_upgrade("ACTIVEMQ", "5.17.6", False) is False
    assert rules.check_auto_minor_upgrade("ACTIVEMQ", "5.18", None) is True


@pytest.mark.parametrize(
    ("engine", "username", "ok"),
    [
        ("ACTIVEMQ", "app-user.1_~x", True),
        ("ACTIVEMQ", "a", False),
        ("ACTIVEMQ", "x" * 101, False),
        ("ACTIVEMQ", "has space", False),
        ("RABBITMQ", "with~tilde", False),
        ("RABBITMQ", "guest", False),
        ("RABBITMQ", "admin", True),
    ],
)
def test_username_rules(engine, username, ok):
    if ok:
        assert rules.check_username(engine, username) == username
    else:
        _rejects(rules.check_username, engine, username, attribute="username")


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Str0ng-Password", True),
        ("short-Pw1", False),
        ("aaaaaaaaaaaaab", False),
        ("has,comma-password", False),
        ("has:colon-password", False),
        ("has=equals-password", False),
    ],
)
def test_password_rules(password, ok):
    if ok:
        assert rules.check_password(password) == password
    else:
        message = _rejects(rules.check_password, password, attribute="password")
        assert "at least 12 characters" in message


def test_group_rules():
    assert rules.check_groups(["admins", "admins", "ops~1"]) == ["admins", "ops~1"]
    _rejects(rules.check_groups, ["a"], attribute="groups")
    _rejects(rules.check_groups, [f"group{n}" for n in range(21)], attribute="groups")


def test_initial_users_per_engine():
    user = {"username": "admin", "password": "Str0ng-Password"}
    _rejects(rules.check_initial_users, "RABBITMQ", "SIMPLE", [], attribute="users")
    _rejects(rules.check_initial_users, "RABBITMQ", "SIMPLE", [user, {**user, "username": "b2"}])
    _rejects(rules.check_initial_users, "ACTIVEMQ", "SIMPLE", [])
    _rejects(rules.check_initial_users, "ACTIVEMQ", "SIMPLE", [user, user])
    assert rules.check_initial_users("ACTIVEMQ", "LDAP", []) == []
    (normalized,) = rules.check_initial_users("RABBITMQ", "SIMPLE", [user | {"groups": ["g1"]}])
    assert normalized["groups"] == []  # groups do not apply to RabbitMQ


def test_configuration_name_rules():
    assert rules.check_configuration_name("orders-config_1")
    _rejects(rules.check_configuration_name, "with space", attribute="name")
    _rejects(rules.check_configuration_name, "x" * 151)
