"""Render stage: HTML pages, PDF briefs, data exports and the search index, from one Jinja environment."""
