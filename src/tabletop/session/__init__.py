"""The session: an append-only journal of events and the state derived from it."""
