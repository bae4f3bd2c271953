"""tabletop: run tabletop crisis exercises from the terminal.

The core (scenario model and loading, session journal, scoring, report) never
imports Textual; only :mod:`tabletop.tui` does.
"""

__version__ = "0.1.0"
