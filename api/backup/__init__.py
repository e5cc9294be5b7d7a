"""``flask backup create PATH`` / ``flask backup restore PATH``: the database and ``content/``
(articles and their uploaded images) with a manifest of row counts and checksums."""
