"""Service calls as task-runner jobs that import their service in the worker thread.

The services pull in SQLAlchemy and the vault, which take most of a second to import
on an old laptop. Pages name the service call they want instead of importing the
module, so building the main window imports none of that, and the first job to run
pays for the import off the GUI thread.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

SERVICES_PACKAGE = "crasme_desktop.services"


def service(name: str) -> Callable[..., Any]:
    """`service("contacts.list_people")`: a job that calls `list_people` of
    `crasme_desktop.services.contacts` with the job's arguments."""
    module_name, _, function_name = name.rpartition(".")
    if not module_name or not function_name:
        raise ValueError(f"expected 'module.function', got {name!r}")

    def job(*args: Any, **kwargs: Any) -> Any:
        module = importlib.import_module(f"{SERVICES_PACKAGE}.{module_name}")
        return getattr(module, function_name)(*args, **kwargs)

    job.__name__ = function_name
    job.__qualname__ = name
    return job
