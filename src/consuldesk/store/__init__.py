"""SQLite case file: tables, engine, migrations, queries and the search index."""
