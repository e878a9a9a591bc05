"""The entry point PyInstaller freezes on every platform: the `crasme` command.

Kept outside the package so that `crasme_desktop` is imported as a package (its
lazy, by-name imports of pages and services then resolve as they do from a wheel).
"""

import sys

from crasme_desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
