"""One module per ``tabletop`` subcommand, each with ``register(subparsers)``.

Command modules import heavy dependencies (Textual, Jinja) inside their
``run`` function, so that ``tabletop validate`` never pays for the console.
"""
