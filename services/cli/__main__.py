"""`python -m services.cli` is `wirestream` (deploy/stages.sh uses it before the script is installed)."""

import sys

from services.cli import main

sys.exit(main())
