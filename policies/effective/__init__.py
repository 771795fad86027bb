"""Effective permissions: the matrix of what every principal may do on every resource."""
