"""Configuration documents: ActiveMQ XML and RabbitMQ cuttlefish, checked as Amazon MQ does.

A malformed document is a ``BadRequest`` naming the line (and column); elements or broker
attributes Amazon MQ does not permit are removed with a SanitizationWarning, as Amazon MQ
does, and the sanitized document is what the revision stores.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from xml.dom import minidom
from xml.parsers import expat

from brokers.engines import engine_data
from brokers.errors import BadRequest

DATA_ATTRIBUTE = "data"
MAX_DATA_BYTES = 1024 * 1024  # the API's 1 MB body limit bounds a document anyway


@dataclass
class DocumentCheck:
    """The outcome of checking a document: what to store and what was removed."""

    data: str
    warnings: list[dict] = field(default_factory=list)
    # Where each warning's element starts (1-based line), for the editor's messages.
    warning_lines: list[int] = field(default_factory=list)
    references_role: bool = False
    access_keys: list[str] = field(default_factory=list)


def document_error(message: str, line: int | None = None, column: int | None = None):
    where = ""
    if line is not None:
        where = f" (line {line}" + (f", column {column}" if column is not None else "") + ")"
    text = f"{message}{where}"
    return BadRequest(text, fields={DATA_ATTRIBUTE: text})


def check_document(engine_type: str, data: object) -> DocumentCheck:
    """Check ``data`` for ``engine_type``; raises BadRequest, returns what to store."""
    if not isinstance(data, str) or not data.strip():
        raise document_error("The configuration data must not be empty.")
    if len(data.encode("utf-8")) > MAX_DATA_BYTES:
        raise document_error("The configuration data must be at most 1 MB.")
    if engine_type == "ACTIVEMQ":
        return check_activemq(data)
    return check_rabbitmq(data)


def _element_lines(data: str) -> list[tuple[str, int, int]]:
    """Parse with expat (the stdlib parser); refuse DTDs; every element's name, line, column."""
    parser = expat.ParserCreate(namespace_separator=" ")
    elements: list[tuple[str, int, int]] = []

    def start(name, attributes):
        elements.append((name, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1))

    def doctype(*args):
        # Entity expansion is how XML bombs and external reads happen: no DTD at all.
        raise document_error(
            "Document type declarations are not allowed in a configuration",
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
        )

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = lambda *args: doctype()
    try:
        parser.Parse(data.encode("utf-8"), True)
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        raise document_error(
            f"The configuration is not well-formed XML: {reason}", error.lineno, error.offset + 1
        ) from error
    return elements


def check_activemq(data: str) -> DocumentCheck:
    """Well-formed XML whose root is ``<broker>`` in ActiveMQ's namespace; sanitize the rest."""
    rules = engine_data()["activemq_configuration"]
    elements = _element_lines(data)
    namespace, root = rules["namespace"], rules["root_element"]
    root_name, root_line, root_column = elements[0]
    if root_name not in (f"{namespace} {root}", root):
        raise document_error(
            f'The root element must be <{root} xmlns="{namespace}">, not '
            f"<{root_name.rpartition(' ')[2]}>",
            root_line,
            root_column,
        )
    document = minidom.parseString(data.encode("utf-8"))
    permitted = set(rules["permitted_elements"])
    attribute_types = rules["broker_attributes"]
    result = DocumentCheck(data=data)
    ordered = [node for node in _walk(document.documentElement)]
    # minidom and expat both visit elements in document order: zip them for line numbers.
    removed: set[int] = set()
    for index, node in enumerate(ordered):
        if any(id(parent) in removed for parent in _ancestors(node)):
            continue
        line = elements[index][1] if index < len(elements) else 0
        if node.localName not in permitted:
            removed.add(id(node))
            result.warnings.append(
                {"elementName": node.localName, "reason": "DISALLOWED_ELEMENT_REMOVED"}
            )
            result.warning_lines.append(line)
            continue
        if node is document.documentElement:
            _sanitize_broker_attributes(node, attribute_types, result, line)
    for node in ordered:
        if id(node) in removed and node.parentNode is not None:
            before = node.previousSibling
            if (
                before is not None
                and before.nodeType == before.TEXT_NODE
                and not before.data.strip()
            ):
                node.parentNode.removeChild(before)  # the removed element's indentation
            node.parentNode.removeChild(node)
    if result.warnings:
        result.data = _serialize(document, data)
    return result


def _walk(node):
    yield node
    for child in node.childNodes:
        if child.nodeType == child.ELEMENT_NODE:
            yield from _walk(child)


def _ancestors(node):
    parent = node.parentNode
    while parent is not None and parent.nodeType == parent.ELEMENT_NODE:
        yield parent
        parent = parent.parentNode


def _sanitize_broker_attributes(node, attribute_types: dict, result: DocumentCheck, line: int):
    for name in list(node.attributes.keys()):
        if name == "xmlns" or name.startswith("xmlns:"):
            continue
        value = node.getAttribute(name)
        kind = attribute_types.get(name)
        reason = None
        if kind is None:
            reason = "DISALLOWED_ATTRIBUTE_REMOVED"
        elif (kind == "boolean" and value not in ("true", "false")) or (
            kind == "integer" and not re.fullmatch(r"-?\d+", value)
        ):
            reason = "INVALID_ATTRIBUTE_VALUE_REMOVED"
        if reason:
            node.removeAttribute(name)
            result.warnings.append(
                {"attributeName": name, "elementName": node.localName, "reason": reason}
            )
            result.warning_lines.append(line)


def _serialize(document, original: str) -> str:
    text = document.documentElement.toxml()
    declaration = re.match(r"\s*(<\?xml[^>]*\?>)", original)
    head = declaration.group(1) + "\n" if declaration else ""
    return head + text + "\n"


_LINE_RE = re.compile(r"^(?P<key>[A-Za-z0-9_.$*\-]+)\s*=\s*(?P<value>.*?)\s*$")


def check_rabbitmq(data: str) -> DocumentCheck:
    """Cuttlefish ``key = value`` lines; keys Amazon MQ lets you set, values of their type."""
    rules = engine_data()["rabbitmq_configuration"]
    result = DocumentCheck(data=data)
    seen: dict[str, int] = {}
    for number, raw in enumerate(data.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE_RE.match(line)
        if not match or not match.group("value"):
            raise document_error(f"Expected 'key = value', got {line[:80]!r}", number)
        key, value = match.group("key"), match.group("value")
        if key in seen:
            raise document_error(f"The key {key} is already set on line {seen[key]}", number)
        seen[key] = number
        spec = rules["keys"].get(key)
        if spec is None:
            if not key.startswith(tuple(rules["access_key_prefixes"])):
                raise document_error(
                    f"The key {key} is not a configurable value on Amazon MQ for RabbitMQ", number
                )
            result.access_keys.append(key)
            if key == rules["assume_role_key"]:
                result.references_role = True
            continue
        _check_value(key, value, spec, number)
    return result


def _check_value(key: str, value: str, spec: dict, number: int) -> None:
    if spec["type"] == "boolean" and value not in ("true", "false"):
        raise document_error(f"{key} must be true or false, not {value!r}", number)
    if spec["type"] == "integer":
        if not re.fullmatch(r"\d+", value):
            raise document_error(f"{key} must be a whole number, not {value!r}", number)
        if not spec["min"] <= int(value) <= spec["max"]:
            raise document_error(
                f"{key} must be between {spec['min']} and {spec['max']}, not {value}", number
            )


def assume_role_arn(engine_type: str, data: str) -> str | None:
    """The IAM role a RabbitMQ configuration makes Amazon MQ assume (needs iam:PassRole)."""
    if engine_type != "RABBITMQ":
        return None
    key = engine_data()["rabbitmq_configuration"]["assume_role_key"]
    for raw in data.splitlines():
        match = _LINE_RE.match(raw.strip())
        if match and match.group("key") == key:
            return match.group("value")
    return None


def access_settings(engine_type: str, data: str) -> dict[str, str]:
    """The authentication/authorization settings of a RabbitMQ configuration."""
    if engine_type != "RABBITMQ":
        return {}
    prefixes = tuple(engine_data()["rabbitmq_configuration"]["access_key_prefixes"])
    settings = {}
    for raw in data.splitlines():
        match = _LINE_RE.match(raw.strip())
        if match and match.group("key").startswith(prefixes):
            settings[match.group("key")] = match.group("value")
    return settings


def revision_diff(old: str, new: str, *, old_label: str, new_label: str) -> list[tuple[str, str]]:
    """A unified diff as (kind, line) pairs: kind is add, remove, hunk, context or header."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm=""
    )
    result = []
    for line in lines:
        if line.startswith(("---", "+++")):
            kind = "header"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "context"
        result.append((kind, line))
    return result


def default_data(engine_type: str) -> str:
    """The document of revision 1 of a new configuration."""
    return engine_data()["default_configuration_data"][engine_type]
