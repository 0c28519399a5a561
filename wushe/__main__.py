"""`python -m wushe …`: the console script without installing it."""
import sys

from wushe.cli import main

sys.exit(main())
