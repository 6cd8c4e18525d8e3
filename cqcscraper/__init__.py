"""cqcscraper: a Scrapy crawler and SQLite archive of the CQC English press releases."""

__version__ = "0.1.0"
