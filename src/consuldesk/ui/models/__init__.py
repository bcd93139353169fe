"""Qt item models: one per view, holding plain rows (never ORM objects)."""
