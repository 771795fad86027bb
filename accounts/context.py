"""Template context for every console page: how the navigation bar names the principal."""

from __future__ import annotations

from accounts.session import role_display_name


def principal_display(request) -> dict:
    """``role_display_name``: the label chosen on the switch-role form for this session."""
    if getattr(request, "principal", None) is None:
        return {}
    return {"role_display_name": role_display_name(request)}
