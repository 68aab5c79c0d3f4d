"""click's own words in Chinese: usage errors (missing option, bad value, no such command) and the --help headings.

click marks its messages for gettext but ships no translations, and binds `gettext` into each of its modules at
import. `install()` puts a Chinese catalogue in their place, before cli.py's decorators run (some help texts, such
as --version's, are looked up then). A message missing from the catalogue (a newer click's) stays in English.
This changes click for the whole process; careledger's command line is the only click program it runs.
"""

from __future__ import annotations

import importlib

_MODULES = ("core", "exceptions", "parser", "types", "formatting", "decorators", "termui")

CATALOGUE = {
    # errors and their framing
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "用“{command} {option}”查看帮助。",
    "Aborted!": "已中止。",
    "unknown error": "未知错误",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Did you mean {possibility}?": "是不是要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是要用其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要写 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要有 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "要有 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "要有 {nargs} 个值，给了 {len} 个。",
    "Value must be an iterable.": "值应是一组值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    # values of a type
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是以下之一：{choices}。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合格式 {formats} 中的任何一种。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是是/否值，可用：{states}",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "file": "文件",
    "directory": "目录",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，这里要的是目录。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录，这里要的是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    # --help and --version
    "Usage:": "用法：",
    "Options": "选项",
    "Positional arguments": "参数",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
}


def gettext(message: str) -> str:
    return CATALOGUE.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Give click's modules the Chinese catalogue in place of gettext's (idempotent)."""
    for name in _MODULES:
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
