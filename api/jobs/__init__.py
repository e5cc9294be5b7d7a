"""Background jobs in a database table: site rebuilds, reindexing, notification sending.

A service calls :func:`api.jobs.services.enqueue` in its own transaction; the task queue's
consumer (``flask worker``) claims it with a lease and runs it.
"""
