"""A policy summary like the AWS console's: per service, access level, resources, conditions.

``policy_summary(document, catalog)`` is a pure function over a policy document and the action
catalog (``policies.catalog.get_catalog()``): no Django, no I/O. It answers what the document
allows and what it explicitly denies, service by service:

- a service's **access level** is "Full access" when every catalogued action of the service is
  covered, else per level (List, Read, Write, Permissions management, Tagging) "Full" or
  "Limited", as AWS writes it (``Full: List, Read; Limited: Write``);
- **resources** and **request conditions** are those of the statements that cover the service,
  where a resource counts for an action only if it can name that service's resources (a
  ``logs`` ARN is no resource of ``mq:RebootBroker``; actions without resource types need
  ``"*"``);
- services reached only through a wildcard service (``"*"``, ``"*:*"``, ``NotAction``) are
  folded into one "all other services" row instead of ~450 identical rows;
- action patterns that match nothing in the catalog are listed as unrecognized.

``editor_report(text, kind, catalog)`` is what the policy editor and ``POST
/api/v1/policies/validate/`` show for the text being typed: the validator's findings with the
line and column each points at, the size against the kind's quota (for an inline policy, the
sum over the identity's inline policies), and the summary.
"""

from policies.summary.editor import SEVERITY_LABELS, EditorReport, LocatedFinding, editor_report
from policies.summary.model import (
    ALL_RESOURCES,
    LEVELS,
    ActionSummary,
    EffectSummary,
    Grant,
    LevelSummary,
    OtherServices,
    PolicySummary,
    ServiceSummary,
    Unrecognized,
)
from policies.summary.summarize import policy_summary

__all__ = [
    "ALL_RESOURCES",
    "LEVELS",
    "SEVERITY_LABELS",
    "ActionSummary",
    "EditorReport",
    "EffectSummary",
    "Grant",
    "LevelSummary",
    "LocatedFinding",
    "OtherServices",
    "PolicySummary",
    "ServiceSummary",
    "Unrecognized",
    "editor_report",
    "policy_summary",
]
