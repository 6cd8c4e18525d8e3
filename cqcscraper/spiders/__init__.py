"""The project's spider, ``press`` (discovery only: listing pages to article pages)."""
