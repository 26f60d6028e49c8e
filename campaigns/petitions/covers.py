"""Campaign cover images: checked by content, re-encoded without metadata, stored by random name.

Every upload is decoded and drawn again as a plain JPEG, so nothing of the original file
survives: no EXIF (camera, GPS position), no XMP, no comments, no hidden payload. Organizers and
supporters include people who have been harassed; a photo must never give away where it was taken.
"""

import io
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageOps

# What Pillow calls the formats we accept; MPO is the JPEG variant many phones write.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPTED_KINDS = {"JPEG", "MPO", "PNG", "WEBP"}
# Checked from the header before any pixel is decoded: 40 MP is more than any phone camera
# gives, and decoding it costs about 160 MB, so a larger claim is refused outright.
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
JPEG_QUALITY = 85
NAME_PATTERN = re.compile(r"^[0-9a-f]{32}\.jpg$")
MEGABYTE = 1024 * 1024

WRONG_TYPE = _l("Upload a JPEG, PNG or WebP image.")
TOO_MANY_PIXELS = _l("That image is too large in pixels.")


class CoverError(ValueError):
    """The upload is not an image we accept; str(error) is a message for the user."""


def covers_folder() -> Path:
    """The folder holding cover files, inside the configured upload folder."""
    return Path(current_app.config["UPLOAD_FOLDER"]).absolute() / "covers"


def is_cover_name(name: str | None) -> bool:
    """Whether a name is one store_cover could have made (and so is safe as a path)."""
    return bool(name) and NAME_PATTERN.fullmatch(name) is not None


def _read_limited(source: bytes | BinaryIO, limit: int) -> bytes:
    """The upload's bytes, refusing anything over the limit without reading all of it."""
    data = bytes(source) if isinstance(source, bytes | bytearray) else source.read(limit + 1)
    if len(data) > limit:
        megabytes = f"{limit / MEGABYTE:g}"
        raise CoverError(_l("That image is larger than %(size)s MB.", size=megabytes))
    if not data:
        raise CoverError(WRONG_TYPE)
    return data


def _open_checked(data: bytes) -> Image.Image:
    """Open by content (the name and declared type are ignored) and check size before decoding."""
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
        probe.verify()
    image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    if image.format not in ACCEPTED_KINDS:
        raise CoverError(WRONG_TYPE)
    if image.width * image.height > MAX_PIXELS:
        raise CoverError(TOO_MANY_PIXELS)
    if image.format in ("JPEG", "MPO"):
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the result still covers MAX_SIDE.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
    image.load()
    return image


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert to sRGB when the file carried a colour profile, since the profile is dropped."""
    if not icc_profile:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        target = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, target, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken or CMYK profile: the pixels are still fine, only the colours may shift.
        return image


def _flatten(image: Image.Image) -> Image.Image:
    """A plain RGB image: transparency drawn onto white, 16-bit grey scaled down."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if not has_alpha:
        return image.convert("RGB")
    rgba = image.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=rgba.getchannel("A"))
    return flat


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; a photo whose EXIF is malformed is kept as it is."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        # Cameras and editors write broken EXIF often enough (any of Pillow's parse errors);
        # that alone is no reason to refuse the photo.
        return image


def _clean_copy(image: Image.Image) -> Image.Image:
    """Upright, sRGB, at most MAX_SIDE a side, and a new image so no metadata comes along."""
    icc_profile = image.info.get("icc_profile")
    image = _to_srgb(_flatten(_upright(image)), icc_profile)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    return clean


def _encode(data: bytes) -> bytes:
    """Decode the upload and encode it again as a metadata-free JPEG."""
    try:
        clean = _clean_copy(_open_checked(data))
        out = io.BytesIO()
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    except CoverError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # The warning is raised (not just printed) when warnings are errors, as in the tests.
        raise CoverError(TOO_MANY_PIXELS) from exc
    except Exception as exc:
        # Pillow reports bad input through many types (OSError, SyntaxError, ValueError,
        # struct.error, EOFError, ...); to the uploader they all mean "not an image we take".
        raise CoverError(WRONG_TYPE) from exc
    return out.getvalue()


def _write_atomically(folder: Path, name: str, content: bytes) -> None:
    """Write to a temporary file and rename it, so readers never see half an image."""
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(content)
            temp.flush()
            os.fsync(temp.fileno())
        # mkstemp makes the file private; a proxy serving the folder directly must read it.
        os.chmod(temp_path, 0o644)
        os.replace(temp_path, folder / name)
    except BaseException:
        Path(temp_path).unlink(missing_ok=True)
        raise


def store_cover(source: bytes | BinaryIO) -> str:
    """Check and re-encode an uploaded image, store it, and return its new file name."""
    data = _read_limited(source, current_app.config["COVER_MAX_BYTES"])
    content = _encode(data)
    name = f"{secrets.token_hex(16)}.jpg"
    _write_atomically(covers_folder(), name, content)
    return name


def delete_cover(name: str | None) -> None:
    """Remove a stored cover; a missing file or a name store_cover never makes is ignored."""
    if is_cover_name(name):
        (covers_folder() / name).unlink(missing_ok=True)
