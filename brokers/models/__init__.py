"""Amazon MQ brokers, their users, configurations and revisions: what mq:* actions protect."""

from brokers.models.broker import Broker
from brokers.models.configuration import Configuration, ConfigurationRevision
from brokers.models.users import BrokerUser

__all__ = ["Broker", "BrokerUser", "Configuration", "ConfigurationRevision"]
