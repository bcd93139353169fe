"""ConsulDesk: an offline-first case manager for consular crisis response."""

__version__ = "0.1.0"
