"""Pure domain rules: validation, search keys, priority and vulnerability. No Qt, no database."""
