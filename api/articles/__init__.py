"""Articles: Markdown files in ``content/`` published as the MkDocs site and through the API.

The modules without Flask (``frontmatter``, ``store``, ``cleanup``, ``importer``, ``render``,
``sitebuild``) are also used by the MkDocs hook and the CLI; keep this package import free of
side effects so the hook can import them cheaply.
"""
