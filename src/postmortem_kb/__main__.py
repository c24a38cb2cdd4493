"""``python -m postmortem_kb`` runs the ``pmkb`` command."""

import sys

from .cli import main

sys.exit(main())
