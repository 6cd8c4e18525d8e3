"""``python -m cqcscraper.synthetic``, as documented: runs ``cqcscraper.testing.synthetic``."""

from cqcscraper.testing.synthetic import main

if __name__ == "__main__":
    raise SystemExit(main())
