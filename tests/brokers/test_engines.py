"""What Amazon MQ offers per engine, read from the reference (and its documented supplement)."""

import itertools

import pytest

from brokers import engines, rules
from brokers.errors import BadRequest
from policies.aws_managed import mq_reference

REFERENCE = mq_reference()
ENGINES = REFERENCE["enums"]["EngineType"]
MODES = REFERENCE["enums"]["DeploymentMode"]
VALID_MODES = {
    ("ACTIVEMQ", "SINGLE_INSTANCE"),
    ("ACTIVEMQ", "ACTIVE_STANDBY_MULTI_AZ"),
    ("RABBITMQ", "SINGLE_INSTANCE"),
    ("RABBITMQ", "CLUSTER_MULTI_AZ"),
}


@pytest.mark.parametrize(("engine", "mode"), list(itertools.product(ENGINES, MODES)))
def test_every_engine_and_mode_combination(engine, mode):
    if (engine, mode) in VALID_MODES:
        assert rules.check_deployment_mode(engine, mode) == mode
        assert mode in engines.deployment_modes(engine)
    else:
        with pytest.raises(BadRequest) as error:
            rules.check_deployment_mode(engine, mode)
        assert error.value.error_attribute == "deploymentMode"
        assert "is not supported for" in error.value.message


def test_modes_come_from_the_reference_note():
    assert engines.deployment_mode_engines("ACTIVE_STANDBY_MULTI_AZ") == ("ACTIVEMQ",)
    assert engines.deployment_mode_engines("CLUSTER_MULTI_AZ") == ("RABBITMQ",)
    assert engines.deployment_mode_engines("SINGLE_INSTANCE") == tuple(ENGINES)
    assert engines.subnet_count("ACTIVE_STANDBY_MULTI_AZ") == 2
    assert engines.subnet_count("SINGLE_INSTANCE") == 1


def test_instance_types_come_from_the_reference_without_notes_or_legacy():
    activemq = engines.instance_type_names("ACTIVEMQ")
    rabbitmq = engines.instance_type_names("RABBITMQ")
    assert "mq.m5.large" in activemq and "mq.t2.micro" not in activemq
    assert all(not name.startswith("(") for name in activemq + rabbitmq)
    assert "mq.m7g.large" in rabbitmq and not any(n.startswith("mq.m7g") for n in activemq)
    legacy = [t.name for t in engines.instance_types("ACTIVEMQ", include_legacy=True) if t.legacy]
    assert legacy == ["mq.t2.micro", "mq.m4.large"]


@pytest.mark.parametrize("engine", ENGINES)
def test_micro_instances_run_single_instance_brokers_only(engine):
    multi = next(m for m in engines.deployment_modes(engine) if m != "SINGLE_INSTANCE")
    assert "mq.t3.micro" not in engines.instance_type_names(engine, multi)
    with pytest.raises(BadRequest, match="supports only the SINGLE_INSTANCE"):
        rules.check_instance_type(engine, multi, "mq.t3.micro")
    assert rules.check_instance_type(engine, "SINGLE_INSTANCE", "mq.t3.micro") == "mq.t3.micro"


@pytest.mark.parametrize(
    ("engine", "instance", "expected"),
    [
        ("ACTIVEMQ", "mq.t3.micro", ["EFS"]),
        ("ACTIVEMQ", "mq.m5.large", ["EBS", "EFS"]),
        ("RABBITMQ", "mq.t3.micro", ["EBS"]),
        ("RABBITMQ", "mq.m7g.large", ["EBS"]),
    ],
)
def test_storage_types_follow_the_reference_note(engine, instance, expected):
    assert engines.storage_types(engine, instance) == expected


def test_authentication_strategies_per_engine():
    assert engines.authentication_strategies("ACTIVEMQ") == ["SIMPLE", "LDAP"]
    assert engines.authentication_strategies("RABBITMQ") == ["SIMPLE", "CONFIG_MANAGED"]


def test_engine_type_options_and_instance_options_use_wire_shapes():
    shapes = REFERENCE["api_shapes"]
    option = engines.engine_type_options("RABBITMQ")[0]
    assert set(option) == {m["name"] for m in shapes["BrokerEngineType"]}
    instance = engines.instance_options(region="eu-west-1", engine_type="ACTIVEMQ")[0]
    assert set(instance) == {m["name"] for m in shapes["BrokerInstanceOption"]}
    assert instance["availabilityZones"][0] == {"name": "eu-west-1a"}
    filtered = engines.instance_options(
        region="us-east-1", engine_type="ACTIVEMQ", storage_type="EBS"
    )
    assert {o["hostInstanceType"] for o in filtered} == {
        "mq.m5.large",
        "mq.m5.xlarge",
        "mq.m5.2xlarge",
        "mq.m5.4xlarge",
    }
