"""AWS Signature Version 4 verification of incoming requests, canonicalised as botocore signs.

``parse_sigv4`` checks a request's form, clock and credential scope and builds the string to
sign; the caller then looks up the access key id (``invalid_client_token_id`` if unknown) and
calls ``verify`` with its secret. Plain Python: ``signed_request_from_django`` only reads
attributes of a Django request. Error codes and their per-protocol shapes: docs/sigv4.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

import botocore.session

from accounts.errors import IAMError

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_SKEW = timedelta(minutes=15)
MAX_PRESIGNED_EXPIRES = 604800  # seven days, as AWS allows
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"

MISSING_AUTHENTICATION_TOKEN = "MissingAuthenticationToken"
INCOMPLETE_SIGNATURE = "IncompleteSignature"
SIGNATURE_DOES_NOT_MATCH = "SignatureDoesNotMatch"
REQUEST_EXPIRED = "RequestExpired"
INVALID_CLIENT_TOKEN_ID = "InvalidClientTokenId"
EXPIRED_TOKEN = "ExpiredToken"

MSG_MISSING_AUTHENTICATION_TOKEN = "Request is missing Authentication Token"
MSG_SIGNATURE_DOES_NOT_MATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)
MSG_INVALID_CLIENT_TOKEN_ID = "The security token included in the request is invalid."
MSG_EXPIRED_TOKEN = "The security token included in the request is expired"
MSG_HOST_NOT_SIGNED = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."

# The same failures as rest-json services (Amazon MQ) name them in ``x-amzn-ErrorType``.
REST_JSON_ERROR_TYPES: Mapping[str, str] = {
    MISSING_AUTHENTICATION_TOKEN: "MissingAuthenticationTokenException",
    INCOMPLETE_SIGNATURE: "IncompleteSignatureException",
    SIGNATURE_DOES_NOT_MATCH: "InvalidSignatureException",
    REQUEST_EXPIRED: "InvalidSignatureException",
    INVALID_CLIENT_TOKEN_ID: "UnrecognizedClientException",
    EXPIRED_TOKEN: "ExpiredTokenException",
}

_AMZ_DATE_RE = re.compile(r"\d{8}T\d{6}Z\Z")
_UNRESERVED_RE = re.compile(r"[A-Za-z0-9\-_.~]*\Z")


class SigV4Error(IAMError):
    """A request failed SigV4 authentication; ``code`` is AWS's error code (docs/sigv4.md)."""

    def __init__(self, code: str, message: str, http_status: int = 403):
        super().__init__(message, code=code)
        self.http_status = http_status


def invalid_client_token_id() -> SigV4Error:
    """The error for an access key id that is unknown or inactive (raised by the caller)."""
    return SigV4Error(INVALID_CLIENT_TOKEN_ID, MSG_INVALID_CLIENT_TOKEN_ID)


def expired_token() -> SigV4Error:
    """The error for a session token past its expiry (raised by the caller)."""
    return SigV4Error(EXPIRED_TOKEN, MSG_EXPIRED_TOKEN)


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a SigV4 signature claims, plus the string to sign rebuilt from the request."""

    access_key_id: str
    amz_date: str  # the request time as signed, e.g. "20261128T101010Z"
    timestamp: datetime  # the same, timezone-aware UTC
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    security_token: str | None = field(repr=False)  # a bearer secret: kept out of logs
    presigned: bool
    expires_at: datetime | None  # presigned URLs only: X-Amz-Date + X-Amz-Expires
    canonical_request: str = field(repr=False)  # holds header values, the token among them
    string_to_sign: str
    # Other readings of the same request that a correct client may have signed: another
    # encoding of a decoded path, or UNSIGNED-PAYLOAD on a presigned URL without a body.
    alternate_strings_to_sign: tuple[str, ...] = field(default=(), repr=False)

    @property
    def credential_scope(self) -> str:
        """``date/region/service/aws4_request``."""
        return f"{self.scope_date}/{self.region}/{self.service}/{TERMINATOR}"


@dataclass(frozen=True, slots=True)
class _AuthParams:
    credential: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str | None
    security_token: str | None
    expires: int | None


def parse_sigv4(
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    *,
    alternate_paths: Sequence[str] = (),
) -> SignedRequest:
    """Parse and pre-check a signed request (raw path and query); raises SigV4Error."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    lowered = _lower_headers(headers)
    pairs = [_normalize_pair(part) for part in query_string.split("&") if part]
    query: dict[str, str] = {}
    for key, value in pairs:
        if key.startswith("X-Amz-"):
            query.setdefault(key, _decode(value))  # AWS reads the first of repeated values
    authorization = lowered.get("authorization")
    presigned = "X-Amz-Algorithm" in query
    if presigned and authorization is not None:
        raise SigV4Error(
            SIGNATURE_DOES_NOT_MATCH,
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the "
            "Authorization header should be specified.",
        )
    if presigned:
        auth = _params_from_query(query)
    elif authorization is not None:
        auth = _params_from_header(authorization, lowered)
    else:
        raise SigV4Error(MISSING_AUTHENTICATION_TOKEN, MSG_MISSING_AUTHENTICATION_TOKEN)

    if "host" not in auth.signed_headers:
        raise SigV4Error(SIGNATURE_DOES_NOT_MATCH, MSG_HOST_NOT_SIGNED)
    # An unsigned token header could be swapped in transit; botocore always signs it.
    token_unsigned = "x-amz-security-token" not in auth.signed_headers
    if not presigned and auth.security_token is not None and token_unsigned:
        raise SigV4Error(
            SIGNATURE_DOES_NOT_MATCH,
            "'x-amz-security-token' must be a 'SignedHeader' in the AWS Authorization.",
        )
    amz_date, timestamp = _request_time(auth.amz_date, lowered)
    expires_at = None if auth.expires is None else timestamp + timedelta(seconds=auth.expires)
    _check_clock(amz_date, timestamp, expires_at, now)
    access_key_id, scope_date, region, service = _parse_credential(auth.credential, amz_date)

    # Presigned requests carry everything but their own signature in the query string.
    canonical_query = "&".join(
        f"{key}={value}"
        for key, value in sorted(pairs)
        if not (presigned and key == "X-Amz-Signature")
    )
    signed_headers = auth.signed_headers
    header_lines = "".join(
        f"{name}:{' '.join(lowered[name].split())}\n" for name in signed_headers if name in lowered
    )
    payload_hashes = _payload_hashes(lowered, body, presigned)
    head = f"{method.upper()}\n"
    tail = f"\n{canonical_query}\n{header_lines}\n{';'.join(signed_headers)}\n"
    scope = f"{scope_date}/{region}/{service}/{TERMINATOR}"
    canonical_requests = [
        head + _canonical_uri(candidate) + tail + payload_hash
        for candidate in dict.fromkeys((path, *alternate_paths))
        for payload_hash in payload_hashes
    ]
    strings_to_sign = [
        f"{ALGORITHM}\n{amz_date}\n{scope}\n{hashlib.sha256(_utf8(cr)).hexdigest()}"
        for cr in canonical_requests
    ]
    return SignedRequest(
        access_key_id=access_key_id,
        amz_date=amz_date,
        timestamp=timestamp,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=signed_headers,
        signature=auth.signature,
        security_token=auth.security_token,
        presigned=presigned,
        expires_at=expires_at,
        canonical_request=canonical_requests[0],
        string_to_sign=strings_to_sign[0],
        alternate_strings_to_sign=tuple(strings_to_sign[1:]),
    )


def verify(signed: SignedRequest, secret_access_key: str) -> None:
    """Check the signature with the key's secret in constant time; raises SignatureDoesNotMatch."""
    key = _signing_key(secret_access_key, signed.scope_date, signed.region, signed.service)
    provided = signed.signature.encode("utf-8", "replace")
    matched = False
    # Every candidate is compared, so the timing does not reveal which reading was tried.
    for candidate in (signed.string_to_sign, *signed.alternate_strings_to_sign):
        expected = hmac.new(key, _utf8(candidate), hashlib.sha256).hexdigest().encode()
        matched |= hmac.compare_digest(expected, provided)
    if not matched:
        raise SigV4Error(SIGNATURE_DOES_NOT_MATCH, MSG_SIGNATURE_DOES_NOT_MATCH)


def check_scope(signed: SignedRequest, *, service: str, region: str | None = None) -> None:
    """Reject a credential scoped to another service or region, with AWS's messages."""
    problems = []
    if region is not None and signed.region != region:
        problems.append(f"Credential should be scoped to a valid region, not '{signed.region}'.")
    if signed.service != service:
        problems.append(f"Credential should be scoped to correct service: '{service}'.")
    if problems:
        raise SigV4Error(SIGNATURE_DOES_NOT_MATCH, " ".join(problems))


IAM_SIGNING_REGION = "us-east-1"  # IAM is global: clients sign its calls for us-east-1


@lru_cache(maxsize=1)
def valid_regions() -> frozenset[str]:
    """The regions of every AWS partition botocore knows (STS and the REST API accept any)."""
    session = botocore.session.get_session()
    return frozenset(
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("sts", partition_name=partition)
    )


def check_scope_in_valid_region(signed: SignedRequest, *, service: str) -> None:
    """A credential scoped to ``service`` in any valid region (AWS's messages otherwise)."""
    region = signed.region if signed.region in valid_regions() else ""
    check_scope(signed, service=service, region=region)


def signed_request_from_django(request: Any, now: datetime | None = None) -> SignedRequest:
    """Parse a Django (or DRF) request; read it before ``request.POST`` consumes the body."""
    meta = request.META
    headers = {
        key[5:].replace("_", "-").lower(): _wsgi_text(value)
        for key, value in meta.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):  # WSGI strips their HTTP_ prefix
        if meta.get(key):
            headers[key.replace("_", "-").lower()] = _wsgi_text(meta[key])
    if "host" not in headers:  # test clients may omit Host; rebuild it as PEP 3333 does
        scheme, port = meta.get("wsgi.url_scheme", "http"), str(meta.get("SERVER_PORT", ""))
        default = port in ("", "443" if scheme == "https" else "80")
        headers["host"] = meta.get("SERVER_NAME", "") + ("" if default else f":{port}")
    path, alternates = _raw_path(request)
    return parse_sigv4(
        request.method,
        path,
        _wsgi_text(meta.get("QUERY_STRING", "")),
        headers,
        request.body,
        now or datetime.now(UTC),
        alternate_paths=alternates,
    )


def _raw_path(request: Any) -> tuple[str, tuple[str, ...]]:
    """The path exactly as sent, or encodings of the decoded path when the server drops it."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")  # gunicorn, uWSGI
    if raw:
        target = _wsgi_text(raw)
        if not target.startswith("/"):  # absolute-form request target
            target = urlsplit(target).path or "/"
        return target.split("?", 1)[0], ()
    raw_path = (getattr(request, "scope", None) or {}).get("raw_path")  # ASGI servers
    if raw_path:
        return raw_path.decode("utf-8", "replace"), ()
    # runserver and the test client decode the path: try botocore's encoding (every byte but
    # unreserved ones) and the minimal one requests, curl and browsers send (RFC 3986 pchar).
    decoded = request.path
    return quote(decoded, safe="/~"), (quote(decoded, safe="/!$&'()*+,;=:@"),)


def _wsgi_text(value: str) -> str:
    """WSGI strings carry raw bytes as latin-1; recover the UTF-8 the client sent."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def _utf8(text: str) -> bytes:
    # Client-chosen text (scope, headers) may hold lone surrogates: fail the match, not the server.
    return text.encode("utf-8", "surrogatepass")


def _lower_headers(headers: Mapping[str, str]) -> dict[str, str]:
    lowered: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        lowered[key] = f"{lowered[key]},{value}" if key in lowered else value
    return lowered


def _decode(raw: str) -> str:
    # A "+" in a query means a space (requests and urllib encode spaces so).
    return unquote_to_bytes(_utf8(raw.replace("+", " "))).decode("utf-8", "replace")


def _encode(raw: str) -> str:
    """RFC 3986 form of one query key or value: unreserved bytes bare, others as %XX."""
    if _UNRESERVED_RE.match(raw):
        return raw
    return quote(unquote_to_bytes(_utf8(raw.replace("+", " "))), safe="-_.~")


def _normalize_pair(part: str) -> tuple[str, str]:
    key, _, value = part.partition("=")
    return _encode(key), _encode(value)


def _params_from_header(authorization: str, headers: Mapping[str, str]) -> _AuthParams:
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme != ALGORITHM:
        if not scheme.startswith("AWS"):  # Bearer, Basic…: not ours; other schemes may apply
            raise SigV4Error(MISSING_AUTHENTICATION_TOKEN, MSG_MISSING_AUTHENTICATION_TOKEN)
        raise SigV4Error(
            INCOMPLETE_SIGNATURE, f"Unsupported AWS 'algorithm': '{scheme}'.", http_status=400
        )
    params: dict[str, str] = {}
    for item in rest.split(","):
        item = item.strip()
        if not item:
            continue
        name, equals, value = item.partition("=")
        if not equals:
            raise SigV4Error(
                INCOMPLETE_SIGNATURE,
                f"'{item}' not a valid key=value pair (missing equal-sign) in Authorization "
                f"header: '{authorization}'.",
                http_status=400,
            )
        params[name.strip()] = value.strip()
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not params.get(name)
    ]
    amz_date = headers.get("x-amz-date")
    if amz_date is None and "date" not in headers:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing:
        raise SigV4Error(
            INCOMPLETE_SIGNATURE, f"{' '.join(missing)} Authorization={scheme}", http_status=400
        )
    return _AuthParams(
        credential=params["Credential"],
        signed_headers=_signed_header_names(params["SignedHeaders"]),
        signature=params["Signature"],
        amz_date=amz_date,
        security_token=headers.get("x-amz-security-token"),
        expires=None,
    )


def _params_from_query(query: Mapping[str, str]) -> _AuthParams:
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise SigV4Error(MISSING_AUTHENTICATION_TOKEN, MSG_MISSING_AUTHENTICATION_TOKEN)
    missing = [
        f"AWS query-string parameters must include '{name}'."
        for name in ("X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date")
        if not query.get(name)
    ]
    if missing:
        message = f"{' '.join(missing)} Re-examine the query-string parameters."
        raise SigV4Error(INCOMPLETE_SIGNATURE, message, http_status=400)
    expires = None
    if "X-Amz-Expires" in query:  # STS-style URLs without it fall back to the 15-minute window
        raw = query["X-Amz-Expires"]
        if not raw.isascii() or not raw.isdigit():
            message = f"X-Amz-Expires should be a number of seconds, not '{raw}'."
            raise SigV4Error(INCOMPLETE_SIGNATURE, message, http_status=400)
        expires = int(raw)
        if expires > MAX_PRESIGNED_EXPIRES:
            message = (
                "X-Amz-Expires must be less than a week (in seconds) that is "
                f"{MAX_PRESIGNED_EXPIRES}"
            )
            raise SigV4Error(INCOMPLETE_SIGNATURE, message, http_status=400)
    return _AuthParams(
        credential=query["X-Amz-Credential"],
        signed_headers=_signed_header_names(query["X-Amz-SignedHeaders"]),
        signature=query["X-Amz-Signature"],
        amz_date=query["X-Amz-Date"],
        security_token=query.get("X-Amz-Security-Token"),
        expires=expires,
    )


def _signed_header_names(value: str) -> tuple[str, ...]:
    # AWS canonicalises the list sorted, whatever order the client wrote it in.
    return tuple(sorted({name.strip() for name in value.split(";") if name.strip()}))


def _request_time(amz_date: str | None, headers: Mapping[str, str]) -> tuple[str, datetime]:
    """The signed timestamp: X-Amz-Date, else the RFC 1123 Date header botocore may send."""
    timestamp: datetime | None
    if amz_date is not None:
        if not _AMZ_DATE_RE.match(amz_date):
            raise SigV4Error(
                INCOMPLETE_SIGNATURE,
                f"Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See "
                "http://en.wikipedia.org/wiki/ISO_8601",
                http_status=400,
            )
        try:
            timestamp = datetime.strptime(amz_date, AMZ_DATE_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            timestamp = None
    else:
        try:
            timestamp = parsedate_to_datetime(headers["date"]).astimezone(UTC)
        except (TypeError, ValueError):
            timestamp = None
    if timestamp is None:
        raw = amz_date if amz_date is not None else headers["date"]
        message = f"Unable to parse the request date: '{raw}'."
        raise SigV4Error(INCOMPLETE_SIGNATURE, message, http_status=400)
    return timestamp.strftime(AMZ_DATE_FORMAT), timestamp


def _check_clock(
    amz_date: str, timestamp: datetime, expires_at: datetime | None, now: datetime
) -> None:
    stamp = now.strftime(AMZ_DATE_FORMAT)
    if expires_at is not None and now > expires_at:
        until = expires_at.strftime(AMZ_DATE_FORMAT)
        message = f"Request has expired: {until} is now earlier than {stamp}."
        raise SigV4Error(REQUEST_EXPIRED, message)
    earliest, latest = now - MAX_SKEW, now + MAX_SKEW
    if expires_at is None and timestamp < earliest:
        raise SigV4Error(
            REQUEST_EXPIRED,
            f"Signature expired: {amz_date} is now earlier than "
            f"{earliest.strftime(AMZ_DATE_FORMAT)} ({stamp} - 15 min.)",
        )
    if timestamp > latest:
        raise SigV4Error(
            REQUEST_EXPIRED,
            f"Signature not yet current: {amz_date} is still later than "
            f"{latest.strftime(AMZ_DATE_FORMAT)} ({stamp} + 15 min.)",
        )


def _parse_credential(credential: str, amz_date: str) -> tuple[str, str, str, str]:
    parts = credential.split("/")
    if len(parts) != 5:
        raise SigV4Error(
            INCOMPLETE_SIGNATURE,
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            f"keyid/date/region/service/term, got '{credential}'",
            http_status=400,
        )
    access_key_id, scope_date, region, service, terminator = parts
    problems = []
    if terminator != TERMINATOR:
        problems.append(
            f"Credential should be scoped with a valid terminator: '{TERMINATOR}', "
            f"not '{terminator}'."
        )
    if scope_date != amz_date[:8]:
        problems.append(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '{amz_date[:8]}', from '{amz_date}'."
        )
    if problems:
        raise SigV4Error(SIGNATURE_DOES_NOT_MATCH, " ".join(problems))
    return access_key_id, scope_date, region, service


def _canonical_uri(path: str) -> str:
    # Non-S3 services sign the path as sent, URI-encoded once more (botocore's behaviour).
    return quote(_utf8(_remove_dot_segments(path) if path else "/"), safe="/~")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 plus collapsing empty segments, exactly as botocore normalises."""
    output: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if output:
                output.pop()
        elif segment and segment != ".":
            output.append(segment)
    first = "/" if path.startswith("/") else ""
    last = "/" if path.endswith("/") and output else ""
    return first + "/".join(output) + last


def _payload_hashes(headers: Mapping[str, str], body: bytes, presigned: bool) -> tuple[str, ...]:
    """The payload hash(es) the client may have signed; rejects a false x-amz-content-sha256."""
    actual = hashlib.sha256(body).hexdigest() if body else EMPTY_SHA256
    claimed = headers.get("x-amz-content-sha256")
    if claimed is None:
        # botocore hashes the (emptied) body of a presigned request; S3-style presigners write
        # UNSIGNED-PAYLOAD. Both are safe only when there is no body to leave unsigned.
        return (actual, UNSIGNED_PAYLOAD) if presigned and not body else (actual,)
    claimed = claimed.strip()
    if claimed == UNSIGNED_PAYLOAD:
        if presigned and not body:
            return (claimed,)
        message = "UNSIGNED-PAYLOAD is accepted only on a presigned URL without a body."
        raise SigV4Error(SIGNATURE_DOES_NOT_MATCH, message)
    if claimed.lower() != actual:
        message = "The provided 'x-amz-content-sha256' header does not match what was computed."
        raise SigV4Error(SIGNATURE_DOES_NOT_MATCH, message)
    return (claimed,)


@lru_cache(maxsize=1024)
def _signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    """kSigning = HMAC chain of date, region, service and "aws4_request"; valid for a day."""
    key = _utf8(f"AWS4{secret_access_key}")
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, _utf8(part), hashlib.sha256).digest()
    return key
