"""Keyword components of UdsLibrary, one per area."""
