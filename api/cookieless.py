"""No Flask cookie session: the API's state is in its tokens and its database.

Flask opens its signed cookie session on every request (a serializer built, the cookie
looked for) and checks it again on the way out, though nothing here reads or writes
``flask.session``: the web pages' sign-in rides in its own HttpOnly cookie
(:mod:`api.auth.web_session`). With this interface every request gets Flask's null
session at once, and writing to it fails loudly, so state cannot slip into a cookie
unnoticed.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class CookielessSessionInterface(SecureCookieSessionInterface):
    """Flask's session interface that never opens a session (each request gets the
    read-only null session) and so never sets a cookie."""

    def open_session(self, app, request) -> None:
        """No session to open: Flask then hands out its null session."""
        return None


def install(app: Flask) -> None:
    """Use :class:`CookielessSessionInterface` for ``app``."""
    app.session_interface = CookielessSessionInterface()
