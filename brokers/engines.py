"""What Amazon MQ offers per engine: versions, deployment modes, instance types, storage.

Enums, their notes, instance types and field rules come from the shared reference
(``policies.aws_managed.mq_reference()``); the few facts it lacks (engine versions, user and
configuration rules) come from ``brokers/data/amazon-mq-engines.json``, which names its sources.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from policies.aws_managed import mq_reference

ENGINES_FILE = Path(__file__).resolve().parent / "data" / "amazon-mq-engines.json"
ENGINE_LABELS = {"ACTIVEMQ": "ActiveMQ", "RABBITMQ": "RabbitMQ"}


@cache
def engine_data() -> dict:
    """The supplement to the reference (engine versions, user and configuration rules)."""
    return json.loads(ENGINES_FILE.read_text())


def enum(name: str) -> list[str]:
    """The values of one of the reference's enums (``BrokerState``, ``DeploymentMode``…)."""
    return list(mq_reference()["enums"][name])


def engine_types() -> list[str]:
    return enum("EngineType")


def engine_label(engine_type: str) -> str:
    return ENGINE_LABELS.get(engine_type, engine_type)


def engine_versions(engine_type: str) -> list[str]:
    """Supported versions, newest first (the first is the default)."""
    return list(engine_data()["engine_versions"].get(engine_type, []))


def default_engine_version(engine_type: str) -> str:
    versions = engine_versions(engine_type)
    return versions[0] if versions else ""


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def auto_minor_upgrade_required(engine_type: str, engine_version: str) -> bool:
    """ActiveMQ 5.18+ and RabbitMQ 3.13+ must keep automatic minor version upgrades on."""
    floor = engine_data()["auto_minor_version_upgrade_required_from"].get(engine_type)
    return bool(floor) and _version_tuple(engine_version) >= _version_tuple(floor)


def _note_for(enum_name: str, value: str) -> str:
    """The parenthesis after ``value`` in the reference's note on ``enum_name``."""
    note = mq_reference()["enum_notes"].get(enum_name, "")
    match = re.search(rf"\b{re.escape(value)}\s*\(([^)]*)\)", note)
    return match.group(1) if match else ""


@cache
def _mode_engines() -> dict[str, tuple[str, ...]]:
    """Engines per deployment mode, read from the reference's DeploymentMode note."""
    result: dict[str, tuple[str, ...]] = {}
    for mode in enum("DeploymentMode"):
        note = _note_for("DeploymentMode", mode).lower()
        named = tuple(e for e in engine_types() if engine_label(e).lower() in note)
        result[mode] = named or tuple(engine_types())
    return result


def deployment_modes(engine_type: str) -> list[str]:
    """The deployment modes an engine supports (ActiveMQ: active/standby; RabbitMQ: cluster)."""
    return [mode for mode, engines in _mode_engines().items() if engine_type in engines]


def deployment_mode_engines(mode: str) -> tuple[str, ...]:
    return _mode_engines().get(mode, ())


def subnet_count(mode: str) -> int:
    """Subnets a private broker of this mode needs (from the DeploymentMode note, 1 otherwise)."""
    match = re.search(r"(\d+)\s+subnets?", _note_for("DeploymentMode", mode))
    return int(match.group(1)) if match else 1


@dataclass(frozen=True)
class InstanceType:
    """One host instance type of an engine; legacy types exist only on older brokers."""

    name: str
    legacy: bool = False

    @property
    def family(self) -> str:
        return self.name.rsplit(".", 1)[0]


@cache
def _instance_types(engine_type: str) -> tuple[InstanceType, ...]:
    entries = mq_reference()["instance_types"].get(engine_type, [])
    types = []
    for entry in entries:
        if entry.startswith("("):  # a note, not an instance type
            continue
        name, _, rest = entry.partition(" ")
        types.append(InstanceType(name=name, legacy="legacy" in rest))
    return tuple(types)


def instance_types(engine_type: str, *, include_legacy: bool = False) -> list[InstanceType]:
    return [t for t in _instance_types(engine_type) if include_legacy or not t.legacy]


def instance_type_names(engine_type: str, deployment_mode: str | None = None) -> list[str]:
    """Instance types a new broker of this engine (and mode) may use."""
    single_only = set(engine_data()["single_instance_only_instance_types"])
    return [
        t.name
        for t in instance_types(engine_type)
        if deployment_mode in (None, "SINGLE_INSTANCE") or t.name not in single_only
    ]


def instance_supports_mode(instance_type: str, deployment_mode: str) -> bool:
    single_only = engine_data()["single_instance_only_instance_types"]
    return deployment_mode == "SINGLE_INSTANCE" or instance_type not in single_only


def storage_types(engine_type: str, instance_type: str) -> list[str]:
    """Storage types for this engine and instance (reference note on BrokerStorageType)."""
    storage = engine_data()["storage"]
    result = []
    for storage_type in enum("BrokerStorageType"):
        if storage_type == "EFS" and engine_type == "RABBITMQ":
            continue  # "EFS is not supported for RabbitMQ"
        prefix = storage["ebs_instance_prefix"].get(engine_type)
        if storage_type == "EBS" and prefix and not instance_type.startswith(prefix):
            continue  # "EBS only with mq.m5 instance family for ActiveMQ"
        result.append(storage_type)
    return result


def default_storage_type(engine_type: str) -> str:
    return engine_data()["storage"]["default_type"][engine_type]


def default_storage_size(instance_type: str) -> int:
    sizes = engine_data()["storage"]["default_size_gb"]
    return sizes.get(instance_type, sizes["*"])


def authentication_strategies(engine_type: str) -> list[str]:
    """SIMPLE everywhere; LDAP for ActiveMQ, CONFIG_MANAGED for RabbitMQ (reference note)."""
    result = []
    for strategy in enum("AuthenticationStrategy"):
        note = _note_for("AuthenticationStrategy", strategy).lower()
        named = [e for e in engine_types() if engine_label(e).lower() in note]
        if not named or engine_type in named:
            result.append(strategy)
    return result


def availability_zones(region: str) -> list[str]:
    return [f"{region}{letter}" for letter in "abc"]


def engine_type_options(engine_type: str | None = None) -> list[dict]:
    """DescribeBrokerEngineTypes' ``brokerEngineTypes`` (wire names)."""
    return [
        {"engineType": engine, "engineVersions": [{"name": v} for v in engine_versions(engine)]}
        for engine in engine_types()
        if engine_type in (None, "", engine)
    ]


def instance_options(
    *,
    region: str,
    engine_type: str | None = None,
    host_instance_type: str | None = None,
    storage_type: str | None = None,
) -> list[dict]:
    """DescribeBrokerInstanceOptions' ``brokerInstanceOptions`` (wire names), filtered."""
    options = []
    for engine in engine_types():
        if engine_type and engine != engine_type:
            continue
        for instance in instance_types(engine):
            if host_instance_type and instance.name != host_instance_type:
                continue
            for storage in storage_types(engine, instance.name):
                if storage_type and storage != storage_type:
                    continue
                options.append(
                    {
                        "availabilityZones": [{"name": z} for z in availability_zones(region)],
                        "engineType": engine,
                        "hostInstanceType": instance.name,
                        "storageType": storage,
                        "supportedDeploymentModes": [
                            m
                            for m in deployment_modes(engine)
                            if instance_supports_mode(instance.name, m)
                        ],
                        "supportedEngineVersions": engine_versions(engine),
                    }
                )
    return options
