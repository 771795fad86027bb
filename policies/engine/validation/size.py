"""Policy size as AWS counts it, and the size limit of each kind of policy."""

from __future__ import annotations

import json
from typing import Any

from policies.engine.validation.findings import check_kind

# Characters, white space outside strings not counted (IAM quotas; Organizations counts every
# character it stores, so the minified size is what a policy can be brought down to).
_LIMITS = {
    "identity": 6144,  # managed policy
    "boundary": 6144,  # a boundary is a managed policy
    "trust": 2048,  # default quota; AWS raises it up to 4,096 on request
    "session": 2048,
    "scp": 5120,
    "rcp": 5120,
}
_INLINE = {"user": 2048, "group": 5120, "role": 10240}

# The PolicyDocument parameter of every IAM write ("Maximum length of 131072"), checked on the
# text before any parsing so an oversized body costs nothing to refuse.
MAX_DOCUMENT_LENGTH = 131072


# Characters a JSON number can lose when it is written back ("1.000e+00" is "1.0").
_NUMBER_CHARACTERS = str.maketrans("", "", "0123456789+-.eE")


def size_lower_bound(text: str) -> int:
    """A lower bound of ``policy_size(json.loads(text))`` read from the text alone.

    Costs a few passes of C code and no parsing, so an oversized document is refused before
    any parsing work. White space is not counted (not even inside strings), an escape may
    shrink to one character (``\\u0041`` is ``A``) and a number to nothing.
    """
    spaces = text.count(" ") + text.count("\n") + text.count("\t") + text.count("\r")
    numbers = len(text) - len(text.translate(_NUMBER_CHARACTERS))
    return len(text) - spaces - 5 * text.count("\\") - numbers


def policy_size(document: Any) -> int:
    """Characters of the document without white space outside strings (how IAM counts)."""
    try:
        text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        return 0
    return len(text)


def size_limit(kind: str, entity: str | None = None) -> int | None:
    """The size limit for a kind (``entity`` user/group/role = inline identity policy).

    None for resource-based policies, whose limit is set by each service (there is no IAM
    one); raises ValueError for an unknown kind or an entity with a kind other than identity.
    """
    check_kind(kind, entity)
    if entity is not None:
        return _INLINE[entity]
    return _LIMITS.get(kind)
