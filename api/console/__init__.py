"""The staff console (管理后台) served at ``/admin/``.

Like ``/app/``: a server-rendered shell, plain ES modules that call ``/api/v1`` with the staff
member's sign-in (through the shared ``api.js``), a strict CSP, nothing from a CDN. Each
screen is one module in ``static/console/js/screens``; ``screens.py`` lists them with the
roles that see them. The API stays the judge of every request.
"""
