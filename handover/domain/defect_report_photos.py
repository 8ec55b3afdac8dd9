"""Photos of defect reports: accepted as JPEG, PNG or HEIC/HEIF (iPhones), turned upright by their EXIF
orientation, scaled down, and stored as a fresh JPEG that carries no metadata at all — no EXIF, so no GPS
position, camera serial or time; no XMP, no ICC profile, no comments. Citizens are told so in the chat.

Files live in `<uploads_dir>/photos/<random id>.jpg`; the id is the only way to them (not guessable)."""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF (pillow-heif ships libheif in its wheel); without it HEIC is refused with a clear message
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is a dependency; kept for platforms without a wheel
    HEIC_SUPPORTED = False

# A decompression bomb (a tiny file that unpacks to gigapixels) is refused before it is decoded.
MAX_PIXELS = 60_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
JPEG_QUALITY = 85
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")


class PhotoError(Exception):
    """The upload is not a photo we take; `message` is for the citizen (German), `status` the HTTP status."""

    def __init__(self, message: str, status: int = 415) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The format by its first bytes, not by what the client claims."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "heif"
    return None


def clean_photo(data: bytes, max_edge: int) -> CleanPhoto:
    kind = sniff(data)
    if kind is None:
        raise PhotoError("Bitte senden Sie ein Foto als JPEG, PNG oder HEIC.")
    if kind == "heif" and not HEIC_SUPPORTED:
        raise PhotoError("HEIC-Fotos können hier nicht gelesen werden. Bitte senden Sie das Foto als JPEG.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)  # the orientation matters, the rest of EXIF goes
            if upright.mode in ("RGBA", "LA", "P"):
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            rgb = upright.convert("RGB")
    except Image.DecompressionBombError:
        raise PhotoError("Das Foto ist zu groß (zu viele Bildpunkte).", 413) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise PhotoError("Das Foto konnte nicht gelesen werden. Bitte versuchen Sie es mit einem anderen Foto.") from None
    rgb.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    # A new image from the pixels alone: nothing of the original's info (EXIF, XMP, ICC, comments) can survive.
    clean = Image.frombytes("RGB", rgb.size, rgb.tobytes())
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return CleanPhoto(out.getvalue(), clean.width, clean.height)


class PhotoStore:
    def __init__(self, folder: Path, max_bytes: int, max_edge: int) -> None:
        self.folder = folder / "photos"
        self.max_bytes = max_bytes
        self.max_edge = max_edge

    def path(self, photo_id: str) -> Path | None:
        if not (len(photo_id) == 32 and all(c in "0123456789abcdef" for c in photo_id)):
            return None
        path = self.folder / f"{photo_id}.jpg"
        return path if path.is_file() else None

    def save(self, data: bytes) -> tuple[str, CleanPhoto]:
        """Cleans and writes the photo; returns its new id. Raises PhotoError for what we do not take."""
        if len(data) > self.max_bytes:
            raise PhotoError(f"Das Foto ist zu groß (höchstens {self.max_bytes // 1_000_000} MB).", 413)
        photo = clean_photo(data, self.max_edge)
        photo_id = secrets.token_hex(16)
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{photo_id}.part"
        temporary.write_bytes(photo.data)
        temporary.replace(self.folder / f"{photo_id}.jpg")  # never a half-written photo under its name
        return photo_id, photo

    def delete(self, photo_id: str) -> None:
        path = self.path(photo_id)
        if path is not None:
            path.unlink(missing_ok=True)
