"""The policy simulator: the enforcement engine and policy gathering, on demand."""
