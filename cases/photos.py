"""Photos: checked by content (JPEG, PNG, WebP), re-encoded without EXIF, stored by sha256.

The GPS position in the original EXIF (if any) is read before it is stripped and handed back as WGS-84
``(lat, lng)``; the caller converts it to GCJ-02 before locating.
"""

import hashlib
import io
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from cases.drafts import StoredPhoto
from cases.errors import PhotoRejected

FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
# A phone photo is 12 MP (WeChat sends residents' pictures at a few MP); decoding costs ~4 bytes a pixel,
# so a 155 KB PNG declaring 49 MP would take ~200 MB and seconds of CPU. Checked before decoding.
MAX_PIXELS = 24_000_000
GPS_IFD = 0x8825


def _dms(value: Any, ref: Any) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if str(ref).upper() in ("S", "W"):
        result = -result
    return result


def _gps(image: Image.Image) -> tuple[float, float] | None:
    try:
        gps = image.getexif().get_ifd(GPS_IFD)
    except Exception:  # a broken EXIF block is no reason to refuse the photo
        return None
    if not gps or 2 not in gps or 4 not in gps:
        return None
    lat, lng = _dms(gps[2], gps.get(1, "N")), _dms(gps[4], gps.get(3, "E"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180) or (lat == 0 and lng == 0):
        return None
    return round(lat, 7), round(lng, 7)


def store_photo(data: bytes, media_dir: Path, max_bytes: int, max_pixels: int = MAX_PIXELS) -> StoredPhoto:
    """Check, clean and store ``data``; raises :class:`PhotoRejected` with ``too_big``,
    ``not_an_image`` or ``unsupported_type``.

    The size in pixels is read from the header and checked before any pixel is decoded.
    """
    if len(data) > max_bytes:
        raise PhotoRejected("too_big")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > max_pixels:
                raise PhotoRejected("too_big")
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise PhotoRejected("not_an_image") from None
    if image.format not in FORMATS:
        raise PhotoRejected("unsupported_type")
    fmt = image.format
    content_type, suffix = FORMATS[fmt]
    gps = _gps(image)
    upright = ImageOps.exif_transpose(image)
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": 90} if fmt in ("JPEG", "WEBP") else {"optimize": True}
    upright.save(out, format=fmt, **options)  # no exif= argument: the metadata is left behind
    clean = out.getvalue()
    digest = hashlib.sha256(clean).hexdigest()
    folder = media_dir / digest[:2]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{digest}{suffix}"
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(clean)
        os.replace(tmp, path)
    return StoredPhoto(
        sha256=digest,
        bytes=len(clean),
        content_type=content_type,
        width=upright.width,
        height=upright.height,
        path=str(path.relative_to(media_dir)),
        gps=gps,
    )
