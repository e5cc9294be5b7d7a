"""The articles as files, without Flask: front matter, the store of ``content/``, Markdown
rendering, the import of the corpus, and the MkDocs site build with its Content-Security-Policy.

Used by the API (``api.articles``), the MkDocs hook (``mkdocs_hooks/articles.py``), the site
build's child process and the benchmarks. It imports nothing from ``api`` (the app factory in
``api/__init__.py`` costs seconds of start-up per build); ``tests/test_import_cycles.py`` checks
that. Keep the package import free of side effects.
"""
