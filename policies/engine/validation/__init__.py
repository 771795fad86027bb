"""Policy validation: findings in the spirit of IAM Access Analyzer's policy checks.

Split by concern: ``document`` (a forgiving walk of the raw JSON, with paths), ``grammar``
(``parse``'s verdict), ``structure`` (rules without the catalog), ``actions`` and
``conditions`` (rules with it), ``globs`` (wildcard reasoning), ``size`` and ``locate``.
"""

from policies.engine.validation.core import validate, validate_text
from policies.engine.validation.findings import KINDS, Finding, Severity
from policies.engine.validation.locate import Locator, locate
from policies.engine.validation.size import MAX_DOCUMENT_LENGTH, policy_size, size_limit

__all__ = [
    "KINDS",
    "MAX_DOCUMENT_LENGTH",
    "Finding",
    "Locator",
    "Severity",
    "locate",
    "policy_size",
    "size_limit",
    "validate",
    "validate_text",
]
