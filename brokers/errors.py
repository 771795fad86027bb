"""Amazon MQ's errors, raised by broker services and shown alike by the UI and both APIs.

``code`` is the exception name of the MQ API model (``BadRequestException``…), and the first
key of ``fields`` is the wire name the MQ API reports as ``errorAttribute``.
"""

from __future__ import annotations

from accounts.errors import EntityAlreadyExists, IAMError, NoSuchEntity, ValidationError


class MQError(IAMError):
    """Base of Amazon MQ's modelled errors."""

    @property
    def error_attribute(self) -> str | None:
        return next(iter(self.fields), None) if self.fields else None


class BadRequest(MQError, ValidationError):
    """400: the request breaks one of Amazon MQ's rules."""

    code = "BadRequestException"
    http_status = 400


class NotFound(MQError, NoSuchEntity):
    """404: no such broker, user, configuration or revision."""

    code = "NotFoundException"
    http_status = 404


class Conflict(MQError, EntityAlreadyExists):
    """409: the name is taken, or the resource is in use or busy."""

    code = "ConflictException"
    http_status = 409


def bad_request(message: str, attribute: str) -> BadRequest:
    return BadRequest(message, fields={attribute: message})


def broker_not_found(broker_id: str) -> NotFound:
    message = f"Can't find requested broker [{broker_id}]. Make sure your broker exists."
    return NotFound(message, fields={"broker-id": message})


def configuration_not_found(configuration_id: str) -> NotFound:
    message = (
        f"Can't find requested configuration [{configuration_id}]. "
        "Make sure your configuration exists."
    )
    return NotFound(message, fields={"configuration-id": message})


def user_not_found(username: str) -> NotFound:
    message = f"Can't find requested user [{username}]. Make sure your user exists."
    return NotFound(message, fields={"username": message})


def revision_not_found(configuration_id: str, revision: object) -> NotFound:
    message = f"Can't find requested revision [{revision}] of configuration [{configuration_id}]."
    return NotFound(message, fields={"configuration-revision": message})


def not_running(broker_id: str, state: str, operation: str) -> BadRequest:
    """A broker that is not RUNNING refuses operations that need it (AWS: 'only RUNNING')."""
    message = (
        f"Broker [{broker_id}] is in state [{state}]. You can {operation} only a broker "
        "in the RUNNING state."
    )
    return BadRequest(message, fields={"broker-id": message})
