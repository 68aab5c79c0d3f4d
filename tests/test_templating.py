"""render/templating.py: templates compiled by an earlier build are kept in the cache, and never stale."""

from careledger.render.templating import environment


def test_compiled_templates_are_kept_and_an_edited_template_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv("CARELEDGER_CACHE_DIR", str(tmp_path / "cache"))
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ name }}</p>\n", encoding="utf-8")
    assert environment(templates).get_template("page.html").render(name="甲") == "<p>甲</p>\n"
    kept = list((tmp_path / "cache" / "jinja").rglob("*.cache"))
    assert len(kept) == 1  # compiled once, kept

    (templates / "page.html").write_text("<div>{{ name }}</div>\n", encoding="utf-8")  # same name, new source
    assert environment(templates).get_template("page.html").render(name="乙") == "<div>乙</div>\n"
