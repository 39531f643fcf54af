from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from cases import PhotoRejected
from cases.photos import GPS_IFD, store_photo

MAX = 5 * 1024 * 1024


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD] = {1: "N", 2: (31.0, 13.0, 49.44), 3: "E", 4: (121.0, 28.0, 25.32)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def encoded(fmt: str, size: tuple[int, int] = (20, 10)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 120, 0)).save(out, format=fmt)
    return out.getvalue()


def test_jpeg_is_stored_by_sha256_without_exif_and_its_gps_returned(tmp_path: Path) -> None:
    stored = store_photo(jpeg_with_gps(), tmp_path, MAX)
    assert stored.content_type == "image/jpeg" and (stored.width, stored.height) == (64, 48)
    assert stored.gps == pytest.approx((31.2304, 121.4737), abs=1e-4)
    path = tmp_path / stored.path
    assert path.name == stored.sha256 + ".jpg" and path.stat().st_size == stored.bytes
    with Image.open(path) as again:
        assert len(again.getexif()) == 0
    assert store_photo(jpeg_with_gps(), tmp_path, MAX).path == stored.path  # same picture, same file


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp")])
def test_png_and_webp_are_accepted(tmp_path: Path, fmt: str, content_type: str) -> None:
    stored = store_photo(encoded(fmt), tmp_path, MAX)
    assert stored.content_type == content_type and stored.gps is None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"GIF89a not really", "not_an_image"),
        (b"\x00" * 100, "not_an_image"),
        (b"<html>hello</html>", "not_an_image"),
    ],
)
def test_not_an_image(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(PhotoRejected) as caught:
        store_photo(data, tmp_path, MAX)
    assert caught.value.reason == reason


def test_gif_is_an_unsupported_type_and_big_files_are_too_big(tmp_path: Path) -> None:
    with pytest.raises(PhotoRejected) as gif:
        store_photo(encoded("GIF"), tmp_path, MAX)
    assert gif.value.reason == "unsupported_type"
    with pytest.raises(PhotoRejected) as big:
        store_photo(encoded("PNG"), tmp_path, max_bytes=10)
    assert big.value.reason == "too_big"
    assert list(tmp_path.iterdir()) == []


def png_bomb(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG: a few KB on the wire, ``width × height`` pixels once decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


def test_a_49_megapixel_png_is_refused_before_its_pixels_are_decoded(tmp_path: Path) -> None:
    bomb = png_bomb(7000, 7000)
    assert len(bomb) < 100_000
    with pytest.raises(PhotoRejected) as refused:
        store_photo(bomb, tmp_path, MAX)
    assert refused.value.reason == "too_big"
    assert not list(tmp_path.rglob("*.png"))


def test_a_photo_within_the_pixel_limit_is_kept(tmp_path: Path) -> None:
    assert store_photo(png_bomb(400, 300), tmp_path, MAX, max_pixels=120_000).width == 400
    with pytest.raises(PhotoRejected):
        store_photo(png_bomb(401, 300), tmp_path, MAX, max_pixels=120_000)
