"""Console sign-in throttling that a stranger cannot turn against the owner.

Counted on the audit trail (every failed password or MFA code is a ``signin:ConsoleLogin``
error row carrying the subject, the source address and, if any, the known-browser id), so
the counters are exact and shared by every process, as ``rate_limits`` counts:

1. **Lockout per user and source**: ``AXES_FAILURE_LIMIT`` failures of one user from one
   source within ``AXES_COOLOFF_TIME`` refuse that user from that source, unchecked, until
   the oldest of them leaves the window. The source is the browser when the user has signed
   in on it before (a *known browser*, below), else the address. Refused attempts are audited
   but not counted, so the lockout is never renewed by further attempts.
2. **Slow-down per user, from anywhere**: beyond ``MQIAM_SIGNIN_USER_LIMIT`` failures of one
   user within the window, each further attempt from an unknown browser must wait
   2^(failures - limit) seconds (at most ``MQIAM_SIGNIN_BACKOFF_MAX``) after the last
   failure: a distributed guesser gets about one guess a minute.
3. **Slow-down per address, for any user**: the same beyond ``MQIAM_SIGNIN_SOURCE_LIMIT``
   failures from one address (password spraying).

A *known browser* carries a signed cookie, set at each successful sign-in, naming the users
who signed in on it (as digests) for ``MQIAM_KNOWN_DEVICE_AGE``. It is exempt from 2 and 3
and has its own counter in 1, so neither a stranger guessing the owner's password from
elsewhere nor a colleague behind the same NAT address can lock the owner out of the browser
the owner uses (Azure AD's smart lockout and Okta's known-device rules work alike).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEvent

DEVICE_COOKIE = "mqiam_device"
DEVICE_SALT = "mqiam.signin.known-device"
DEVICE_SUBJECTS_MAX = 20
FAILED = "Failed authentication"  # error_code of a failed password or MFA code
SIGNIN_ACTION = "signin:ConsoleLogin"
LOCKED_OUT = (
    "Too many failed sign-in attempts for this user from your browser or address. "
    "Wait {minutes} minutes, then try again."
)
SLOWED_DOWN = "Too many failed sign-in attempts. Wait {seconds} seconds, then try again."


@dataclass(frozen=True)
class KnownDevice:
    """A browser that users signed in on: a random id and the digests of those users."""

    id: str
    subjects: tuple[str, ...]


def subject_digest(subject: str) -> str:
    return hashlib.sha256(f"mqiam-signin:{subject}".encode()).hexdigest()[:32]


def known_device(request) -> KnownDevice | None:
    """The request's known-browser cookie, if it is ours and not too old."""
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(
            raw, salt=DEVICE_SALT, max_age=settings.MQIAM_KNOWN_DEVICE_AGE.total_seconds()
        )
        return KnownDevice(str(data["id"]), tuple(str(s) for s in data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _familiar(request, subject: str) -> KnownDevice | None:
    device = known_device(request)
    return device if device and subject_digest(subject) in device.subjects else None


def failure_parameters(request, subject: str) -> dict:
    """What a failure's audit row records for the counters (no secret)."""
    device = _familiar(request, subject)
    return {"Subject": subject, **({"Device": device.id} if device else {})}


def signin_throttle_check(request, subject: str) -> str | None:
    """None if this attempt may be checked now, else the message to refuse it with (429).

    Call inside a transaction: the advisory lock makes concurrent attempts for one subject
    queue, so that two of them cannot both take the last allowed failure.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"signin:{subject}"]
        )
    now = timezone.now()
    window = settings.AXES_COOLOFF_TIME
    failures = AuditEvent.objects.filter(
        action=SIGNIN_ACTION,
        decision=AuditEvent.Decision.ERROR,
        error_code=FAILED,
        time__gte=now - window,
    ).exclude(message="password expired")
    source_ip = request.META.get("REMOTE_ADDR") or None
    device = _familiar(request, subject)
    mine = failures.filter(request_parameters__Subject=subject)
    here = (
        mine.filter(request_parameters__Device=device.id)
        if device
        else mine.filter(source_ip=source_ip)
    )
    limit = settings.AXES_FAILURE_LIMIT
    times = list(here.order_by("-time").values_list("time", flat=True)[:limit])
    if len(times) >= limit:
        minutes = max(1, -(-int((times[-1] + window - now).total_seconds()) // 60))
        return LOCKED_OUT.format(minutes=minutes)
    if device is not None:
        return None  # the owner's known browser: never slowed by others' failures
    for counted, threshold in (
        (mine, settings.MQIAM_SIGNIN_USER_LIMIT),
        (failures.filter(source_ip=source_ip), settings.MQIAM_SIGNIN_SOURCE_LIMIT),
    ):
        recent = list(counted.order_by("-time").values_list("time", flat=True)[: threshold + 16])
        if len(recent) < threshold:
            continue
        delay = min(
            timedelta(seconds=2 ** min(len(recent) - threshold, 16)),
            settings.MQIAM_SIGNIN_BACKOFF_MAX,
        )
        wait = recent[0] + delay - now
        if wait > timedelta(0):
            return SLOWED_DOWN.format(seconds=max(1, int(wait.total_seconds() + 0.999)))
    return None


def known_device_remember(request, subject: str) -> None:
    """After a successful sign-in: the response will (re)set the known-browser cookie."""
    device = known_device(request)
    digest = subject_digest(subject)
    subjects = [s for s in (device.subjects if device else ()) if s != digest]
    subjects = [digest, *subjects][:DEVICE_SUBJECTS_MAX]
    request.mqiam_known_device = signing.dumps(
        {"id": device.id if device else secrets.token_urlsafe(16), "s": subjects},
        salt=DEVICE_SALT,
    )


def known_device_cookie(request, response):
    """Set the cookie that ``known_device_remember`` prepared (sign-in views call this)."""
    value = getattr(request, "mqiam_known_device", None)
    if value:
        response.set_cookie(
            DEVICE_COOKIE,
            value,
            max_age=int(settings.MQIAM_KNOWN_DEVICE_AGE.total_seconds()),
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response
