"""Reads of policies, and the one place that gathers a principal's policies for the engine.

``gather_policies`` is used by enforcement (``authorize``), the simulator and the
effective-permissions worker alike, so what is simulated is what is enforced.
"""

from policies.selectors.gathering import (
    _ROLE_SQL,
    _USER_SQL,
    GatheredPolicies,
    PolicySource,
    _rows,
    _session_source,
    _source,
    gather_policies,
)
from policies.selectors.gathering_bulk import gather_policies_bulk
from policies.selectors.identities import (
    IDENTITY_KINDS,
    PermissionRow,
    access_advisor,
    identity_get,
    identity_inline_policies,
    identity_names,
    user_permissions,
)
from policies.selectors.managed import (
    PolicyEntities,
    managed_policy_by_arn,
    managed_policy_get,
    managed_policy_list,
    policy_entities,
)

__all__ = [
    "IDENTITY_KINDS",
    "_ROLE_SQL",
    "_USER_SQL",
    "GatheredPolicies",
    "PermissionRow",
    "PolicyEntities",
    "PolicySource",
    "_rows",
    "_session_source",
    "_source",
    "access_advisor",
    "gather_policies",
    "gather_policies_bulk",
    "identity_get",
    "identity_inline_policies",
    "identity_names",
    "managed_policy_by_arn",
    "managed_policy_get",
    "managed_policy_list",
    "policy_entities",
    "user_permissions",
]
