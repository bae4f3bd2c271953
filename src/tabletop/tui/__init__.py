"""The Textual console: a thin layer over the core."""
