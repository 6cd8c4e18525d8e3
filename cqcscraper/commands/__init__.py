"""Project commands of ``scrapy`` (``COMMANDS_MODULE``); ``crawl`` replaces Scrapy's own."""
