"""Amazon MQ's request and response shapes, read from the reference (``api_shapes``).

``read`` checks a request's members against their reference types (booleans, integers,
enums, nested shapes, lists and maps) and returns them keyed by wire name; ``write`` keeps
only a shape's members, drops empty ones and formats timestamps, keyed by wire name or by the
SDK's member name (``key="sdk_name"``) for the native API. No shape is written out by hand.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from brokers.errors import bad_request
from policies.aws_managed import mq_reference

_CONTAINER_RE = re.compile(r"^(list|map)<(.+)>$")


@cache
def operations() -> dict[str, dict]:
    """The reference's api_operations by name."""
    return {op["name"]: op for op in mq_reference()["api_operations"]}


def shape(name: str) -> list[dict]:
    return mq_reference()["api_shapes"][name]


def _enums() -> dict[str, list[str]]:
    return mq_reference()["enums"]


def _split_map(inner: str) -> tuple[str, str]:
    key, _, value = inner.partition(",")
    return key.strip(), value.strip()


def write(type_name: str, value, *, key: str = "name"):
    """``value`` (wire-keyed) as the reference type ``type_name`` says; None when empty."""
    if value is None:
        return None
    container = _CONTAINER_RE.match(type_name)
    if container:
        kind, inner = container.groups()
        if kind == "list":
            return [write(inner, item, key=key) for item in value]
        _, value_type = _split_map(inner)
        return {str(k): write(value_type, v, key=key) for k, v in value.items()}
    if type_name in mq_reference()["api_shapes"]:
        return write_members(shape(type_name), value, key=key)
    if type_name == "timestamp":
        return _timestamp(value)
    if type_name == "integer":
        return int(value)
    if type_name == "boolean":
        return bool(value)
    return value


def write_members(members: list[dict], value: dict, *, key: str = "name") -> dict:
    """The members of a structure that have a value, keyed by ``key`` (name or sdk_name)."""
    result = {}
    for member in members:
        if member.get("location", "body") != "body":
            continue
        item = write(member["type"], value.get(member["name"]), key=key)
        if item is not None:
            result[member[key]] = item
    return result


def _timestamp(value) -> str:
    if isinstance(value, datetime):
        text = value.isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    return str(value)


def read_members(members: list[dict], raw: dict, *, key: str = "name", path: str = "") -> dict:
    """Check ``raw`` (keyed by ``key``) against ``members``; returns wire-keyed values."""
    if not isinstance(raw, dict):
        raise bad_request(f"{path or 'The request body'} must be an object.", path or "body")
    result = {}
    for member in members:
        name = member["name"]
        attribute = name if not path else f"{path}.{name}"
        if member[key] not in raw or raw[member[key]] is None:
            if member.get("required") and member.get("location", "body") == "body":
                raise bad_request(f"{attribute} is required.", name)
            continue
        result[name] = read(member["type"], raw[member[key]], key=key, attribute=attribute)
    return result


def read(type_name: str, value, *, key: str = "name", attribute: str = ""):
    """Check one value against a reference type; raises BadRequest naming ``attribute``."""
    container = _CONTAINER_RE.match(type_name)
    if container:
        kind, inner = container.groups()
        if kind == "list":
            if not isinstance(value, list):
                raise bad_request(f"{attribute} must be a list.", attribute)
            return [read(inner, item, key=key, attribute=attribute) for item in value]
        key_type, value_type = _split_map(inner)
        if not isinstance(value, dict):
            raise bad_request(f"{attribute} must be a map of strings.", attribute)
        return {
            read(key_type, k, attribute=attribute): read(value_type, v, attribute=attribute)
            for k, v in value.items()
        }
    if type_name in mq_reference()["api_shapes"]:
        return read_members(shape(type_name), value, key=key, path=attribute)
    if type_name in _enums():
        allowed = _enums()[type_name]
        if value not in allowed:
            raise bad_request(
                f"{attribute} [{value}] is invalid. Valid values are [{', '.join(allowed)}].",
                attribute,
            )
        return value
    if type_name == "boolean":
        if not isinstance(value, bool):
            raise bad_request(f"{attribute} must be true or false.", attribute)
        return value
    if type_name == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"{attribute} must be an integer.", attribute)
        return value
    if not isinstance(value, str):
        raise bad_request(f"{attribute} must be a string.", attribute)
    return value


def output_shape(operation: dict) -> list[dict]:
    """An operation's response members (body ones)."""
    return [m for m in operation["response"] if m.get("location", "body") == "body"]
