"""The secret key of the public ids, kept outside the records and outside anything published.

A public id is an HMAC of `household/member` under this key (views/masks.py). Household and member ids are short
and regular, so whoever has the key can go from a household to its public id; the key must therefore be something
no reader of the site or of the records repository has. It is read from, in this order:

1. the environment variable `CARELEDGER_ID_KEY` (the key itself);
2. the file named by `CARELEDGER_ID_KEY_FILE`;
3. `~/.config/careledger/keys/<site-id>.key`, which `careledger keygen` creates (mode 0600, folder 0700).

`<site-id>` is the jurisdiction's parent and name (`示例县-测试街道`). A key must have at least 32 characters and may
not lie inside the records directory (it would be committed with them). Without a key a real jurisdiction is refused
(E-PRIVACY-KEY, saying how to make one); a synthetic one (`synthetic_ids: true`, ID numbers in region 99) uses a
fixed key written below, with a warning (W-PRIVACY-KEY): invented data has nothing to protect.

`digest()` is a digest of every key the build could read (never a key): it is part of the build's fingerprint, so a
new or rotated key renders the site again.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from .findings import ERROR, WARNING, Finding, Source

ENV_KEY = "CARELEDGER_ID_KEY"
ENV_FILE = "CARELEDGER_ID_KEY_FILE"
MIN_LENGTH = 32
DEMO_KEY = b"careledger synthetic demo: a fixed public-id key, for invented data only"


class KeyMissing(Exception):
    """No usable key for a real jurisdiction; `finding` is the E-PRIVACY-KEY error that says what to do."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def keys_dir() -> Path:
    return Path.home() / ".config" / "careledger" / "keys"


def site_id(site) -> str:
    """The name of the jurisdiction's key file: its parent and name, as a safe file name."""
    name = f"{site.parent}-{site.name}" if site.parent else site.name
    return re.sub(r"[^\w-]", "_", name)


def key_path(site) -> Path:
    return keys_dir() / f"{site_id(site)}.key"


def id_key(site, content_dir: Path | None = None) -> tuple[bytes, list[Finding]]:
    """The key of the public ids of `site` and the findings about it; raises KeyMissing for a real jurisdiction
    without a usable key."""
    findings = []
    if site.privacy.id_salt:
        findings.append(Finding(
            "W-PRIVACY-SALT", WARNING,
            "site.yaml 的 privacy.id_salt 已不再使用：它写在记录仓库中，能读仓库的人都能由它算出公开编号。"
            f"公开编号的密钥现在保存在记录目录之外（{key_path(site)}，用 careledger keygen 生成）。请删除 id_salt 一项",
            Source("site.yaml"), path="privacy.id_salt"))
    key, where, problem = _find(site, content_dir)
    if key is not None:
        return key, findings
    if site.synthetic_ids:
        findings.append(Finding(
            "W-PRIVACY-KEY", WARNING,
            f"没有公开编号密钥（{problem}）：演示数据（synthetic_ids: true）使用程序内置的固定密钥，任何人都能由户编号"
            f"算出公开编号。真实记录必须先用 careledger keygen 生成密钥（保存在 {key_path(site)}）",
            Source("site.yaml"), path="synthetic_ids"))
        return DEMO_KEY, findings
    raise KeyMissing(Finding(
        "E-PRIVACY-KEY", ERROR,
        f"没有可用的公开编号密钥（{problem}）：没有密钥，公开编号就可能被人由户编号推算出来，因此不能生成公开网站。"
        f"请在生成网站的电脑上运行 careledger keygen --content <记录目录>，它会生成密钥文件 {key_path(site)}"
        f"（只有本人可读）；或用环境变量 {ENV_KEY} / {ENV_FILE} 提供密钥（至少 {MIN_LENGTH} 个字符）。"
        "密钥不要放进记录目录，也不要发给他人；见 docs/privacy.md",
        Source("site.yaml")))


def _find(site, content_dir: Path | None) -> tuple[bytes | None, str, str]:
    """(key, where it was read, "") or (None, "", why there is none)."""
    value = os.environ.get(ENV_KEY)
    if value is not None:
        return _usable(value, f"环境变量 {ENV_KEY}")
    named = os.environ.get(ENV_FILE)
    path = Path(named).expanduser() if named else key_path(site)
    where = f"{ENV_FILE} 指定的文件 {path}" if named else f"密钥文件 {path}"
    if content_dir is not None and _inside(path, Path(content_dir)):
        return None, "", f"{where} 在记录目录中，会随记录提交，不能用作密钥"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "", f"{where} 不存在"
    except OSError as failed:
        return None, "", f"{where} 无法读取：{failed.strerror}"
    return _usable(text, where)


def _usable(text: str, where: str) -> tuple[bytes | None, str, str]:
    key = text.strip()
    if len(key) < MIN_LENGTH:
        return None, "", f"{where} 中的密钥只有 {len(key)} 个字符，至少需要 {MIN_LENGTH} 个"
    return key.encode("utf-8"), where, ""


def _inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def digest() -> str:
    """A digest of every key a build could read (the variables and every key file): part of the build's
    fingerprint, so a new or rotated key renders the site again. It holds no key."""
    h = hashlib.sha256(b"careledger id keys\n")
    for name in (ENV_KEY, ENV_FILE):
        h.update(f"{name}={hashlib.sha256(os.environ.get(name, '').encode()).hexdigest()}\n".encode())
    files = [Path(os.environ[ENV_FILE]).expanduser()] if os.environ.get(ENV_FILE) else []
    if keys_dir().is_dir():
        files += sorted(keys_dir().glob("*.key"))
    for path in files:
        try:
            h.update(f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode())
        except OSError:
            h.update(f"{path.name}:-\n".encode())
    return h.hexdigest()


def keygen(site, *, rotate: bool = False) -> Path:
    """Create the key file of `site` (256 random bits, hex), folder 0700 and file 0600. An existing key is kept
    unless `rotate`: a new key changes every public id. Raises FileExistsError when a key exists."""
    path = key_path(site)
    if path.exists() and not rotate:
        raise FileExistsError(str(path))
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    temporary = path.with_suffix(".key.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secrets.token_hex(32) + "\n")
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path
