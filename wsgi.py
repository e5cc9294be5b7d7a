"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py`` (or ``flask --app wsgi run``).

It only builds the app: background work runs in ``flask worker``, not here. Under gunicorn
(with ``preload_app``, in the master, once, before the workers fork) it also warms search up:
the Chinese analysis and the index's per-segment columns, which every worker then shares
instead of paying them on its first search.
"""

import os

from api import create_app

app = create_app()

if os.environ.get("SERVER_SOFTWARE", "").startswith("gunicorn/"):
    from api.searching.index import warm_up

    warm_up(app)
