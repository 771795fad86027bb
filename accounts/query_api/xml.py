"""The query protocol's output side: responses and errors as AWS writes them, shape-driven.

Values are rendered by the output shape of botocore's model: members in the model's order
(and only those), lists as ``<member>``, maps as ``<entry><key/><value/></entry>``, booleans
lower-case, timestamps ISO 8601 in UTC, blobs base64, and IAM's ``policyDocumentType``
strings URL-encoded, since botocore URL-decodes and JSON-parses exactly those.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote

from botocore.model import Shape

POLICY_DOCUMENT_SHAPE = "policyDocumentType"
# Characters XML 1.0 cannot carry at all; a stray one must not make the response unreadable.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    """Escape character data; CR as a reference, since parsers would turn it into LF."""
    value = _INVALID_XML.sub("", value)
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#xD;")
    )


def timestamp(value: datetime | date | str) -> str:
    """``2026-11-28T10:10:10Z``: the form IAM and STS write timestamps in."""
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _scalar(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return timestamp(value)
    if kind == "blob":
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return base64.b64encode(raw).decode("ascii")
    if kind in ("integer", "long"):
        return str(int(value))
    if shape.name == POLICY_DOCUMENT_SHAPE:
        return quote(str(value), safe="")
    return text(str(value))


def _element(out: list[str], name: str, shape: Shape, value: Any) -> None:
    kind = shape.type_name
    if kind == "structure":
        out.append(f"<{name}>")
        _members(out, shape, value)
        out.append(f"</{name}>")
    elif kind == "list":
        member = shape.member
        item = member.serialization.get("name", "member")
        if shape.serialization.get("flattened"):
            for v in value:
                _element(out, name, member, v)
            return
        if not value:
            out.append(f"<{name}/>")
            return
        out.append(f"<{name}>")
        for v in value:
            _element(out, item, member, v)
        out.append(f"</{name}>")
    elif kind == "map":
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out.append(f"<{name}>")
        for k, v in value.items():
            out.append("<entry>")
            _element(out, key_name, shape.key, k)
            _element(out, value_name, shape.value, v)
            out.append("</entry>")
        out.append(f"</{name}>")
    else:
        out.append(f"<{name}>{_scalar(shape, value)}</{name}>")


def _members(out: list[str], shape: Shape, value: dict) -> None:
    for name, member in shape.members.items():
        item = value.get(name)
        if item is None:
            continue
        _element(out, member.serialization.get("name", name), member, item)


def response(
    operation: str, shape: Shape | None, result: dict | None, xmlns: str, request_id: str
) -> str:
    """``<OpResponse><OpResult>…</OpResult><ResponseMetadata>…`` for one operation."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<{operation}Response xmlns="{xmlns}">']
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{operation}Result")
        out.append(f"<{wrapper}>")
        _members(out, shape, result or {})
        out.append(f"</{wrapper}>")
    out.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>")
    out.append(f"</{operation}Response>")
    return "".join(out)


def error(code: str, message: str, *, status: int, xmlns: str, request_id: str) -> str:
    """``<ErrorResponse>``: ``Sender`` for 4xx, ``Receiver`` for server faults."""
    fault = "Sender" if status < 500 else "Receiver"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<ErrorResponse xmlns="{xmlns}"><Error><Type>{fault}</Type>'
        f"<Code>{text(code)}</Code><Message>{text(message)}</Message></Error>"
        f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    )
