"""API conformance, the long run: schemathesis over every operation of ``/api/schema/``.

Run from the repository root: ``.venv/bin/python benchmarks/api_conformance.py`` (50 generated
requests per operation; ``--examples N`` for more). It creates its own database
(``mqiam_conformance``: dropped and migrated anew, with the demo data), signs in as the demo
production account's root user, and calls the API in-process (WSGI) with the session cookie
and CSRF token, so requests get past authorization. Checks: no server error (5xx) and every
response valid against the schema. The last line of output is one JSON object:
``{"operations": …, "requests": …, "server_errors": …, "schema_violations": …}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "mqiam_conformance"
PASSWORD = "Demo-Passw0rd!"


def prepare_database() -> str:
    """A fresh database with the schema and the demo data; its URL."""
    url = f"postgres://root@127.0.0.1:5432/{DATABASE}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(
        ["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "root", DATABASE], check=True, env=env
    )
    python = sys.executable
    for command in (
        ["ensure_database"],
        ["migrate", "--no-input", "-v", "0"],
        ["load_demo", "--password", PASSWORD],
    ):
        subprocess.run(
            [python, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return url


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50)
    args = parser.parse_args(argv)
    url = prepare_database()
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import schemathesis
    from django.test import Client

    from config.wsgi import application
    from tests.security.test_api_conformance import run_conformance

    client = Client(HTTP_HOST="localhost")
    response = client.post(
        "/signin", {"as": "root", "email": "root@acme-prod.example", "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:300]
    client.get("/")
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    auth = {"cookies": cookies, "headers": {"X-CSRFToken": cookies["csrftoken"]}}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    operations = len(list(schema.get_all_operations()))
    started = time.perf_counter()
    calls, failures = run_conformance(schema, auth, examples=args.examples)
    elapsed = time.perf_counter() - started
    kinds = Counter("server_error" if " -> 5" in f else "schema_violation" for f in failures)
    for failure in sorted(set(failures)):
        print("FAIL", failure[:400])
    print(f"{operations} operations, {calls} requests in {elapsed:.0f} s")
    result = {
        "operations": operations,
        "requests": calls,
        "server_errors": kinds["server_error"],
        "schema_violations": kinds["schema_violation"],
    }
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
