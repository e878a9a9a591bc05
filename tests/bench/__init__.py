"""Speed goals, measured on demand: `python -m tests.bench` (not collected by pytest)."""
