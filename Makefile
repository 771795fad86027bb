# The two commands of the README: `make run` and `make test`.
.PHONY: run test setup lint

# Ctrl-C is how `make run` stops: honcho then exits 130, which is a clean stop, not a failed
# make (the trap keeps the shell from dying of the signal, so make prints no error either).
# honcho gives each process its own PORT (5000, 5100, ... unless PORT is set), so the port
# the console is served on travels as MQIAM_PORT, the same in every process.
run:
	@.ci/setup
	@.ci/services
	@.venv/bin/python manage.py ensure_database
	@.venv/bin/python manage.py migrate --no-input
	@.venv/bin/python manage.py load_demo --quiet
	@echo "Starting web, worker and beat; the address and sign-in details follow once the console is up."
	@trap 'exit 0' INT; MQIAM_PORT=$${PORT:-8000} .venv/bin/honcho start -f Procfile || [ $$? -eq 130 ]

test:
	@.ci/setup dev
	@.ci/services
	@.ci/browser >/dev/null
	@.venv/bin/python -m pytest --create-db -p no:cacheprovider $(ARGS)

lint:
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .
	@.venv/bin/lint-imports
