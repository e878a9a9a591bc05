"""Helpers shared by the test suites (and by subprocesses the tests start)."""
