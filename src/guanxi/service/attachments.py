"""Checking and storing uploaded files: size limit, allowed types, content matching the name.

Files go under `<data dir>/attachments/<yyyy>/<mm>/` with a random name; the
original name is kept only in the database, so nothing the uploader chose ever
becomes a path.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.actions import ActionError

# Extension → (content type, leading bytes the file must start with or None).
ALLOWED: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "txt": ("text/plain", None),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def storage_root() -> Path:
    return Path(settings.GUANXI_ATTACHMENT_DIR)


def check(upload: UploadedFile) -> tuple[str, bytes]:
    """(content type, bytes) of an acceptable upload, or an ActionError on field `file`."""
    limit = settings.GUANXI_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise ActionError(
            _("附件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    name = upload.name or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ActionError(
            _("不支持的文件类型；允许：%(types)s。") % {"types": ", ".join(sorted(ALLOWED))},
            code="bad_type",
            field="file",
        )
    data = upload.read()
    content_type, magic = ALLOWED[ext]
    if magic is not None and not data.startswith(magic):
        raise ActionError(_("文件内容与扩展名不符。"), code="bad_content", field="file")
    if magic is None and b"\x00" in data[:4096]:
        raise ActionError(_("文件内容与扩展名不符。"), code="bad_content", field="file")
    return content_type, data


def store(data: bytes) -> tuple[str, str]:
    """Write the bytes under the data dir; returns (relative path, sha256)."""
    now = timezone.now()
    relative = f"{now:%Y}/{now:%m}/{secrets.token_hex(16)}"
    path = storage_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative, hashlib.sha256(data).hexdigest()
