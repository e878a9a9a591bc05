"""Write or check `installers/requirements.lock`: the exact versions the program runs on.

The lock lists every distribution the program needs at run time (the `dependencies` of
pyproject.toml and everything they pull in, for this platform), pinned to the versions
installed in the environment this script runs in, which is the one the tests ran
against. `scripts/setup` installs with the lock as pip constraints, the installers are
built from it, `pip-audit` audits it and the CycloneDX SBOM describes it.

    python scripts/lock_deps.py          # rewrite the lock from this environment
    python scripts/lock_deps.py --check  # exit 1 if the lock and this environment differ
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "installers" / "requirements.lock"
PROJECT = "crasme-desktop"
HEADER = (
    "# The exact versions Crasme Desktop runs on (its run-time dependencies only).\n"
    "# Made by `python scripts/lock_deps.py` from the environment the tests ran in;\n"
    "# used as pip constraints by scripts/setup, audited and described by scripts/security.\n"
)


def runtime_closure(project: str = PROJECT) -> dict[str, str]:
    """Every distribution `project` needs at run time here: canonical name -> version."""
    found: dict[str, str] = {}
    todo = [Requirement(r) for r in metadata.requires(project) or []]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(req.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"lock: {req.name} is required but not installed; run scripts/setup")
        found[name] = dist.version
        todo.extend(Requirement(r) for r in dist.requires or [])
    return dict(sorted(found.items()))


def render(pins: dict[str, str]) -> str:
    return HEADER + "".join(f"{name}=={version}\n" for name, version in pins.items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    wanted = render(runtime_closure())
    if args.check:
        current = LOCK.read_text(encoding="utf-8") if LOCK.exists() else ""
        if current != wanted:
            print(
                "lock: installers/requirements.lock does not match the installed run-time "
                "dependencies; run `.venv/bin/python scripts/lock_deps.py` and commit it.",
                file=sys.stderr,
            )
            return 1
        return 0
    LOCK.write_text(wanted, encoding="utf-8")
    print(f"lock: wrote {LOCK.relative_to(ROOT)} ({wanted.count('==')} distributions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
