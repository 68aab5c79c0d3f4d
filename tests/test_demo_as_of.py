"""The demo looks right on the day it is opened: without --as-of it is judged as of its own last day (issue 17)."""

import datetime as dt
import json

from click.testing import CliRunner

from careledger.asof import default_as_of, today_in_jurisdiction
from careledger.cli import main
from careledger.demo import DemoSpec, write_demo


def test_the_bundled_demo_is_checked_as_of_its_last_day():
    result = CliRunner().invoke(main, ["check"])  # the bundled content/, no --as-of
    assert result.exit_code == 0, result.output[-2000:]
    assert result.stdout.strip().splitlines()[-1].endswith("（基准日 2026-11-23）。")


def test_a_demo_builds_as_of_its_own_last_day_unless_asked(tmp_path):
    content, end = tmp_path / "demo", dt.date(2025, 3, 10)
    write_demo(content, DemoSpec(households=4, months=1, end=end))
    assert "demo_as_of: 2025-03-10" in (content / "site.yaml").read_text(encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--content", str(content), "--output", str(tmp_path / "out"), "--no-paper"])
    assert built.exit_code == 0, built.output
    assert json.loads((tmp_path / "out" / "BUILD.json").read_text(encoding="utf-8"))["as_of"] == "2025-03-10"
    asked = runner.invoke(main, ["build", "--content", str(content), "--output", str(tmp_path / "out"), "--no-paper",
                                 "--as-of", "2025-04-01"])
    assert asked.exit_code == 0, asked.output
    assert json.loads((tmp_path / "out" / "BUILD.json").read_text(encoding="utf-8"))["as_of"] == "2025-04-01"


def test_real_records_are_judged_as_of_today_whatever_they_say(basic):
    site = basic / "site.yaml"
    text = site.read_text(encoding="utf-8")
    assert "synthetic_ids: true" in text
    site.write_text(text + "demo_as_of: 2026-11-06\n", encoding="utf-8")
    assert default_as_of(basic) == dt.date(2026, 11, 6)
    site.write_text(text.replace("synthetic_ids: true", "synthetic_ids: false") + "demo_as_of: 2026-11-06\n",
                    encoding="utf-8")
    assert default_as_of(basic) == today_in_jurisdiction()  # not demo records: the field counts for nothing
