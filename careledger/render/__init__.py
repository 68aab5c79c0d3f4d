"""Render: view objects in, files out (relative path → bytes). Nothing here reads records or writes to disk.

`pages.convert_pages` turns the Markdown notice pages into HTML and reports raw HTML as findings;
`site.render_site` fills the templates in `site_templates/` with the public view (and nothing else).
"""

from .pages import convert_pages
from .site import render_site

__all__ = ["convert_pages", "render_site"]
