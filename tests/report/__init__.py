"""Scoring and after-action report tests."""
