"""The operations of every interface, generated from the console's own registries.

* console pages and ``/api/v1/`` routes: Django's URL resolver (methods from the view class);
  request bodies of the REST API from its OpenAPI schema (drf-spectacular's generator);
* the IAM/STS query API: ``accounts.query_api.registry.OPERATIONS`` with botocore's models;
* the Amazon MQ API: ``brokers.shapes.operations()`` (what ``brokers/mq_api/urls.py`` mounts).

A registry entry whose parameters cannot be derived from the world is returned as
``unbuilt`` with the reason, so the test can insist that every such entry is acknowledged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.parity_world import World, body_values, form_values, path_values, quoted_arn

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
METHODS = ("get", "post", "put", "patch", "delete")
# Optional members sent when the world has a value: they name the target (without them an
# IAM operation acts on the caller) or carry what AWS authorizes on (tags, boundary).
TARGET_MEMBERS = frozenset(
    {
        "UserName",
        "GroupName",
        "RoleName",
        "PolicyArn",
        "PolicyName",
        "AccessKeyId",
        "Status",
        "VersionId",
        "PermissionsBoundary",
        "Tags",
        "tags",
        "TagKeys",
        "tagKeys",
        "DurationHours",
        "Justification",
        "PolicySourceArn",
    }
)
IDENTITY_NAMES = {"user": "target", "group": "target-group", "role": "target-role"}
# What a create operation names its new object: never an existing target, whose ARN (tags,
# boundary) would otherwise be decided as if it were the new one.
FRESH_NAME = "parity-new"


@dataclass(frozen=True)
class Operation:
    """One concrete request of one interface (``entry`` names its registry entry)."""

    interface: str  # console | rest | query | mq
    entry: str
    method: str
    path: str
    body: bytes = b""
    content_type: str = ""
    service: str = ""  # SigV4 signing service ("" = console session)
    primary: str = ""  # the IAM action the interface declares ("" = its first decision)

    @property
    def label(self) -> str:
        if self.interface == "query":
            return self.entry
        return f"{self.method} {self.path}"


class Unbuildable(Exception):
    """A registry entry needs a parameter the world has no value for."""


def url_routes() -> list[tuple[str, object]]:
    """(route, callback) of every URL pattern, prefixes included."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    return list(walk(get_resolver().url_patterns))


def view_methods(callback) -> list[str]:
    """The HTTP methods a view class handles (function views: GET)."""
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if cls is None:
        return ["GET"]
    return [m.upper() for m in METHODS if hasattr(cls, m)]


def declared_action(callback, method: str) -> str:
    """The IAM action a view class declares for ``method`` (``iam_action``), or ""."""
    cls = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    action = getattr(cls, "iam_action", "") if cls is not None else ""
    if isinstance(action, dict):
        return action.get(method, action.get("*", ""))
    return action or ""


def _is_create(route: str, method: str) -> bool:
    """A console create form, or a REST POST on a top-level collection (``/api/v1/users/``)."""
    if method != "POST":
        return False
    last = route.rstrip("/").rsplit("/", 1)[-1]
    return last == "create" or (route.startswith("api/") and "<" not in route)


def _kinds(route: str) -> tuple[str, ...]:
    """The identity kinds a ``kind`` parameter takes on this route."""
    if "<identity_kind:kind>" in route:
        return ("user", "group", "role")
    if "<str:kind>" in route:
        return ("user", "role")
    return ("",)


def fill(route: str, world: World, kind: str = "") -> str:
    """A concrete path naming the world's targets; raises Unbuildable for unknown parameters."""
    values = path_values(world)

    def value(match) -> str:
        name = match.group(2)
        head = route[: match.start()]
        if name == "kind":
            return kind
        if name == "name":
            if kind:
                return IDENTITY_NAMES[kind]
            if head.endswith("groups/") or "groups/" in head:
                return IDENTITY_NAMES["group"]
            if "roles/" in head:
                return IDENTITY_NAMES["role"]
            return IDENTITY_NAMES["user"]
        if name == "resource_id":
            if "configurations/" in head:
                return world.configuration.configuration_id
            return world.broker.broker_id
        if name == "resource_arn":
            return quoted_arn(world.broker.arn)
        if name == "access_key_id" and ("sessions/" in head or "role-sessions/" in head):
            return world.session_key_id
        if name not in values:
            raise Unbuildable(f"no world value for the path parameter {name!r}")
        return values[name]

    return "/" + PARAMETER.sub(value, route)


def _confirm_name(route: str, world: World, kind: str) -> str:
    """What a confirmation form must be typed with: the name of the route's object."""
    if kind:
        return IDENTITY_NAMES[kind]
    if route.startswith("groups/"):
        return world.group.name
    if route.startswith("roles/"):
        return world.role.name
    if route.startswith("users/"):
        return world.target.name
    if route.startswith("policies/<str:policy_id>"):
        return world.policy.name
    if route.startswith("brokers/"):
        return "app" if "<str:username>" in route else world.broker.name
    if route.startswith("configurations/"):
        return world.configuration.name
    return world.target.name


@cache
def openapi_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _shaped(value, spec: dict):
    """A world value in the schema's shape (tags: a list of Key/Value or a map)."""
    if spec.get("type") == "object" and isinstance(value, list):
        return {t["Key"]: t["Value"] for t in value}
    return value


def _schema_query(path: str, method: str, values: dict) -> list[tuple[str, str]]:
    """The query parameters of an API operation the world has values for."""
    item = openapi_schema()["paths"].get(path) or {}
    query = []
    for parameter in (item.get(method.lower()) or {}).get("parameters", []):
        name = parameter["name"]
        if parameter.get("in") != "query" or name not in values:
            continue
        if parameter.get("required") or name in TARGET_MEMBERS:
            value = values[name]
            query += [(name, v) for v in (value if isinstance(value, list) else [value])]
    return query


def _schema_body(path: str, method: str, values: dict) -> dict | None:
    """The JSON body of an API operation: its required members, plus the targeting ones."""
    schema = openapi_schema()
    item = schema["paths"].get(path)
    if item is None or method.lower() not in item:
        return None
    operation = item[method.lower()]
    body_spec = operation.get("requestBody")
    if not body_spec:
        return {}
    content = body_spec["content"].get("application/json") or next(
        iter(body_spec["content"].values())
    )
    shape = content["schema"]
    if "$ref" in shape:
        shape = schema["components"]["schemas"][shape["$ref"].rsplit("/", 1)[1]]
    body = {}
    properties = shape.get("properties", {})
    for name in shape.get("required", []):
        if name not in values:
            raise Unbuildable(f"no world value for the required member {name!r}")
        body[name] = _shaped(values[name], properties.get(name, {}))
    for name, spec in properties.items():
        if name in TARGET_MEMBERS and name in values:
            body[name] = _shaped(values[name], spec)
    return body


def console_and_rest(world: World) -> tuple[list[Operation], dict[str, str]]:
    """Operations of the console pages and the REST API, and the entries not built."""
    operations: list[Operation] = []
    unbuilt: dict[str, str] = {}
    values = body_values(world)
    for route, callback in url_routes():
        if route.startswith("v1/"):
            continue  # the Amazon MQ API: built from its operation table below
        interface = "rest" if route.startswith("api/") else "console"
        for method in view_methods(callback):
            entry = f"{interface} {method} /{route}"
            try:
                for kind in _kinds(route):
                    path = fill(route, world, kind)
                    if interface == "console":
                        body = b""
                        if method != "GET":
                            confirm = _confirm_name(route, world, kind)
                            form = form_values(world, confirm)
                            if _is_create(route, method) or "create-inline/" in route:
                                form["name"] = FRESH_NAME
                            body = urlencode(form).encode()
                        operations.append(
                            Operation(
                                interface,
                                entry,
                                method,
                                path,
                                body,
                                "application/x-www-form-urlencoded",
                                primary=declared_action(callback, method),
                            )
                        )
                        continue
                    schema_path = "/" + PARAMETER.sub(lambda m: "{" + m.group(2) + "}", route)
                    data = _schema_body(schema_path, method, values)
                    if data is None and method in ("GET", "DELETE"):
                        data = {}  # no body to derive (documentation pages are not in it)
                    if data is None:
                        raise Unbuildable("the operation is not in the OpenAPI schema")
                    if _is_create(route, method):
                        data.update({k: FRESH_NAME for k in data if k.endswith("Name")})
                    query = _schema_query(schema_path, method, values)
                    if query:
                        path += "?" + urlencode(query)
                    body = json.dumps(data).encode() if method != "GET" and data else b""
                    operations.append(
                        Operation(
                            interface,
                            entry,
                            method,
                            path,
                            body,
                            "application/json",
                            "execute-api",
                            declared_action(callback, method),
                        )
                    )
            except Unbuildable as why:
                unbuilt[entry] = str(why)
    return operations, unbuilt


def query_api(world: World) -> tuple[list[Operation], dict[str, str]]:
    """One signed ``POST /`` per operation of the IAM/STS query-API registry."""
    from botocore.serialize import create_serializer

    from accounts.query_api import views  # noqa: F401  (registers every handler)
    from accounts.query_api.protocol import service_model
    from accounts.query_api.registry import OPERATIONS

    operations: list[Operation] = []
    unbuilt: dict[str, str] = {}
    values = body_values(world)
    serializer = create_serializer("query")
    for service, name in sorted(OPERATIONS):
        entry = f"query {service}:{name}"
        model = service_model(service).operation_model(name)
        shape = model.input_shape
        params = {}
        missing = []
        for member in shape.members if shape is not None else {}:
            if member in values and (member in shape.required_members or member in TARGET_MEMBERS):
                params[member] = values[member]
            elif member in shape.required_members:
                missing.append(member)
        if missing:
            unbuilt[entry] = f"no world value for the required members {missing}"
            continue
        created = name.removeprefix("Create") + "Name"
        if name.startswith("Create") and created in params:
            params[created] = FRESH_NAME
        request = serializer.serialize_to_request(params, model)
        body = urlencode(request["body"]).encode()
        operations.append(
            Operation(
                "query",
                entry,
                "POST",
                "/",
                body,
                "application/x-www-form-urlencoded; charset=utf-8",
                service,
                f"{service}:{name}",
            )
        )
    return operations, unbuilt


def mq_api(world: World) -> tuple[list[Operation], dict[str, str]]:
    """One signed request per operation of the Amazon MQ reference (the ``/v1/`` routes)."""
    from brokers.shapes import operations as mq_operations

    operations: list[Operation] = []
    unbuilt: dict[str, str] = {}
    values = body_values(world)
    uri_values = {
        "broker-id": world.broker.broker_id,
        "configuration-id": world.configuration.configuration_id,
        "configuration-revision": "1",
        "username": "app",
        "resource-arn": quoted_arn(world.broker.arn),
    }
    for name, spec in sorted(mq_operations().items()):
        entry = f"mq {name}"
        try:
            path = spec["path"]
            body: dict = {}
            query: list[tuple[str, str]] = []
            for member in spec["request"]:
                wire, location = member["name"], member.get("location", "body")
                if location == "uri":
                    if wire not in uri_values:
                        raise Unbuildable(f"no world value for the path parameter {wire!r}")
                    path = path.replace("{" + wire + "}", uri_values[wire])
                elif wire in values and (member.get("required") or wire in TARGET_MEMBERS):
                    if location == "querystring":
                        value = values[wire]
                        query += [
                            (wire, v) for v in (value if isinstance(value, list) else [value])
                        ]
                    else:
                        body[wire] = values[wire]
                elif member.get("required"):
                    raise Unbuildable(f"no world value for the required member {wire!r}")
        except Unbuildable as why:
            unbuilt[entry] = str(why)
            continue
        if query:
            path += "?" + urlencode(query)
        method = spec["method"]
        operations.append(
            Operation(
                "mq",
                entry,
                method,
                path,
                json.dumps(body).encode() if method in ("POST", "PUT", "PATCH") else b"",
                "application/json",
                "mq",
                spec["required_permission"],
            )
        )
    return operations, unbuilt


def mq_routes_cover_the_operation_table() -> list[str]:
    """``/v1/`` routes whose method has no operation (the MQ registry must explain every one)."""
    from brokers.shapes import operations as mq_operations

    paths = {
        re.sub(r"\{([^}]+)\}", lambda m: f"<str:{m.group(1).replace('-', '_')}>", o["path"][1:])
        for o in mq_operations().values()
    }
    return sorted(
        route for route, _ in url_routes() if route.startswith("v1/") and route not in paths
    )


def all_operations(world: World) -> tuple[list[Operation], dict[str, str]]:
    operations: list[Operation] = []
    unbuilt: dict[str, str] = {}
    for build in (console_and_rest, query_api, mq_api):
        built, missing = build(world)
        operations += built
        unbuilt.update(missing)
    return operations, unbuilt
