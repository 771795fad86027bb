"""SigV4 verification against requests signed by real clients: botocore, boto3, requests-aws4auth.

No database: the verifier is plain Python and RequestFactory needs none.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import boto3
import pytest
import requests
from botocore.auth import S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode, percent_encode_sequence
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from requests_aws4auth import AWS4Auth

from accounts import sigv4
from accounts.errors import IAMError
from accounts.sigv4 import SigV4Error, parse_sigv4, signed_request_from_django, verify

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEJr//////////wEaDAbc+def/ghi=="
ENDPOINT = "http://testserver:8000"
SIGNED_AT = datetime(2026, 11, 28, 10, 10, 10, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded; charset=utf-8"

Wire = tuple[str, str, str, dict[str, str], bytes]


@contextmanager
def signing_at(moment: datetime = SIGNED_AT) -> Iterator[None]:
    """botocore stamps requests with get_current_datetime(); pin it as botocore's tests do."""
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment.replace(tzinfo=None)):
        yield


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def wire(request: Any) -> Wire:
    """What reaches the server: method, raw path, raw query, headers with Host, body bytes."""
    if isinstance(request, AWSRequest):
        request = request.prepare()
    url = urlsplit(request.url)
    headers = {name: _text(value) for name, value in request.headers.items()}
    headers.setdefault("Host", url.netloc)  # http.client adds it on the way out
    body = request.body or b""
    return (
        request.method,
        url.path,
        url.query,
        headers,
        body.encode() if isinstance(body, str) else body,
    )


def check(request: Any, now: datetime = SIGNED_AT, secret: str = SECRET) -> sigv4.SignedRequest:
    """Parse and verify the request as the server will."""
    signed = parse_sigv4(*wire(request), now)
    verify(signed, secret)
    return signed


def botocore_signed(
    method: str,
    url: str,
    *,
    service: str = "iam",
    region: str = "us-east-1",
    token: str | None = None,
    presign_expires: int | None = None,
    **kwargs: Any,
) -> AWSRequest:
    request = AWSRequest(method=method, url=url, **kwargs)
    credentials = Credentials(AKID, SECRET, token)
    if presign_expires is None:
        signer = SigV4Auth(credentials, service, region)
    else:
        signer = SigV4QueryAuth(credentials, service, region, expires=presign_expires)
    with signing_at():
        signer.add_auth(request)
    return request


def error_of(request_or_wire: Any, now: datetime = SIGNED_AT, secret: str = SECRET) -> SigV4Error:
    parts = request_or_wire if isinstance(request_or_wire, tuple) else wire(request_or_wire)
    with pytest.raises(SigV4Error) as exc:
        verify(parse_sigv4(*parts, now), secret)
    return exc.value


# --- botocore SigV4Auth / SigV4QueryAuth --------------------------------------------------


BOTOCORE_CASES = {
    "iam query protocol form POST": dict(
        method="POST",
        url=f"{ENDPOINT}/",
        data="Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision%20a%2F",
        headers={"Content-Type": FORM},
    ),
    "sts form POST from a dict": dict(
        method="POST",
        url=f"{ENDPOINT}/",
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={"Content-Type": FORM},
        service="sts",
    ),
    "mq GET with encoded path segments": dict(
        method="GET", url=f"{ENDPOINT}/v1/brokers/b-1234/users/user%40name", service="mq"
    ),
    "mq GET with %2F inside a segment": dict(
        method="GET", url=f"{ENDPOINT}/v1/brokers/b-1/users/a%2Fb%20c", service="mq"
    ),
    "mq GET with query in the URL": dict(
        method="GET",
        url=f"{ENDPOINT}/v1/brokers?"
        + percent_encode_sequence({"maxResults": 5, "nextToken": "a b+c/é~*"}),
        service="mq",
    ),
    "mq GET with params needing encoding": dict(
        method="GET",
        url=f"{ENDPOINT}/v1/brokers",
        params={"nextToken": "a b+c/é~*", "maxResults": "5", "z": ""},
        service="mq",
    ),
    "mq POST JSON body": dict(
        method="POST",
        url=f"{ENDPOINT}/v1/brokers/b-1/users/alice",
        data=json.dumps({"password": "s3cret-s3cret", "groups": ["admins"]}).encode(),
        headers={"Content-Type": "application/json"},
        service="mq",
        region="eu-west-1",
    ),
    "dot segments and double slashes": dict(
        method="DELETE", url=f"{ENDPOINT}/v1//brokers/./b-1/x/../users/", service="mq"
    ),
    "headers with runs of spaces": dict(
        method="GET",
        url=f"{ENDPOINT}/v1/brokers",
        headers={"X-Custom": "  a   b \t c  ", "Accept": "application/json"},
        service="mq",
    ),
}


@pytest.mark.parametrize("token", [None, TOKEN], ids=["long-term", "session-token"])
@pytest.mark.parametrize("case", BOTOCORE_CASES.values(), ids=BOTOCORE_CASES.keys())
def test_botocore_signed_requests_verify(case, token):
    signed = check(botocore_signed(**case, token=token))
    assert signed.access_key_id == AKID
    assert signed.service == case.get("service", "iam")
    assert signed.region == case.get("region", "us-east-1")
    assert signed.timestamp == SIGNED_AT and signed.amz_date == "20261128T101010Z"
    assert signed.security_token == token
    assert "host" in signed.signed_headers and not signed.presigned


def test_botocore_date_header_instead_of_x_amz_date_verifies():
    request = AWSRequest("GET", f"{ENDPOINT}/v1/brokers", headers={"Date": "x"})
    with signing_at():
        SigV4Auth(Credentials(AKID, SECRET), "mq", "us-east-1").add_auth(request)
    assert "X-Amz-Date" not in request.headers
    assert check(request).timestamp == SIGNED_AT


def test_canonical_request_matches_botocore():
    request = botocore_signed(**BOTOCORE_CASES["mq GET with params needing encoding"])
    signer = SigV4Auth(Credentials(AKID, SECRET), "mq", "us-east-1")
    signed = check(request)
    del request.headers["Authorization"]  # botocore drops it before signing again
    request.context["timestamp"] = "20261128T101010Z"
    assert signed.canonical_request == signer.canonical_request(request)
    assert signed.string_to_sign == signer.string_to_sign(request, signed.canonical_request)


@pytest.mark.parametrize("token", [None, TOKEN])
def test_botocore_presigned_get_verifies(token):
    request = botocore_signed(
        "GET",
        f"{ENDPOINT}/v1/brokers/b-1/users/user%40name",
        params={"x": "a b"},
        service="mq",
        token=token,
        presign_expires=300,
    )
    assert "Authorization" not in request.headers
    signed = check(request, now=SIGNED_AT + timedelta(seconds=299))
    assert signed.presigned and signed.security_token == token
    assert signed.expires_at == SIGNED_AT + timedelta(seconds=300)


def test_botocore_presigned_form_post_moves_body_into_query_and_verifies():
    request = botocore_signed(
        "POST",
        f"{ENDPOINT}/",
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={"Content-Type": FORM},
        service="sts",
        presign_expires=60,
    )
    method, path, query, headers, body = wire(request)
    assert body == b"" and "Action=GetCallerIdentity" in query
    verify(parse_sigv4(method, path, query, headers, body, SIGNED_AT), SECRET)


def test_s3_style_presigned_url_with_unsigned_payload_verifies_without_body():
    request = AWSRequest("GET", f"{ENDPOINT}/v1/brokers")
    with signing_at():
        S3SigV4QueryAuth(Credentials(AKID, SECRET), "mq", "us-east-1", 60).add_auth(request)
    check(request)


def test_presigned_url_used_with_a_body_fails():
    method, path, query, headers, _ = wire(
        botocore_signed("POST", f"{ENDPOINT}/", service="sts", presign_expires=60)
    )
    error = error_of((method, path, query, headers, b"Action=CreateUser&UserName=mallory"))
    assert error.code == "SignatureDoesNotMatch"


# --- boto3 clients: exactly what they put on the wire --------------------------------------


class _Captured(Exception):
    def __init__(self, request: Any):
        super().__init__("captured")
        self.request = request


def _capture(request: Any, **kwargs: Any) -> None:
    raise _Captured(request)


def sent_by_boto3(service: str, call: str, **params: Any) -> Any:
    """The AWSPreparedRequest a boto3 client sends to the console's endpoint."""
    session = boto3.session.Session(
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=TOKEN,
        region_name="us-east-1",
    )
    client = session.client(service, endpoint_url=ENDPOINT)
    client.meta.events.register("before-send", _capture)
    with pytest.raises(_Captured) as captured:
        getattr(client, call)(**params)
    return captured.value.request


BOTO3_CALLS = [
    ("iam", "list_users", {"PathPrefix": "/a b/"}),
    ("iam", "create_user", {"UserName": "émile+1", "Tags": [{"Key": "k", "Value": "v w"}]}),
    ("sts", "get_caller_identity", {}),
    ("mq", "describe_user", {"BrokerId": "b-1234", "Username": "user@name"}),
    ("mq", "describe_user", {"BrokerId": "b-1234", "Username": "a/b c~"}),
    ("mq", "list_brokers", {"MaxResults": 5, "NextToken": "a b+c="}),
    ("mq", "create_user", {"BrokerId": "b-1", "Username": "u", "Password": "p" * 12}),
]


@pytest.mark.parametrize(("service", "call", "params"), BOTO3_CALLS)
def test_boto3_client_requests_verify(service, call, params):
    signed = check(sent_by_boto3(service, call, **params), now=datetime.now(UTC))
    assert signed.service == service and signed.security_token == TOKEN


def test_boto3_presigned_url_verifies():
    client = boto3.client(
        "sts",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
    )
    url = urlsplit(
        client.generate_presigned_url("get_caller_identity", ExpiresIn=60, HttpMethod="GET")
    )
    signed = parse_sigv4("GET", url.path, url.query, {"Host": url.netloc}, b"", datetime.now(UTC))
    verify(signed, SECRET)
    assert signed.presigned and signed.service == "sts"


# --- requests-aws4auth --------------------------------------------------------------------


def aws4auth_prepared(method: str, url: str, *, amz_date: str = "20261128T101010Z", **kw: Any):
    auth = AWS4Auth(AKID, SECRET, "us-east-1", "mq", session_token=TOKEN)
    headers = {"x-amz-date": amz_date, **kw.pop("headers", {})}
    return requests.Request(method, url, auth=auth, headers=headers, **kw).prepare()


@pytest.mark.parametrize(
    ("method", "url", "kwargs"),
    [
        ("GET", f"{ENDPOINT}/v1/brokers", {"params": {"nextToken": "a b+c", "maxResults": 5}}),
        ("GET", f"{ENDPOINT}/v1/brokers/b-1/users/user%40name", {}),
        ("GET", f"{ENDPOINT}/v1/brokers/b-1/users/user@name+x=1,y:z", {}),
        ("POST", f"{ENDPOINT}/v1/brokers/b-1/users/u", {"json": {"password": "é" * 12}}),
        ("POST", f"{ENDPOINT}/", {"data": {"Action": "ListUsers", "Version": "2010-05-08"}}),
    ],
)
def test_requests_aws4auth_requests_verify(method, url, kwargs):
    prepared = aws4auth_prepared(method, url, **kwargs)
    assert "x-amz-content-sha256" in prepared.headers
    assert check(prepared).security_token == TOKEN


def test_requests_aws4auth_body_swapped_under_content_sha256_fails():
    method, path, query, headers, _ = wire(
        aws4auth_prepared("POST", f"{ENDPOINT}/v1/x", data=b"{}")
    )
    error = error_of((method, path, query, headers, b"{ }"))
    assert error.code == "SignatureDoesNotMatch"
    assert "x-amz-content-sha256" in error.message


# --- tampering ------------------------------------------------------------------------------


def _tampered(part: str) -> Wire:
    method, path, query, headers, body = wire(
        botocore_signed(
            "POST",
            f"{ENDPOINT}/v1/brokers/b-1/users/u?a=1",
            data=b'{"password": "pw"}',
            headers={"Content-Type": "application/json"},
            service="mq",
        )
    )
    if part == "body":
        body = b'{"password": "pW"}'
    elif part == "header":
        headers["Content-Type"] = "application/xml"
    elif part == "query":
        query = "a=2"
    elif part == "added query":
        query += "&b=1"
    elif part == "path":
        path = "/v1/brokers/b-2/users/u"
    elif part == "method":
        method = "PUT"
    elif part == "host":
        headers["Host"] = "evil.example:8000"
    elif part == "signature":
        auth = headers["Authorization"]
        headers["Authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")
    return method, path, query, headers, body


@pytest.mark.parametrize(
    "part",
    ["body", "header", "query", "added query", "path", "method", "host", "signature"],
)
def test_tampered_request_fails_with_signature_does_not_match(part):
    error = error_of(_tampered(part))
    assert error.code == "SignatureDoesNotMatch"
    assert error.http_status == 403
    assert error.message == sigv4.MSG_SIGNATURE_DOES_NOT_MATCH


def test_untampered_request_verifies():
    verify(parse_sigv4(*_tampered("nothing"), SIGNED_AT), SECRET)


def test_wrong_secret_fails():
    error = error_of(botocore_signed("GET", f"{ENDPOINT}/v1/brokers", service="mq"), secret="x")
    assert error.code == "SignatureDoesNotMatch"


# --- clock ----------------------------------------------------------------------------------


@pytest.mark.parametrize("skew", [timedelta(minutes=-15), timedelta(0), timedelta(minutes=15)])
def test_clock_within_fifteen_minutes_is_accepted(skew):
    check(botocore_signed("GET", f"{ENDPOINT}/v1/brokers", service="mq"), now=SIGNED_AT + skew)


def test_request_signed_more_than_fifteen_minutes_ago_is_expired():
    request = botocore_signed("GET", f"{ENDPOINT}/v1/brokers", service="mq")
    error = error_of(request, now=SIGNED_AT + timedelta(minutes=30))
    assert error.code == "RequestExpired" and error.http_status == 403
    assert error.message == (
        "Signature expired: 20261128T101010Z is now earlier than 20261128T102510Z "
        "(20261128T104010Z - 15 min.)"
    )


def test_request_signed_more_than_fifteen_minutes_ahead_is_not_yet_current():
    request = botocore_signed("GET", f"{ENDPOINT}/v1/brokers", service="mq")
    error = error_of(request, now=SIGNED_AT - timedelta(minutes=15, seconds=1))
    assert error.code == "RequestExpired"
    assert error.message == (
        "Signature not yet current: 20261128T101010Z is still later than 20261128T101009Z "
        "(20261128T095509Z + 15 min.)"
    )


def test_presigned_url_past_its_expiry_is_expired():
    request = botocore_signed("GET", f"{ENDPOINT}/v1/brokers", service="mq", presign_expires=60)
    check(request, now=SIGNED_AT + timedelta(seconds=60))
    error = error_of(request, now=SIGNED_AT + timedelta(seconds=61))
    assert error.code == "RequestExpired"
    assert "20261128T101110Z" in error.message


def test_presigned_url_lives_longer_than_fifteen_minutes_when_asked_to():
    request = botocore_signed("GET", f"{ENDPOINT}/", service="sts", presign_expires=3600)
    check(request, now=SIGNED_AT + timedelta(minutes=59))


def test_presigned_expiry_over_a_week_is_rejected():
    request = botocore_signed("GET", f"{ENDPOINT}/", service="sts", presign_expires=604801)
    error = error_of(request)
    assert error.code == "IncompleteSignature" and error.http_status == 400


def test_naive_now_is_taken_as_utc():
    check(botocore_signed("GET", f"{ENDPOINT}/", service="sts"), now=SIGNED_AT.replace(tzinfo=None))


# --- malformed and missing ----------------------------------------------------------------


def _with_authorization(value: str | None, **extra: str) -> Wire:
    method, path, query, headers, body = wire(botocore_signed("GET", f"{ENDPOINT}/", service="sts"))
    if value is None:
        del headers["Authorization"]
    else:
        headers["Authorization"] = value
    headers.update(extra)
    return method, path, query, headers, body


CRED = f"Credential={AKID}/20261128/us-east-1/sts/aws4_request"
SIG = "Signature=" + "0" * 64


@pytest.mark.parametrize(
    ("authorization", "fragment"),
    [
        ("AWS4-HMAC-SHA256", "requires 'Credential' parameter"),
        (f"AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host", "requires 'Signature' parameter"),
        (f"AWS4-HMAC-SHA256 {CRED}, {SIG}", "requires 'SignedHeaders' parameter"),
        (f"AWS4-HMAC-SHA256 {CRED}, SignedHeaders, {SIG}", "missing equal-sign"),
        (
            f"AWS4-HMAC-SHA256 Credential={AKID}/20261128/sts/aws4_request, "
            f"SignedHeaders=host;x-amz-date, {SIG}",
            "exactly 5 slash-delimited elements",
        ),
        (f"AWS4-ECDSA-P256-SHA256 {CRED}, SignedHeaders=host, {SIG}", "Unsupported AWS"),
    ],
)
def test_malformed_authorization_header_is_incomplete_signature(authorization, fragment):
    error = error_of(_with_authorization(authorization))
    assert error.code == "IncompleteSignature" and error.http_status == 400
    assert fragment in error.message


def test_missing_date_is_incomplete_signature():
    method, path, query, headers, body = _with_authorization(
        f"AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host, {SIG}"
    )
    del headers["X-Amz-Date"]
    error = error_of((method, path, query, headers, body))
    assert error.code == "IncompleteSignature"
    assert "either a 'X-Amz-Date' or a 'Date' header" in error.message


def test_malformed_x_amz_date_is_incomplete_signature():
    authorization = f"AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host, {SIG}"
    error = error_of(_with_authorization(authorization, **{"X-Amz-Date": "2026-11-28T10:10:10Z"}))
    assert error.code == "IncompleteSignature"
    assert "ISO-8601 'basic format'" in error.message


@pytest.mark.parametrize("authorization", [None, "Bearer abc", "Token abc"])
def test_unsigned_request_is_missing_authentication_token(authorization):
    error = error_of(_with_authorization(authorization))
    assert error.code == "MissingAuthenticationToken" and error.http_status == 403
    assert error.message == "Request is missing Authentication Token"


def test_scope_date_other_than_request_date_fails():
    request = botocore_signed("GET", f"{ENDPOINT}/", service="sts")
    request.headers["X-Amz-Date"] = "20261127T235959Z"  # still within the 15-minute window
    error = error_of(request, now=datetime(2026, 11, 28, 0, 5, tzinfo=UTC))
    assert error.code == "SignatureDoesNotMatch"
    assert "Date in Credential scope does not match YYYYMMDD" in error.message
    assert "'20261128' != '20261127'" in error.message


def test_host_not_signed_fails():
    request = AWSRequest("GET", f"{ENDPOINT}/", headers={"X-Amz-Date": "20261128T101010Z"})
    signer = SigV4Auth(Credentials(AKID, SECRET), "sts", "us-east-1")
    with signing_at():
        signer.add_auth(request)
    request.headers.replace_header(
        "Authorization",
        request.headers["Authorization"].replace(
            "SignedHeaders=host;x-amz-date", "SignedHeaders=x-amz-date"
        ),
    )
    error = error_of(request)
    assert error.code == "SignatureDoesNotMatch"
    assert error.message == sigv4.MSG_HOST_NOT_SIGNED


def test_session_token_header_must_be_signed():
    method, path, query, headers, body = wire(
        botocore_signed("GET", f"{ENDPOINT}/", service="sts", token=TOKEN)
    )
    headers["Authorization"] = headers["Authorization"].replace(";x-amz-security-token", "")
    error = error_of((method, path, query, headers, body))
    assert error.code == "SignatureDoesNotMatch"
    assert "'x-amz-security-token' must be a 'SignedHeader'" in error.message


def test_header_and_query_signature_together_fail():
    presigned = botocore_signed("GET", f"{ENDPOINT}/", service="sts", presign_expires=60)
    method, path, query, headers, body = wire(presigned)
    headers["Authorization"] = f"AWS4-HMAC-SHA256 {CRED}, SignedHeaders=host, {SIG}"
    assert error_of((method, path, query, headers, body)).code == "SignatureDoesNotMatch"


def test_unsigned_payload_on_a_header_signed_request_is_refused():
    request = AWSRequest(
        "GET", f"{ENDPOINT}/v1/brokers", headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}
    )
    with signing_at():
        SigV4Auth(Credentials(AKID, SECRET), "mq", "us-east-1").add_auth(request)
    error = error_of(request)
    assert error.code == "SignatureDoesNotMatch" and "UNSIGNED-PAYLOAD" in error.message


def test_check_scope_rejects_other_service_and_region():
    signed = check(botocore_signed("GET", f"{ENDPOINT}/", service="sts"))
    sigv4.check_scope(signed, service="sts", region="us-east-1")
    with pytest.raises(SigV4Error) as exc:
        sigv4.check_scope(signed, service="iam", region="eu-west-1")
    assert exc.value.code == "SignatureDoesNotMatch"
    assert exc.value.message == (
        "Credential should be scoped to a valid region, not 'us-east-1'. "
        "Credential should be scoped to correct service: 'iam'."
    )


def test_caller_errors_carry_aws_codes_and_render_as_iam_errors():
    unknown, expired = sigv4.invalid_client_token_id(), sigv4.expired_token()
    assert (unknown.code, unknown.http_status) == ("InvalidClientTokenId", 403)
    assert unknown.message == "The security token included in the request is invalid."
    assert (expired.code, expired.http_status) == ("ExpiredToken", 403)
    assert isinstance(unknown, IAMError) and str(expired).startswith("ExpiredToken: ")
    assert set(sigv4.REST_JSON_ERROR_TYPES) >= {unknown.code, expired.code}


def test_security_token_is_kept_out_of_repr():
    signed = check(botocore_signed("GET", f"{ENDPOINT}/", service="sts", token=TOKEN))
    assert TOKEN not in repr(signed)


# --- Django adapter -----------------------------------------------------------------------


def django_request(request: Any, *, raw_uri: bool, host: bool = True):
    """A RequestFactory request carrying the wire request; RAW_URI as gunicorn sets it."""
    method, path, query, headers, body = wire(request)
    target = path + (f"?{query}" if query else "")
    content_type = headers.pop("Content-Type", "application/octet-stream")
    headers.pop("Content-Length", None)
    if not host:
        headers.pop("Host")
    extra = {"RAW_URI": target} if raw_uri else {}
    return RequestFactory().generic(
        method, target, data=body, content_type=content_type, headers=headers, **extra
    )


@pytest.mark.parametrize("raw_uri", [True, False], ids=["gunicorn-RAW_URI", "decoded-path-only"])
@pytest.mark.parametrize(
    "case",
    [
        BOTOCORE_CASES["iam query protocol form POST"],
        BOTOCORE_CASES["mq GET with encoded path segments"],
        BOTOCORE_CASES["mq GET with params needing encoding"],
        BOTOCORE_CASES["mq POST JSON body"],
    ],
)
def test_signed_request_from_django_verifies_botocore_requests(case, raw_uri):
    django = django_request(botocore_signed(**case, token=TOKEN), raw_uri=raw_uri)
    signed = signed_request_from_django(django, SIGNED_AT)
    verify(signed, SECRET)
    assert signed.security_token == TOKEN


def test_signed_request_from_django_keeps_raw_percent_2f():
    request = botocore_signed(**BOTOCORE_CASES["mq GET with %2F inside a segment"])
    verify(signed_request_from_django(django_request(request, raw_uri=True), SIGNED_AT), SECRET)


def test_signed_request_from_django_handles_requests_style_raw_path():
    prepared = aws4auth_prepared("GET", f"{ENDPOINT}/v1/brokers/b-1/users/user@name+x=1,y:z")
    verify(signed_request_from_django(django_request(prepared, raw_uri=False), SIGNED_AT), SECRET)


def test_signed_request_from_django_presigned_and_server_name_host():
    request = botocore_signed(
        "GET", "http://testserver/v1/brokers", service="mq", presign_expires=60
    )
    django = django_request(request, raw_uri=False, host=False)
    signed = signed_request_from_django(django, SIGNED_AT)
    verify(signed, SECRET)
    assert signed.presigned


def test_signed_request_from_django_detects_tampered_body():
    case = BOTOCORE_CASES["mq POST JSON body"]
    method, path, _, headers, _ = wire(botocore_signed(**case))
    headers.pop("Content-Length")
    django = RequestFactory().generic(
        method, path, data=b"{}", content_type=headers.pop("Content-Type"), headers=headers
    )
    with pytest.raises(SigV4Error) as exc:
        verify(signed_request_from_django(django, SIGNED_AT), SECRET)
    assert exc.value.code == "SignatureDoesNotMatch"


# --- properties and cost --------------------------------------------------------------------

_chars = st.characters(exclude_categories=("Cs",))


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
    segments=st.lists(st.text(_chars, max_size=10), max_size=4),
    params=st.lists(
        st.tuples(st.text(_chars, min_size=1, max_size=8), st.text(_chars, max_size=8)), max_size=4
    ),
    query_in_url=st.booleans(),
    body=st.binary(max_size=64),
    service=st.sampled_from(["iam", "sts", "mq"]),
    token=st.none()
    | st.text(string.ascii_letters + string.digits + "+/=", min_size=1, max_size=24),
    header=st.text(string.printable.strip("\r\n\x0b\x0c") + " ", max_size=16),
    data=st.data(),
)
def test_any_botocore_signed_request_verifies_and_any_body_byte_change_fails(
    method, segments, params, query_in_url, body, service, token, header, data
):
    # Path labels are percent-encoded as botocore's serializer does before signing.
    url = ENDPOINT + "/" + "/".join(percent_encode(segment, safe="~") for segment in segments)
    kwargs: dict[str, Any] = {"headers": {"X-Custom": header}}
    if query_in_url and params:
        url += "?" + percent_encode_sequence(params)
    elif params:
        kwargs["params"] = params
    request = botocore_signed(method, url, service=service, token=token, data=body, **kwargs)
    method_, path, query, headers, body_ = wire(request)
    verify(parse_sigv4(method_, path, query, headers, body_, SIGNED_AT), SECRET)
    if body_:
        index = data.draw(st.integers(0, len(body_) - 1))
        flip = data.draw(st.integers(1, 255))
        changed = body_[:index] + bytes([body_[index] ^ flip]) + body_[index + 1 :]
        with pytest.raises(SigV4Error) as exc:
            verify(parse_sigv4(method_, path, query, headers, changed, SIGNED_AT), SECRET)
        assert exc.value.code == "SignatureDoesNotMatch"


_piece = st.text(_chars, max_size=12) | st.sampled_from(
    ["AWS4-HMAC-SHA256", "Credential=", "SignedHeaders=host", "Signature=", "/", ",", "=", "%", "+"]
)
_fragment = st.lists(_piece, max_size=8).map("".join)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    method=st.text(_chars, max_size=8),
    path=_fragment,
    query=_fragment,
    headers=st.dictionaries(
        st.sampled_from(
            [
                "Authorization",
                "X-Amz-Date",
                "Date",
                "Host",
                "X-Amz-Content-SHA256",
                "X-Amz-Security-Token",
                "x-amz-date",
            ]
        ),
        _fragment | st.just("20261128T101010Z"),
    ),
    body=st.binary(max_size=16),
)
def test_arbitrary_input_only_ever_raises_sigv4_error(method, path, query, headers, body):
    # Hostile input must become an AWS error (4xx), never an unexpected exception (500).
    try:
        verify(parse_sigv4(method, path, query, headers, body, SIGNED_AT), SECRET)
    except SigV4Error as error:
        assert error.code in sigv4.REST_JSON_ERROR_TYPES


def test_signing_keys_are_cached():
    request = botocore_signed("GET", f"{ENDPOINT}/", service="sts")
    check(request)
    hits = sigv4._signing_key.cache_info().hits
    check(request)
    assert sigv4._signing_key.cache_info().hits == hits + 1
