"""Options whose value is a vocabulary choice, taken as the English code or its Chinese label (as in the files)."""

from __future__ import annotations

import click


def choice_option(name: str, table: dict, help_text: str, *, multiple: bool = False):
    shown = "、".join(f"{code}（{label}）" for code, label in table.items())
    return click.option(name, type=click.Choice(list(table) + list(table.values())), multiple=multiple,
                        metavar="代码或名称", help=f"{help_text} 可选：{shown}。")


def code_of(table: dict, value: str | None) -> str | None:
    if value is None or value in table:
        return value
    return next(code for code, label in table.items() if label == value)
