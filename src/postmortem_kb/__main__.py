"""``python -m postmortem_kb`` runs the ``pmkb`` command."""

import sys

from postmortem_kb.cli import main

sys.exit(main())
