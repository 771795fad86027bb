"""State changes of accounts and identities; each audited in its own transaction."""
