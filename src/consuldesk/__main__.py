"""``python -m consuldesk``: the window."""

from consuldesk.ui.app import main

raise SystemExit(main())
