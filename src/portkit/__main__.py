"""``python -m portkit``: the same as the ``portkit`` command."""

from ._cli import main

raise SystemExit(main())
