"""The REST API's request parsers.

A module of its own: DRF reads ``DEFAULT_PARSER_CLASSES`` while ``rest_framework.views`` is
being imported, so the parser must not live in a module that imports DRF's views
(``config.api`` does), or the first process to import that module (a Celery worker) would see
it half-initialised.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json

from config import jsonsafe


class GuardedJSONParser(JSONParser):
    """DRF's JSON parser over ``config.jsonsafe.loads``: a body nested too deeply is a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding) if stream is not None else ""
            parse_constant = drf_json.strict_constant if self.strict else None
            return jsonsafe.loads(text, parse_constant=parse_constant)
        except ValueError as exc:  # JSONTooDeep and UnicodeDecodeError are ValueErrors
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
