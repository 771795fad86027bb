"""The Amazon MQ-compatible API at Amazon MQ's own paths (``/v1/brokers``…) for boto3 & co."""
