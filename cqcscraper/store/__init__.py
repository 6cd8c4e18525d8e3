"""The archive: one SQLite file (``archive.Archive``, made of ``connection``: opening,
upgrading and the transaction; ``queries``: reads; ``writes``: writes), its schema and
migrations (``schema``), how a row changes when a release is seen again (``history``), the
errors and their messages (``errors``), the files' names (``paths``), the run lock (``lock``),
the articles waiting for another try (``pending``), media (``media``), search (``search``),
the reading room's queries (``reading``), the exports (``export``, ``warc``, ``backup``),
``summary`` and ``fixity``. Every SQL statement of the package is here.

It stores plain records and responses and knows nothing of HTML or Scrapy. Of ``parse`` it
uses the record types (``records``, ``media.MediaLink``), the URL rules (``urls``), the reject
reasons (``validation``) and one text rule (``text.CONTROL``, for CSV cells), never the
modules that read HTML (``tests/test_layers.py`` checks it)."""
