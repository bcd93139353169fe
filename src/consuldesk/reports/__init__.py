"""Printed documents (ReportLab)."""
