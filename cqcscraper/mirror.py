"""``python -m cqcscraper.mirror``, as documented: runs ``cqcscraper.testing.mirror``."""

from cqcscraper.testing.mirror import main

if __name__ == "__main__":
    raise SystemExit(main())
