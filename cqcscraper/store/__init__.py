"""The archive: one SQLite file, its schema and migrations, its writes and reads (``archive``),
how a row changes when a release is seen again (``history``), the run lock (``lock``) and the
exports (``export``). It stores plain records and responses and knows nothing of HTML or
Scrapy; it uses ``parse`` only for the record types and the URL rules."""
