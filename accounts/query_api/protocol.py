"""The query protocol's input side, read from botocore's service models (never hand-written).

``parse_input`` turns the flat form fields botocore's ``QuerySerializer`` writes
(``Tags.member.1.Key``, ``ContextEntries.member.2.ContextKeyValues.member.1``,
``Attributes.entry.1.key``) back into the typed structure of the operation's input shape,
and checks what AWS checks on the server: required members, types, lengths, ranges, enums
and patterns, answering with AWS's ``ValidationError`` wording.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.loaders import Loader
from botocore.model import ServiceModel, Shape, StructureShape

from accounts.errors import IAMError

API_VERSIONS = {"iam": "2010-05-08", "sts": "2011-06-15"}
_MISSING = object()


class QueryValidationError(IAMError):
    """AWS's ``ValidationError`` listing every constraint the input breaks."""

    code = "ValidationError"
    http_status = 400


@functools.cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of ``iam`` or ``sts`` at the API version the console speaks."""
    data = Loader().load_service_model(service, "service-2", API_VERSIONS[service])
    return ServiceModel(data, service_name=service)


def namespace(service: str) -> str:
    """The XML namespace of the service's responses and errors."""
    return service_model(service).metadata["xmlNamespace"]


@functools.cache
def error_statuses(service: str) -> dict[str, int]:
    """Error code → HTTP status, as the model's error shapes declare them."""
    statuses = {}
    for shape in service_model(service).error_shapes:
        error = shape.metadata.get("error") or {}
        if "code" in error and "httpStatusCode" in error:
            statuses[error["code"]] = int(error["httpStatusCode"])
    return statuses


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    # The models' patterns are Java regexes; the few using \p{…} classes do not compile in
    # Python and are left to the services' own checks (tags: accounts.rules.check_tags).
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        return None


def _label(name: str) -> str:
    return name[:1].lower() + name[1:]


def _shown(shape: Shape, value: Any) -> str:
    if shape.metadata.get("sensitive"):
        return "'***'"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return f"'{value}'"


class _Reader:
    """One pass over the flat fields of a request, collecting every validation error."""

    def __init__(self, fields: Mapping[str, str]):
        self.fields = fields
        self.errors: list[str] = []

    def fail(self, shape: Shape, value: Any, where: str, constraint: str) -> None:
        shown = "null" if value is None else _shown(shape, value)
        self.errors.append(
            f"Value {shown} at '{where}' failed to satisfy constraint: Member must {constraint}"
        )

    def has_prefix(self, prefix: str) -> bool:
        return any(k.startswith(prefix) for k in self.fields)

    def structure(self, shape: StructureShape, prefix: str, where: str) -> dict:
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            key = prefix + member.serialization.get("name", name)
            value = self.value(member, key, f"{where}{_label(name)}")
            if value is not _MISSING:
                out[name] = value
        for name in shape.required_members:
            if name not in out:
                self.fail(shape.members[name], None, f"{where}{_label(name)}", "not be null")
        return out

    def value(self, shape: Shape, key: str, where: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            if not self.has_prefix(key + "."):
                return _MISSING
            return self.structure(shape, key + ".", where + ".")
        if kind == "list":
            return self.list(shape, key, where)
        if kind == "map":
            return self.map(shape, key, where)
        raw = self.fields.get(key)
        if raw is None:
            return _MISSING
        return self.scalar(shape, raw, where)

    def _indices(self, prefix: str) -> list[int]:
        found = set()
        for k in self.fields:
            if k.startswith(prefix):
                head = k[len(prefix) :].split(".", 1)[0]
                if head.isdigit():
                    found.add(int(head))
        return sorted(found)

    def list(self, shape: Shape, key: str, where: str) -> Any:
        member = shape.member
        flattened = shape.serialization.get("flattened")
        item_name = member.serialization.get("name", "member")
        prefix = f"{key}." if flattened else f"{key}.{item_name}."
        indices = self._indices(prefix)
        if not indices:
            # botocore writes an empty list as the bare key with an empty value.
            return [] if self.fields.get(key) == "" else _MISSING
        items = []
        for i in indices:
            value = self.value(member, f"{prefix}{i}", f"{where}.{i}.member")
            if value is not _MISSING:
                items.append(value)
        self.bounds(shape, len(items), items, where, "length")
        return items

    def map(self, shape: Shape, key: str, where: str) -> Any:
        flattened = shape.serialization.get("flattened")
        prefix = f"{key}." if flattened else f"{key}.entry."
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        indices = self._indices(prefix)
        if not indices:
            return _MISSING
        out = {}
        for i in indices:
            k = self.value(shape.key, f"{prefix}{i}.{key_name}", f"{where}.{i}.key")
            v = self.value(shape.value, f"{prefix}{i}.{value_name}", f"{where}.{i}.value")
            if k is not _MISSING:
                out[k] = None if v is _MISSING else v
        return out

    def scalar(self, shape: Shape, raw: str, where: str) -> Any:
        kind = shape.type_name
        if kind == "string":
            self.bounds(shape, len(raw), raw, where, "length")
            if shape.enum and raw not in shape.enum:
                self.fail(shape, raw, where, f"satisfy enum value set: [{', '.join(shape.enum)}]")
            pattern = shape.metadata.get("pattern")
            compiled = _pattern(pattern) if pattern else None
            if compiled is not None and raw and not compiled.fullmatch(raw):
                self.fail(shape, raw, where, f"satisfy regular expression pattern: {pattern}")
            return raw
        if kind in ("integer", "long"):
            try:
                number = int(raw)
            except ValueError:
                self.fail(shape, raw, where, "be a number")
                return _MISSING
            self.bounds(shape, number, number, where, "value")
            return number
        if kind in ("float", "double"):
            try:
                return float(raw)
            except ValueError:
                self.fail(shape, raw, where, "be a number")
                return _MISSING
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                self.fail(shape, raw, where, "be true or false")
                return _MISSING
            return raw.lower() == "true"
        if kind == "timestamp":
            return self.timestamp(shape, raw, where)
        if kind == "blob":
            try:
                return base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError):
                self.fail(shape, raw, where, "be base64-encoded")
                return _MISSING
        return raw

    def timestamp(self, shape: Shape, raw: str, where: str) -> Any:
        try:
            if re.fullmatch(r"\d+(\.\d+)?", raw):
                return datetime.fromtimestamp(float(raw), UTC)
            value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        except (ValueError, OverflowError):
            self.fail(shape, raw, where, "be an ISO 8601 timestamp")
            return _MISSING

    def bounds(self, shape: Shape, size: int, value: Any, where: str, what: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and size < low:
            self.fail(shape, value, where, f"have {what} greater than or equal to {low}")
        if high is not None and size > high:
            self.fail(shape, value, where, f"have {what} less than or equal to {high}")


def parse_input(shape: StructureShape | None, fields: Mapping[str, str]) -> dict:
    """The operation's input as typed Python values; raises AWS's ValidationError."""
    if shape is None:
        return {}
    reader = _Reader(fields)
    params = reader.structure(shape, "", "")
    if reader.errors:
        count = len(reader.errors)
        noun = "error" if count == 1 else "errors"
        raise QueryValidationError(
            f"{count} validation {noun} detected: " + "; ".join(reader.errors)
        )
    return params
