"""The engine's one exception type."""

from __future__ import annotations


class PolicyError(ValueError):
    """A policy document that cannot be read; ``path`` names the JSON location of the fault.

    ``str(error)`` reads ``Statement[2].Condition.StringLike: value must be a string or list
    of strings``: the path (empty for the document itself), a colon, and the reason.
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}" if path else reason)

    def __reduce__(self):
        return (type(self), (self.path, self.reason))
