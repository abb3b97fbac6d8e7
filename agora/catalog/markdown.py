"""Course descriptions and text lectures are Markdown written by authors: rendered without raw HTML,
then sanitised with nh3 to a short list of tags, so nothing an author writes can run in a reader's page."""

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "h3", "h4", "a",
}  # fmt: skip
HEADING_LEVELS = {"1": 3, "2": 3, "3": 4, "4": 4, "5": 4, "6": 4}
_HEADING = re.compile(r"<(/?)h([1-6])>")
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def markdown_render(text: str) -> str:
    """Safe HTML for Markdown `text`; its headings become <h3> and <h4> (the page has its own above)."""
    html = _markdown.render(text)
    html = _HEADING.sub(lambda match: f"<{match[1]}h{HEADING_LEVELS[match[2]]}>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
