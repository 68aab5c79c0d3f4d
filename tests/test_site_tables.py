"""A table of a Markdown notice page scrolls in its own labelled box on a phone, as the site's own tables do
(issue 18): named after the heading above it (escaped), or the page's title, numbered when several share a name."""

from html.parser import HTMLParser

from careledger.render.pages import scroll_tables, to_html
from careledger.render.safehtml import clean

TABLE = "| 项目 | 次数 |\n| --- | ---: |\n| 走访 | 1 |\n"


class _Boxes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.boxes: list[dict] = []
        self.inside: list[int] = []

    def handle_starttag(self, tag, attrs):
        if tag == "div":
            self.boxes.append(dict(attrs) | {"tables": 0})
        elif tag == "table":
            self.inside.append(len(self.boxes))


def boxes(markdown: str, title: str) -> _Boxes:
    html, _ = to_html(markdown)
    html, dropped = clean(html)
    assert dropped == []
    parser = _Boxes()
    parser.feed(scroll_tables(html, title))
    return parser


def test_each_table_gets_a_labelled_focusable_box():
    found = boxes(f"{TABLE}\n## 频次 \"甲\" <乙> & 丙\n\n{TABLE}\n文字\n\n{TABLE}\n## 其他\n\n{TABLE}", "走访频次要求")
    assert [b["aria-label"] for b in found.boxes] == ["走访频次要求", "频次 \"甲\" <乙> & 丙（表 1）",
                                                      "频次 \"甲\" <乙> & 丙（表 2）", "其他"]
    assert all(b["role"] == "region" and b["tabindex"] == "0" and b["class"] == "table-scroll" for b in found.boxes)
    assert found.inside == [1, 2, 3, 4]  # every table right inside its own box


def test_a_page_without_tables_is_unchanged():
    html, _ = to_html("# 标题\n\n正文\n")
    assert scroll_tables(html, "关于") == html
