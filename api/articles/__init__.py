"""Articles through the API and the served site: reading, editing, publishing, scheduling.

The files themselves (front matter, store, rendering, the site build) are the Flask-free
``publishing`` package.
"""
