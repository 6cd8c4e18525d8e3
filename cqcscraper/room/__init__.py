"""The reading room: the archive in Datasette, read like the press releases.

A Datasette plugin (``plugin``, registered by the package's ``datasette`` entry point) with its
templates: the shipped metadata and canned queries for every archive Datasette serves, whatever
its file name; a search page; a page per release with its images, documents and edits; Atom
feeds; the media store served by sha256. ``text`` holds the pure rules the pages use. Everything
the archive holds came from a website and is shown as text, never as markup (docs/analysts.md).
"""

from cqcscraper.room.plugin import (  # the hooks Datasette finds on the registered package
    asgi_wrapper,
    extra_template_vars,
    get_metadata,
    prepare_jinja2_environment,
    register_routes,
    render_cell,
)

__all__ = [
    "asgi_wrapper",
    "extra_template_vars",
    "get_metadata",
    "prepare_jinja2_environment",
    "register_routes",
    "render_cell",
]
