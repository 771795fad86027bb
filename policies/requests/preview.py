"""What a requester (and a reviewer) sees of a policy before it exists: the generated
document, the validator's findings against the identity's inline-policy quota, and the
plain-language summary. The same function serves the live form, the API and the review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.errors import IAMError
from accounts.principals import Principal
from policies.catalog import get_catalog
from policies.documents import policy_size_of_text
from policies.models import AccessRequest, InlinePolicy
from policies.requests import rules
from policies.requests.synthesis import Synthesis
from policies.summary import EditorReport, editor_report


@dataclass(frozen=True)
class RequestPreview:
    """The generated policy with its report, or why there is none yet."""

    synthesis: Synthesis | None = None
    report: EditorReport | None = None
    error: str = ""
    expires_at: datetime | None = None
    text: str = ""

    def to_dict(self) -> dict:
        """JSON shape of the API."""
        if self.error:
            return {"Error": self.error}
        assert self.synthesis is not None and self.report is not None
        return {
            "PolicyDocument": self.synthesis.document,
            "Actions": list(self.synthesis.actions),
            "DependentActions": list(self.synthesis.dependent_actions),
            "ActionsOnAllResources": list(self.synthesis.star_actions),
            "UnusedTargets": [t.to_dict() for t in self.synthesis.unused_targets],
            "ExpiresAtIfApprovedNow": self.expires_at.isoformat() if self.expires_at else None,
            **self.report.to_dict(),
        }


def _other_size(identity, kind: str, exclude: str = "") -> int:
    others = InlinePolicy.objects.filter(**{kind: identity}).exclude(name=exclude)
    return sum(policy_size_of_text(p.document) for p in others)


def preview_request(
    *,
    principal: Principal,
    intent: str,
    actions=(),
    targets=(),
    duration_hours: int | None,
    now: datetime | None = None,
) -> RequestPreview:
    """The policy this request would produce if approved now, and its report."""
    now = now or timezone.now()
    try:
        identity = rules.identity_of(principal)
        account = identity.account
        kind = "user" if principal.kind == "user" else "role"
        base = rules.resolve_actions(intent, actions)
        parsed = rules.parse_targets(targets)
        rules.check_targets_exist(account, parsed)
        expires_at = None if duration_hours is None else now + timedelta(hours=duration_hours)
        synthesis = rules.build_policy(account, actions=base, targets=parsed, expires_at=expires_at)
    except IAMError as error:
        return RequestPreview(error=error.message)
    text = synthesis.text
    report = editor_report(
        text, "identity", get_catalog(), entity=kind, other_size=_other_size(identity, kind)
    )
    return RequestPreview(synthesis, report, "", expires_at, text)


def stored_report(access_request: AccessRequest) -> EditorReport:
    """The report of a request's stored policy, against the identity's other policies."""
    kind = access_request.requester_kind
    other = _other_size(access_request.identity, kind, exclude=access_request.policy_name)
    return editor_report(
        access_request.policy_document, "identity", get_catalog(), entity=kind, other_size=other
    )
