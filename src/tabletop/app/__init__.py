"""The services every front end shares (the console, ``present``, ``serve`` and the
CLI): opening or resuming a session, and the start-up memory helper."""
