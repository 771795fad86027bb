"""State changes of policies: managed policies and versions, attachments, inline, boundaries."""
