"""Pure rules, from strings to plain data: which URLs are articles (``urls``), the links of a
listing page (``discovery``), the raw fields of an article page (``extract``, reading its lines
with ``blocks``, its furniture with ``furniture`` and what it links with ``linked``), their
clean form (``normalize``, with ``text``, ``titles`` and ``dates``), whether a page is the
release its listing announced (``evidence``), which records may be archived and why not
(``validation``), which links are a release's files and what a file's bytes are (``media``),
and the item and record types (``records``). No Scrapy, no database, no network: every rule
is tested by replaying a saved page, and a test checks that nothing here imports more."""
