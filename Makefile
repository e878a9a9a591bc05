# Crasme Desktop: `make run` opens the app, `make test` runs every check CI runs.
.PHONY: run test setup bench clean deb

run:
	scripts/run-app

test:
	scripts/test

setup:
	scripts/setup

# Speed goals (on demand, not part of `make test`).
bench: setup
	xvfb-run --auto-servernum --server-args="-screen 0 1280x800x24" \
		scripts/with-keyring .venv/bin/python -m tests.bench

# The Linux package (PyInstaller one-folder build in a .deb), into build/.
deb: setup
	installers/linux/build-deb

clean:
	rm -rf build .pytest_cache .ruff_cache .import_linter_cache
