"""Tools and services a test needs: skip with the reason where they are missing, but
fail under `make test` and CI, where the project's own scripts install them.

scripts/test sets CRASME_STRICT_TESTS=1, so a missing install step shows up as a
failure there instead of a quiet skip.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

STRICT_ENV = "CRASME_STRICT_TESTS"


def unavailable(what: str, reason: str) -> NoReturn:
    """Skip because `what` is missing (`reason`), or fail when the run is strict."""
    if os.environ.get(STRICT_ENV) == "1":
        pytest.fail(f"{what} is required here, but {reason}", pytrace=False)
    pytest.skip(reason)
