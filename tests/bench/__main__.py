"""`python -m tests.bench`: run the speed scenarios and print the table."""

import sys

from tests.bench.run import main

sys.exit(main())
