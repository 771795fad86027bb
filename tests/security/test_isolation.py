"""Tenant isolation: a generated matrix of cross-account attempts on every endpoint → 0 leaks.

Every URL pattern of the console, the REST API and the Amazon MQ API is filled with account
B's identifiers and requested with every method by account A's root (console session) and
A's administrator with ``*`` on ``*`` (SigV4), while B has a role that trusts account A. A
leak is a success (2xx) on a URL that names an object only B has, any of B's identifiers in
a response that the request did not carry, or any change to B's rows. (Names such as
``users/alice`` exist in both accounts and rightly resolve to A's own object.)
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote

import pytest
from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.actors import system_actor
from accounts.models import AccessKey, AuditEvent
from accounts.principals import principal_for_user
from accounts.services import sts
from tests.security.conftest import B, sign_in, signed

pytestmark = pytest.mark.django_db
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
# Routes that end or change the caller's own session: requested separately (below).
SESSION_ROUTES = {"signout", "switch-role", "switch-role-back", "signin", "signin-mfa"}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
# Parameters naming an object that only B has (names like "alice" exist in both accounts).
B_ONLY = {
    "broker_id",
    "configuration_id",
    "resource_id",
    "policy_id",
    "access_key_id",
    "pk",
    "request_id",
    "resource_arn",
}
ACCOUNT_PATHS = (
    "account",
    "user__account",
    "group__account",
    "role__account",
    "policy__account",
    "broker__account",
    "configuration__account",
    "root_user__account",
    "access_request__account",
    "membership__group__account",
)


def routes() -> list[tuple[str, str | None]]:
    """(route, name) of every URL pattern, prefixes included."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return list(walk(get_resolver().url_patterns))


class BWorld:
    """B's identifiers, what must never leak from them, and a snapshot of B's rows."""

    def __init__(self, b):
        self.b = b
        # A session of B's role and an access request of B, for the URLs that name them.
        self.session = sts.role_session_create(
            actor=system_actor(),
            caller=principal_for_user(b.admin),
            role=b.role,
            session_name="bsession",
        ).session
        self.request_id = self._access_request()
        key = AccessKey.objects.filter(user=b.admin).first()
        self.values = {
            "user_name": "alice",
            "username": "admin",
            "policy_name": "read",
            "policy_id": b.policy.unique_id,
            "version_id": "v1",
            "broker_id": b.broker.broker_id,
            "configuration_id": b.configuration.configuration_id,
            "revision": "1",
            "configuration_revision": "1",
            "access_key_id": key.access_key_id,
            "session_key_id": self.session.access_key_id,
            "pk": str(self.session.pk),
            "request_id": self.request_id,
            "resource_arn": quote(b.broker.arn, safe=""),
            "step": "engine",
            "kind": "user",
        }
        self.markers = {
            B,
            "bravo",
            b.root.email,
            b.admin.unique_id,
            b.alice.unique_id,
            b.group.unique_id,
            b.role.unique_id,
            b.shared_role.unique_id,
            b.policy.unique_id,
            b.broker.broker_id,
            b.configuration.configuration_id,
            key.access_key_id,
            self.session.access_key_id,
        } | {k.access_key_id for k in AccessKey.objects.filter(root_user=b.root)}

    def _access_request(self) -> str:
        try:
            from policies.services import requests as access_requests

            return access_requests.access_request_create(
                actor=system_actor(),
                principal=principal_for_user(self.b.alice),
                intent="operate-brokers",
                targets=[{"Arn": self.b.broker.arn}],
                duration_hours=8,
                justification="CHG-42 reboot the orders broker",
            ).request_id
        except Exception:  # noqa: BLE001 - the feature may change; a made-up id still probes
            return "ar-0123456789ab"

    def fake(self) -> dict:
        """Identifiers of the same shapes that name nothing at all."""
        broker = "b-0f0e0d0c-0b0a-4909-8807-060504030201"
        return {
            "policy_id": "ANPAZZZZZZZZZZZZZZZZZ",
            "broker_id": broker,
            "configuration_id": "c-0f0e0d0c-0b0a-4909-8807-060504030201",
            "access_key_id": "AKIAZZZZZZZZZZZZZZZZ",
            "session_key_id": "ASIAZZZZZZZZZZZZZZZZ",
            "pk": "987654321",
            "request_id": "ar-0123456789ab",
            "resource_arn": quote(
                self.b.broker.arn.replace(self.b.broker.broker_id, broker), safe=""
            ),
        }

    def fill(self, route: str, *, fake: bool = False) -> tuple[str, set[str]]:
        """A concrete path naming B's objects (or, ``fake``, nothing), and its parameters."""
        used = set()
        values = {**self.values, **(self.fake() if fake else {})}

        def value(match) -> str:
            name = match.group(2)
            used.add(name)
            if name == "name":
                head = route[: match.start()]
                if "groups/" in head:
                    return "ops"
                if "roles/" in head:
                    return "shared"
                return "alice"
            if name == "resource_id" and "configurations/" in route[: match.start()]:
                return values["configuration_id"]
            if name == "resource_id":
                return values["broker_id"]
            if name == "access_key_id" and "sessions/" in route[: match.start()]:
                return values["session_key_id"]  # role sessions are named by their ASIA… id
            return values.get(name, "x")

        return "/" + PARAMETER.sub(value, route), used

    def snapshot(self) -> dict:
        """B's rows (audit trail and volatile times left out)."""
        state = {}
        for model in apps.get_models():
            if model._meta.app_label not in ("accounts", "policies", "brokers"):
                continue
            if model in (AuditEvent,):
                continue
            path = next((p for p in ACCOUNT_PATHS if _has_path(model, p)), None)
            if path is None:
                continue
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if not isinstance(f, models.DateTimeField | models.DateField)
            ]
            rows = model.objects.filter(**{path: self.b.account}).values_list(*fields)
            state[model._meta.label] = sorted(json.dumps(r, default=str) for r in rows)
        return state


def _has_path(model, path: str) -> bool:
    try:
        model.objects.filter(**{path: None}).query  # noqa: B018 - resolves the lookup
    except Exception:  # noqa: BLE001 - FieldError: no such path on this model
        return False
    return True


DOCUMENTATION = ("/api/schema/", "/api/docs/", "/api/redoc/")


def _leaks(world: BWorld, sent: str, path: str, response) -> list[str]:
    """B's identifiers that this answer shows although no request of the sweep sent them."""
    if "audit" in path or path.startswith(DOCUMENTATION):
        return []  # the audit trail echoes A's own attempts (checked on its own below)
    text = response.content.decode(errors="replace")
    shown = sorted(m for m in world.markers if m in text and m not in sent)
    return [f"shows {shown}"] if shown else []


def _sweep(client, world, send, methods, route_filter) -> list[str]:
    """Every matching route with every method; the leaks found."""
    client.raise_request_exception = False  # a 500 is an answer here (reported, not a leak)
    before = world.snapshot()
    leaks: list[str] = []
    errors: list[str] = []
    sent = ""  # everything the sweep has sent: an echo of it (a flash message) is no leak
    for route, name in routes():
        if name in SESSION_ROUTES or not route_filter(route):
            continue
        path, used = world.fill(route)
        for method in methods:
            body = json.dumps({"confirm": "orders", "Status": "Inactive"}).encode()
            sent += path + unquote(path) + body.decode()
            response = send(client, method, path, body if method in UNSAFE else b"")
            if response.status_code >= 500:
                errors.append(f"{method} {path} -> {response.status_code}")
            leaks += [
                f"{method} {path} -> {response.status_code}: {leak}"
                for leak in _leaks(world, sent, path, response)
            ]
            if method == "GET" and used & B_ONLY:
                # Existence oracle: B's object must be answered like an object that is not.
                fake_path, _ = world.fill(route, fake=True)
                sent += fake_path + unquote(fake_path)
                other = send(client, method, fake_path, b"")
                if other.status_code != response.status_code:
                    leaks.append(
                        f"GET {path} -> {response.status_code}, but "
                        f"{other.status_code} for an id that does not exist"
                    )
            if method in UNSAFE and response.status_code < 500:
                after = world.snapshot()
                if after != before:
                    changed = sorted(k for k in after if after[k] != before.get(k))
                    leaks.append(f"{method} {path} -> {response.status_code}: changed {changed}")
                    before = after
    print("server errors (not leaks):", errors)
    return leaks


@pytest.fixture
def world(tenants):
    return BWorld(tenants[1])


def _console_send(client, method, path, body):
    data = "confirm=orders&name=orders" if method in UNSAFE else ""
    return client.generic(method, path, data=data, content_type="application/x-www-form-urlencoded")


def test_a_root_session_reaches_nothing_of_another_account(client, tenants, world):
    sign_in(client, tenants[0])
    leaks = _sweep(
        client,
        world,
        _console_send,
        ("GET", "POST", "PUT", "DELETE"),
        lambda route: not route.startswith("v1/"),
    )
    assert not leaks, "\n".join(leaks)


def test_an_admin_with_star_on_star_reaches_nothing_of_another_account(client, tenants, world):
    key = tenants[0].keys["admin"]

    def send(client, method, path, body):
        service = "mq" if path.startswith("/v1/") else "execute-api"
        return signed(client, method, path, key, service=service, body=body)

    leaks = _sweep(
        client,
        world,
        send,
        ("GET", "POST", "PUT", "PATCH", "DELETE"),
        lambda route: route.startswith(("api/", "v1/")),
    )
    assert not leaks, "\n".join(leaks)


def test_the_audit_trail_of_a_holds_no_event_of_b(client, tenants, world):
    sign_in(client, tenants[0])
    client.get(f"/brokers/{tenants[1].broker.broker_id}")  # a denied attempt, audited in A
    events = client.get("/api/v1/audit-events/?page_size=500").json()
    rows = events.get("results", events) if isinstance(events, dict) else events
    assert rows and all(str(row).find(tenants[1].root.email) < 0 for row in rows)
    assert not AuditEvent.objects.filter(account_id=B, principal_arn__contains=":111122223333:")
