"""Mobile web pages for residents, volunteers and organizers, served at ``/app/``.

The pages are thin HTML shells; plain ES modules in ``static/js`` call the JSON API of the
same origin and render everything (no CDN, no build step). See ``views.py`` for the routes.
"""
