"""Crasme Desktop: a local-first CRM for small offices."""

__version__ = "0.1.0"
APP_NAME = "Crasme Desktop"
