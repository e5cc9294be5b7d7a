"""The platform's side of search: which rows become search documents, keeping the index
fresh after commits, the query API and ``flask search rebuild``. The index itself (Whoosh,
Chinese analysis) is the top-level ``search`` package."""
