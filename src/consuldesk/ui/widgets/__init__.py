"""Small reusable widgets of the window."""

from consuldesk.ui.widgets.bar_chart import BarChart

__all__ = ["BarChart"]
