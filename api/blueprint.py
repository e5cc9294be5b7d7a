"""The API's blueprint: flask-smorest's, with an argument parser that asks for the signed-in
user before it validates anything (:mod:`api.auth.gate`)."""

import flask_smorest

from api.auth.gate import SignInFirstParser


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose ``@blp.arguments`` check sign-in first where the
    operation is bearer-only (401 before 422)."""

    ARGUMENTS_PARSER = SignInFirstParser()
