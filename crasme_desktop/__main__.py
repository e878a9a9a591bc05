"""`python -m crasme_desktop` and the `crasme` command: the window, or a subcommand.

Arguments are parsed by `cli` (which never imports Qt); only `crasme` or
`crasme gui` imports the app and its Qt stack, and only then.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from crasme_desktop import cli


def main(argv: Sequence[str] | None = None) -> int:
    """Run `crasme` with `argv` (default: the process arguments); return the exit code."""
    try:
        args = cli.parse_args(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return cli.ExitCode.CANCELLED
    if args.command == "gui":
        return cli.guarded(lambda: _run_gui(args))
    return cli.run(args)


def _run_gui(args: object) -> int:
    from crasme_desktop import app

    vault = getattr(args, "vault", None)
    return int(app.run(vault, argv=[sys.argv[0] if sys.argv else "crasme"]) or 0)


if __name__ == "__main__":
    sys.exit(main())
