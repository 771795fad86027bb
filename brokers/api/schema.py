"""DRF serializers generated from the reference's Amazon MQ shapes, with the SDK's names.

The native API speaks the names boto3 users know (``BrokerName``, ``EngineType``…); these
classes give drf-spectacular the schema and render wire-keyed dicts under those names, so no
shape is written twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from rest_framework import serializers

from brokers import shapes
from policies.aws_managed import mq_reference

_CONTAINER_RE = re.compile(r"^(list|map)<(.+)>$")


def _field(type_name: str, *, required: bool) -> serializers.Field:
    kwargs = {"required": required}
    if not required:
        kwargs["allow_null"] = True
    container = _CONTAINER_RE.match(type_name)
    if container:
        kind, inner = container.groups()
        if kind == "map":
            return serializers.DictField(child=serializers.CharField(), **kwargs)
        child = _field(inner, required=True)
        if isinstance(child, serializers.Serializer):
            return type(child)(many=True, **kwargs)
        return serializers.ListField(child=child, **kwargs)
    reference = mq_reference()
    if type_name in reference["api_shapes"]:
        return shape_serializer(type_name)(**kwargs)
    if type_name in reference["enums"]:
        return serializers.ChoiceField(choices=reference["enums"][type_name], **kwargs)
    return {
        "boolean": serializers.BooleanField,
        "integer": serializers.IntegerField,
        "timestamp": serializers.DateTimeField,
    }.get(type_name, serializers.CharField)(**kwargs)


def _serializer_class(name: str, members: list[dict]) -> type[serializers.Serializer]:
    fields = {
        member["sdk_name"]: _field(member["type"], required=bool(member.get("required")))
        for member in members
        if member.get("location", "body") == "body"
    }
    return type(f"{name}Serializer", (serializers.Serializer,), fields)


@cache
def shape_serializer(name: str) -> type[serializers.Serializer]:
    """A serializer for an ``api_shapes`` entry (e.g. ``DescribeBrokerOutput``)."""
    return _serializer_class(name, shapes.shape(name))


@cache
def request_serializer(operation: str) -> type[serializers.Serializer]:
    """The body of an operation's request (path and query members left out)."""
    members = [m for m in shapes.operations()[operation]["request"] if m.get("location") == "body"]
    return _serializer_class(f"{operation}Request", members)


@cache
def response_serializer(operation: str) -> type[serializers.Serializer]:
    return _serializer_class(
        f"{operation}Response", shapes.output_shape(shapes.operations()[operation])
    )


def read_request(operation: str, data: dict) -> dict:
    """The request body (SDK names) checked against the reference; returns wire names."""
    members = [m for m in shapes.operations()[operation]["request"] if m.get("location") == "body"]
    return shapes.read_members(members, data or {}, key="sdk_name")


def write_shape(name: str, value: dict) -> dict:
    """A wire-keyed dict as the shape ``name``, with SDK names."""
    return shapes.write_members(shapes.shape(name), value, key="sdk_name")


def write_response(operation: str, value: dict) -> dict:
    members = shapes.output_shape(shapes.operations()[operation])
    return shapes.write_members(members, value, key="sdk_name")


def output_serializer(name: str, describe: Callable) -> type[serializers.Serializer]:
    """A list serializer for models: ``describe(instance)`` → wire dict → shape ``name``."""
    base = shape_serializer(name)

    def to_representation(self, instance):
        return write_shape(name, describe(instance))

    return type(f"{name}ListSerializer", (base,), {"to_representation": to_representation})


def __getattr__(name: str) -> list[str]:
    """``brokers.api.schema.<Enum>``: a reference enum's values, for ENUM_NAME_OVERRIDES."""
    reference_enums = mq_reference()["enums"]
    if name in reference_enums:
        return list(reference_enums[name])
    raise AttributeError(name)
