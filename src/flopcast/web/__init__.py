"""The dashboard (``flopcast serve``): FastAPI app, server, cache. Needs the ``web`` extra.

Nothing is imported here, so the CLI reads :data:`MAX_WORKERS` for its ``--workers`` option
without loading the server.
"""

MAX_WORKERS = 64  # server processes `flopcast serve --workers` may start
