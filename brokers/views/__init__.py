"""Console pages of brokers, broker users, configurations and tags."""
