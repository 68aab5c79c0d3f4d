"""The public ids need a secret key that is in no repository and derivable from nothing published (idkey.py)."""

import base64
import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from careledger import idkey
from careledger.cli import main
from careledger.pipeline import BuildFailed, build_all

from .publickit import AS_OF, SUBJECTS, jurisdiction


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home of its own: keys are read from and written to ~/.config/careledger/keys/."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def real(root: Path) -> Path:
    """The test jurisdiction as a real one would be: not synthetic, so no ID numbers of region 99."""
    content = jurisdiction(root)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("synthetic_ids: true", "synthetic_ids: false"),
                    encoding="utf-8")
    for path in (content / "households").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\n    id_number: '\d{17}[\dX]'", "", text), encoding="utf-8")
    return content


def public_ids(out: Path) -> set[str]:
    ids = set()
    for page in (out / "site" / "villages").glob("*.html"):
        ids |= set(re.findall(r'id="p-([a-z2-7]{10})"', page.read_text(encoding="utf-8")))
    return ids


def keygen(content: Path, *args: str):
    return CliRunner().invoke(main, ["keygen", "--content", str(content), *args])


def test_a_real_jurisdiction_without_a_key_is_refused(tmp_path, home):
    content = real(tmp_path / "content")
    with pytest.raises(BuildFailed) as failed:
        build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    [error] = [f for f in failed.value.findings if f.is_error]
    assert error.code == "E-PRIVACY-KEY" and "careledger keygen" in error.message
    assert str(home / ".config/careledger/keys/示例县-测试街道.key") in error.message
    assert not (tmp_path / "out").exists()


def test_keygen_makes_a_private_key_and_the_build_uses_it(tmp_path, home):
    content = real(tmp_path / "content")
    result = keygen(content)
    assert result.exit_code == 0, result.output
    path = home / ".config/careledger/keys/示例县-测试街道.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(path.read_text().strip()) == 64 and str(path) in result.output
    again = keygen(content)
    assert again.exit_code != 0 and "--rotate" in again.output and path.read_text() == path.read_text()

    built = build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    assert not [f for f in built.findings if f.code.startswith(("W-PRIVACY-KEY", "W-PRIVACY-SALT"))]
    first = public_ids(tmp_path / "out")
    assert len(first) == 16  # the listed subjects (14 or older, in care)

    # Rotation: a new key, and the next build (not skipped: the key's digest is in the fingerprint) has new ids.
    before = path.read_text()
    assert keygen(content, "--rotate").exit_code == 0 and path.read_text() != before
    rebuilt = build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    assert not rebuilt.skipped
    assert not public_ids(tmp_path / "out") & first


def test_no_public_id_can_be_computed_from_what_is_published_or_committed(tmp_path, home):
    """The old keys: one derived from the site's and parent's names (printed on every page), and an id_salt
    written in site.yaml. Neither gives any id now; the salt is reported as unused."""
    content = real(tmp_path / "content")
    site = content / "site.yaml"
    salt = "测试街道-公开编号-密钥-0001"
    site.write_text(site.read_text(encoding="utf-8") + f"  id_salt: {salt}\n", encoding="utf-8")
    assert keygen(content).exit_code == 0
    built = build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    assert [f.code for f in built.findings if f.code == "W-PRIVACY-SALT"] == ["W-PRIVACY-SALT"]
    published = public_ids(tmp_path / "out")
    derived = hashlib.sha256("careledger:测试街道:示例县".encode()).digest()
    keys = [derived, salt.encode(), b"", "测试街道".encode(), "示例县".encode(), idkey.DEMO_KEY]
    guesses = {base64.b32encode(hmac.new(key, f"{hid}/m1".encode(), hashlib.sha256).digest()).decode().lower()[:10]
               for key in keys for hid, *_ in SUBJECTS}
    assert published and not published & guesses


def test_the_key_may_come_from_the_environment_and_differs_by_key(tmp_path, home, monkeypatch):
    content = real(tmp_path / "content")
    monkeypatch.setenv("CARELEDGER_ID_KEY", "k" * 40)
    build_all(content, tmp_path / "a", as_of=AS_OF, paper=False)
    monkeypatch.delenv("CARELEDGER_ID_KEY")
    key_file = tmp_path / "elsewhere.key"
    key_file.write_text("j" * 40 + "\n")
    monkeypatch.setenv("CARELEDGER_ID_KEY_FILE", str(key_file))
    build_all(content, tmp_path / "b", as_of=AS_OF, paper=False)
    a, b = public_ids(tmp_path / "a"), public_ids(tmp_path / "b")
    assert len(a) == len(b) == 16 and not a & b


@pytest.mark.parametrize("where", ["inside", "short"])
def test_a_key_in_the_records_or_too_short_is_refused(tmp_path, home, monkeypatch, where):
    content = real(tmp_path / "content")
    if where == "inside":
        key_file = content / "id.key"
        key_file.write_text("k" * 64)
        monkeypatch.setenv("CARELEDGER_ID_KEY_FILE", str(key_file))
    else:
        monkeypatch.setenv("CARELEDGER_ID_KEY", "short")
    with pytest.raises(BuildFailed) as failed:
        build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    [error] = [f for f in failed.value.findings if f.is_error]
    assert error.code == "E-PRIVACY-KEY"
    assert ("记录目录中" if where == "inside" else "至少需要 32 个") in error.message
    assert "k" * 64 not in error.message


def test_the_synthetic_demo_builds_with_the_fixed_key_and_a_warning(tmp_path, home):
    content = jurisdiction(tmp_path / "content")
    built = build_all(content, tmp_path / "out", as_of=AS_OF, paper=False)
    [warning] = [f for f in built.findings if f.code == "W-PRIVACY-KEY"]
    assert "careledger keygen" in warning.message
    assert len(public_ids(tmp_path / "out")) == 16
    assert os.environ.get("CARELEDGER_ID_KEY") is None


def test_keygen_where_the_key_cannot_be_written_says_why_in_chinese(tmp_path, home):
    content = real(tmp_path / "content")
    home.parent.mkdir(parents=True, exist_ok=True)
    home.write_text("a file where the home folder should be")
    result = keygen(content)
    assert result.exit_code == 1 and not isinstance(result.exception, OSError), result.output
    assert f"无法写入密钥文件 {home}/.config/careledger/keys/示例县-测试街道.key（路径中有一项不是目录）：未生成密钥" \
        in result.output, result.output
