"""One module per budget; each exposes ``measure(ctx) -> list[Outcome]``."""
