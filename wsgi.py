"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py`` (or ``flask --app wsgi run``).

It only builds the app: background work runs in ``flask worker``, not here.
"""

from api import create_app

app = create_app()
