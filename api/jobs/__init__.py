"""Background jobs in a database table: site rebuilds, reindexing, notification sending.

A service calls :func:`api.jobs.services.enqueue` in its own transaction; a worker (the
in-process thread of the embedded default, or ``flask jobs run``) claims and runs it.
"""
