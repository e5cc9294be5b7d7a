"""The task queue: Huey runs the background work of the platform.

* ``queue``: the Huey instance of an app (SQLite file in ``instance/`` by default, Redis when
  ``REDIS_URL`` is set) and its tasks, each run in an app context;
* ``schedule``: the periodic tasks (huey crontab) and the tasks woken on demand;
* ``wakeup``: wakes the delivery and job tasks right after a commit that wrote an outbox or
  a job row;
* ``cli``: ``flask worker``, the one consumer process.

The database stays the source of truth: a task only claims rows (with a lease) and works on
them, so a task lost with its worker is done again by the next run, never twice.
"""
