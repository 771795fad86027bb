"""Amazon MQ's REST paths, generated from the reference's ``api_operations``.

Mounted at ``/v1/`` by config/urls.py; ``{broker-id}`` becomes ``<str:broker_id>``.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.urls import path

from brokers.mq_api.views import make_view
from brokers.shapes import operations


def _django_route(mq_path: str) -> str:
    route = mq_path.removeprefix("/v1/")
    return re.sub(r"\{([^}]+)\}", lambda m: f"<str:{m.group(1).replace('-', '_')}>", route)


def _patterns() -> list:
    by_path: dict[str, dict[str, dict]] = defaultdict(dict)
    for operation in operations().values():
        by_path[operation["path"]][operation["method"]] = operation
    # Fixed segments before parameters, so /brokers/x/users never shadows deeper paths.
    ordered = sorted(by_path, key=lambda p: (p.count("/"), p.count("{")), reverse=True)
    return [
        path(_django_route(mq_path), make_view(by_path[mq_path]), name=f"mq-{index}")
        for index, mq_path in enumerate(ordered)
    ]


urlpatterns = _patterns()
