"""``python -m vot_core.cli`` runs the ``vot`` command."""
import sys

from . import main

sys.exit(main())
