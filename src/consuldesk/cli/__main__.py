"""``python -m consuldesk.cli``: the same as ``consuldesk-cli``."""

from consuldesk.cli import main

raise SystemExit(main())
