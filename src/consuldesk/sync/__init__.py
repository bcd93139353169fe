"""Bundle sync between posts and headquarters."""
