"""A form's HTML: its template from `forms/` with each field placed by name, blank or pre-filled.

Templates call `field("name")` for a field and loop over `rows("table")` for a table, calling `row.cell("column")`
for each cell; the element (`<input>`, `<textarea>`, `<select>`) comes from the definition, so a template cannot
misspell a field's name or type. A template that leaves a defined field out, or places one twice, is refused: the
PDF always has exactly the fields `docs/forms.md` lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from .dossier import paper_environment
from .forms import FORMS_DIR, FieldDef, FormDef, TableDef, field_value, value_at


class TemplateProblem(Exception):
    """A form's template does not place its fields as defined."""


@dataclass(frozen=True)
class Page:
    """What every form template gets besides its fields."""

    as_of: str  # "" for a blank form
    commit: str
    blank: bool
    stamp: str = ""  # the build stamp line (careledger.stamp)


def render_form(form: FormDef, item, page: Page, *, directory: Path = FORMS_DIR) -> str:
    """The HTML of `form`, pre-filled from `item` (a context of the form's nature) or blank when it is None."""
    placer = _Placer(form, item)
    env = paper_environment(directory)
    template = env.get_template(f"{form.name}.html")
    html = template.render(form=form, item=item, page=page, field=placer.field, rows=placer.rows,
                           css=Markup((directory / "_form.css").read_text("utf-8")))
    placer.check(f"forms/{form.name}.html")
    return html


def row_counts(form: FormDef, item) -> dict[str, int]:
    """How many rows each table gets: its blank rows, or as many as the list it is filled from, if more."""
    counts = {}
    for t in form.tables:
        items = value_at(item, t.path) if item is not None and t.path else None
        counts[t.name] = max(t.rows, len(items or ()))
    return counts


class _Placer:
    def __init__(self, form: FormDef, item):
        self.form, self.item = form, item
        self.defs = {f.name: f for f in form.fields}
        self.tables = {t.name: t for t in form.tables}
        self.counts = row_counts(form, item)
        self.placed: dict[str, int] = {}

    def field(self, name: str, **attrs) -> Markup:
        if name not in self.defs:
            raise TemplateProblem(f"forms/{self.form.name}.html 用了未定义的字段“{name}”")
        f = self.defs[name]
        return self._element(name, f, field_value(f, self.item), attrs)

    def rows(self, name: str):
        if name not in self.tables:
            raise TemplateProblem(f"forms/{self.form.name}.html 用了未定义的表格“{name}”")
        t = self.tables[name]
        items = tuple(value_at(self.item, t.path) or ()) if self.item is not None and t.path else ()
        return [_Row(self, t, n, items[n - 1] if n <= len(items) else None) for n in range(1, self.counts[name] + 1)]

    def _element(self, name: str, f: FieldDef, value, attrs: dict) -> Markup:
        self.placed[name] = self.placed.get(name, 0) + 1
        attrs = dict(attrs)
        classes = " ".join(x for x in ("f", f"f-{f.type}", attrs.pop("class_", "")) if x)
        extra = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
        common = f'name="{name}" title="{escape(f.label)}" class="{escape(classes)}"{extra}'
        if f.type == "checkbox":
            return Markup(f'<input type="checkbox" {common}{" checked" if value else ""}>')
        if f.type == "multiline":
            return Markup(f'<textarea {common}>{escape(value)}</textarea>')
        if f.type == "select":
            choices = list(f.choices)
            if value and value not in choices:
                choices.append(value)  # a recorded value outside the list is kept, never dropped
            options = "".join(f'<option value="{escape(c)}"{" selected" if c == value else ""}>{escape(c)}</option>'
                              for c in ["", *choices])
            return Markup(f'<select {common}>{options}</select>')
        return Markup(f'<input type="text" {common} value="{escape(value)}">')

    def check(self, where: str) -> None:
        expected = set(self.form.field_names(rows=self.counts))
        missing = sorted(expected - set(self.placed), key=list(self.form.field_names(rows=self.counts)).index)
        twice = sorted(n for n, count in self.placed.items() if count > 1)
        if missing or twice:
            parts = ([f"没有放置字段：{'、'.join(missing)}"] if missing else []) + (
                [f"字段放置了不止一次：{'、'.join(twice)}"] if twice else [])
            raise TemplateProblem(f"{where}：{'；'.join(parts)}")


@dataclass
class _Row:
    placer: _Placer
    table: TableDef
    number: int
    item: object

    def cell(self, column: str, **attrs) -> Markup:
        f = next((c for c in self.table.columns if c.name == column), None)
        if f is None:
            raise TemplateProblem(f"forms/{self.placer.form.name}.html 用了表格“{self.table.name}”中未定义的列“{column}”")
        value = field_value(f, self.item)
        return self.placer._element(self.table.cell_name(self.number, column), f, value, attrs)
