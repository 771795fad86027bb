"""Web security: CSRF on every unsafe view, headers and cookies, CSP without inline code,
clickjacking and open redirects on sign-in."""

from __future__ import annotations

import importlib
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve

from tests.security.conftest import ROOT_PASSWORD, sign_in
from tests.security.test_isolation import SESSION_ROUTES, BWorld, routes

pytestmark = pytest.mark.django_db
UNSAFE = ("post", "put", "patch", "delete")


def _unsafe_views(world: BWorld):
    """(method, path) of every console and REST view that changes state, with A's objects."""
    for route, name in routes():
        if route.startswith("v1/") or name in ("home", "signout"):
            continue  # SigV4-only APIs (csrf_exempt on purpose); sign-out is tested below
        path, _ = world.fill(route)
        callback = resolve(path).func
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view is None:
            continue
        for method in UNSAFE:
            if hasattr(view, method) and method in getattr(view, "http_method_names", UNSAFE):
                yield method, path


def _is_csrf_refusal(response) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


def test_every_unsafe_view_refuses_a_request_without_the_csrf_token(tenants):
    a = tenants[0]
    client = Client(enforce_csrf_checks=True)
    response = client.get("/signin")
    token = response.cookies["csrftoken"].value
    client.post(
        "/signin",
        {
            "as": "root",
            "email": a.root.email,
            "password": ROOT_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    views = list(_unsafe_views(BWorld(a)))
    assert len(views) > 60
    accepted = []
    for method, path in views:
        body = "confirm=orders" if not path.startswith("/api/") else "{}"
        kind = (
            "application/json" if path.startswith("/api/") else "application/x-www-form-urlencoded"
        )
        response = client.generic(method.upper(), path, data=body, content_type=kind)
        if not _is_csrf_refusal(response):
            accepted.append(f"{method.upper()} {path} -> {response.status_code}")
    assert not accepted, "\n".join(accepted)
    # The same session with its token gets past the CSRF check (the check is what refused).
    response = client.post(
        "/groups/create",
        {"name": "with-token", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert not _is_csrf_refusal(response)


def test_sign_in_and_sign_out_need_the_csrf_token(tenants):
    a = tenants[0]
    client = Client(enforce_csrf_checks=True)
    credentials = {"as": "root", "email": a.root.email, "password": ROOT_PASSWORD}
    assert _is_csrf_refusal(client.post("/signin", credentials))  # login CSRF
    token = client.get("/signin").cookies["csrftoken"].value
    assert client.post("/signin", {**credentials, "csrfmiddlewaretoken": token}).status_code == 302
    assert _is_csrf_refusal(client.post("/signout"))  # a forged sign-out
    assert client.get("/users").status_code == 200  # still signed in


def test_security_headers_on_pages_and_apis(client, tenants):
    sign_in(client, tenants[0])
    for path in ("/signin", "/", "/users", "/api/v1/users/", "/healthz"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path
    policy = client.get("/users")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    for name in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in directives[name] and "'unsafe-eval'" not in directives[name]


def test_cookies_are_httponly_samesite_and_secure_in_production(client, tenants):
    response = client.post(
        "/signin", {"as": "root", "email": tenants[0].root.email, "password": ROOT_PASSWORD}
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] and session["samesite"] == "Lax"
    csrf = client.get("/signin").cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"
    production = importlib.import_module("config.settings.production")
    assert production.SESSION_COOKIE_SECURE and production.CSRF_COOKIE_SECURE
    assert production.SESSION_COOKIE_HTTPONLY
    assert production.SECURE_HSTS_SECONDS >= 31536000 and production.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert production.SECURE_SSL_REDIRECT and not production.DEBUG


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http://testserver@evil.example/",
        "https:evil.example",
        " //evil.example",
        "/%2F%2Fevil.example",
    ],
)
def test_sign_in_never_redirects_off_site(client, tenants, target):
    response = client.post(
        f"/signin?next={target}",
        {"as": "root", "email": tenants[0].root.email, "password": ROOT_PASSWORD, "next": target},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil.example" not in location.split("?")[0] or location.startswith("/%2F")


def test_sign_in_cannot_be_framed(client):
    response = client.get("/signin")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


class InlineCode(HTMLParser):
    """Collects inline scripts, style attributes and event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found += [f"{n}= on <{tag}>" for n in names if n.startswith("on")]
        if tag == "style":
            self.found.append("<style> element")


def test_every_console_page_renders_without_inline_code(client, db):
    from accounts.models import Account, IAMUser
    from brokers.models import Broker
    from config.demo import load_demo
    from policies.aws_managed import sync_aws_managed_policies
    from policies.models import ManagedPolicy, PolicyVersion

    sync_aws_managed_policies(ManagedPolicy, PolicyVersion)
    load_demo(password="Demo-Passw0rd!")
    account = Account.objects.get(account_id="111122223333")
    client.post(
        "/signin", {"as": "root", "email": account.root_user.email, "password": "Demo-Passw0rd!"}
    )
    broker = Broker.objects.filter(account=account).first()
    policy = ManagedPolicy.objects.filter(account=account).first()
    config = account.configurations.first() if hasattr(account, "configurations") else None
    values = {
        "name": IAMUser.objects.filter(account=account).first().name,
        "broker_id": broker.broker_id,
        "resource_id": broker.broker_id,
        "configuration_id": config.configuration_id if config else "c-none",
        "policy_id": policy.unique_id,
        "version_id": "v1",
        "revision": "1",
        "kind": "user",
        "step": "engine",
        "user_name": "x",
        "username": "admin",
        "policy_name": "x",
        "access_key_id": "x",
        "pk": "1",
        "request_id": "x",
    }
    pages, problems = 0, []
    for route, name in routes():
        if route.startswith(("api/", "v1/")) or name in SESSION_ROUTES or name == "healthz":
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), "x"), route)
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        parser = InlineCode()
        parser.feed(response.content.decode())
        problems += [f"{path}: {p}" for p in sorted(set(parser.found))]
    assert pages > 30
    assert not problems, "\n".join(problems)


def test_console_views_never_fail_on_an_unexpected_http_method(tenants):
    """A helper named after an HTTP verb (``delete``) would be dispatched by Django: 500."""
    a = tenants[0]
    client = Client(raise_request_exception=False)
    sign_in(client, a)
    world = BWorld(a)
    failures = []
    for route, name in routes():
        if route.startswith(("v1/", "api/")) or name == "signout":
            continue
        path, _ = world.fill(route)
        if getattr(resolve(path).func, "view_class", None) is None:
            continue
        for method in ("put", "patch", "delete"):
            status = getattr(client, method)(path).status_code
            if status >= 500:
                failures.append((method.upper(), path, status))
    assert failures == []
