# The two commands of the README: `make run` and `make test`.
.PHONY: run test setup lint

run:
	@.ci/setup
	@.ci/services
	@.venv/bin/python manage.py ensure_database
	@.venv/bin/python manage.py migrate --no-input
	@.venv/bin/python manage.py load_demo
	@echo "Console: http://127.0.0.1:$${PORT:-8000}/  (Ctrl-C stops web, worker and beat)"
	@.venv/bin/honcho start -f Procfile

test:
	@.ci/setup dev
	@.ci/services
	@.ci/browser >/dev/null
	@.venv/bin/python -m pytest --create-db -p no:cacheprovider $(ARGS)

lint:
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports
