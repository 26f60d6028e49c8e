"""Cover images: only real JPEG/PNG/WebP, re-encoded without metadata, served with safe headers."""

import io
import os
import random
import struct
import warnings
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms
from werkzeug.datastructures import FileStorage

from campaigns.config import from_environment
from campaigns.petitions.covers import (
    MAX_SIDE,
    NAME_PATTERN,
    CoverError,
    covers_folder,
    delete_cover,
    store_cover,
)

SECRET = b"SECRET-PLACE-48.8566"
WRONG_TYPE = "Upload a JPEG, PNG or WebP image."
TOO_MANY_PIXELS = "That image is too large in pixels."


@pytest.fixture
def cover_app(app_factory, tmp_path):
    """An app whose upload folder is a fresh temporary directory."""
    return app_factory(UPLOAD_FOLDER=str(tmp_path / "uploads"))


@pytest.fixture
def store(cover_app):
    """store_cover inside the app context; returns the stored file's path."""

    def run(source):
        with cover_app.app_context():
            return covers_folder() / store_cover(source)

    return run


def encode(image: Image.Image, kind: str, **params) -> bytes:
    """An image file in memory."""
    out = io.BytesIO()
    image.save(out, kind, **params)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    """EXIF with a camera make, an orientation and a GPS position, like a phone photo's."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (48.0, 51.0, 24.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 21.0, 7.0)
    return exif


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk with its CRC."""
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\0" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def opened(path) -> Image.Image:
    """The stored file, opened and loaded."""
    image = Image.open(path)
    image.load()
    return image


def test_jpeg_loses_exif_gps_and_every_other_metadata(store):
    """A phone photo's EXIF (GPS included), XMP and comment are not in the stored file."""
    source = encode(
        Image.new("RGB", (64, 48), "green"),
        "JPEG",
        exif=gps_exif(),
        xmp=b"<x:xmpmeta>" + SECRET + b"</x:xmpmeta>",
        comment=SECRET,
    )
    original = Image.open(io.BytesIO(source))
    assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test input really has GPS
    assert SECRET in source

    path = store(source)

    stored = opened(path)
    content = path.read_bytes()
    assert NAME_PATTERN.fullmatch(path.name)
    assert stored.format == "JPEG" and stored.mode == "RGB" and stored.size == (64, 48)
    assert len(stored.getexif()) == 0
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(stored.info)
    assert b"Exif" not in content and SECRET not in content and b"PhoneMaker" not in content


def test_png_with_alpha_becomes_jpeg_on_white(store):
    """Transparent pixels are flattened onto white; the result is an RGB JPEG."""
    image = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (10, 0, 20, 10))

    stored = opened(store(encode(image, "PNG")))

    assert stored.format == "JPEG" and stored.mode == "RGB"
    assert min(stored.getpixel((2, 5))) > 245
    red, green, blue = stored.getpixel((17, 5))
    assert red > 180 and green < 30 and blue < 30


def test_palette_png_with_transparency_is_flattened(store):
    """A palette PNG's transparent colour becomes white too."""
    image = Image.new("P", (10, 10), 0)
    image.putpalette([0, 0, 0] + [0, 0, 255] * 255)
    image.paste(1, (5, 0, 10, 10))

    stored = opened(store(encode(image, "PNG", transparency=0)))

    assert min(stored.getpixel((1, 5))) > 245
    assert stored.getpixel((8, 5))[2] > 200


def test_webp_is_accepted_and_reencoded(store):
    """WebP is one of the three accepted formats; it is stored as JPEG like the rest."""
    stored = opened(store(encode(Image.new("RGB", (30, 20), "blue"), "WEBP")))
    assert stored.format == "JPEG" and stored.size == (30, 20)


def test_cmyk_jpeg_and_sixteen_bit_grey_png_are_converted(store):
    """Less common but valid modes end up as RGB with their colours kept."""
    cmyk = opened(store(encode(Image.new("CMYK", (8, 8), (0, 0, 0, 255)), "JPEG")))
    grey = opened(store(encode(Image.new("I;16", (8, 8), 30000), "PNG")))
    assert cmyk.mode == "RGB" and max(cmyk.getpixel((4, 4))) < 40
    assert grey.mode == "RGB" and 100 < grey.getpixel((4, 4))[0] < 135


def test_colour_profile_is_applied_and_dropped(store):
    """An embedded ICC profile is used to convert to sRGB, then not stored."""
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encode(Image.new("RGB", (8, 8), "red"), "JPEG", icc_profile=profile)
    stored = opened(store(source))
    assert "icc_profile" not in stored.info and stored.getpixel((4, 4))[0] > 200


def test_exif_orientation_is_applied(store):
    """A photo taken sideways (EXIF orientation 6) is stored upright, then without EXIF."""
    image = Image.new("RGB", (40, 20), "blue")
    image.paste((255, 0, 0), (0, 0, 20, 20))  # left half red

    stored = opened(store(encode(image, "JPEG", exif=gps_exif(orientation=6), quality=95)))

    # Orientation 6 means "turn 90° clockwise to view": the left half ends up on top.
    assert stored.size == (20, 40)
    assert stored.getpixel((10, 5))[0] > 200 and stored.getpixel((10, 35))[2] > 200
    assert len(stored.getexif()) == 0


@pytest.mark.parametrize(
    ("size", "expected"),
    # The last one is decoded at half scale by libjpeg (draft) before resizing.
    [((3200, 1000), (1600, 500)), ((1000, 4000), (400, 1600)), ((6400, 4000), (1600, 1000))],
)
def test_large_images_are_downsized(store, size, expected):
    """Nothing wider or taller than MAX_SIDE is stored; the aspect ratio is kept."""
    stored = opened(store(encode(Image.new("RGB", size, "white"), "JPEG")))
    assert stored.size == expected and max(stored.size) == MAX_SIDE


def test_small_images_are_not_enlarged(store):
    """An image under the limit keeps its size."""
    assert opened(store(encode(Image.new("RGB", (300, 200)), "PNG"))).size == (300, 200)


def test_name_and_declared_type_are_ignored(store):
    """A PNG uploaded as "photo.jpg" is judged by its content, and a text file named .jpg is not."""
    png = FileStorage(
        io.BytesIO(encode(Image.new("RGB", (5, 5)), "PNG")),
        filename="photo.jpg",
        content_type="image/jpeg",
    )
    assert opened(store(png.stream)).format == "JPEG"

    text = FileStorage(
        io.BytesIO(b"hello, I am text"), filename="photo.jpg", content_type="image/jpeg"
    )
    with pytest.raises(CoverError) as error:
        store(text.stream)
    assert str(error.value) == WRONG_TYPE


def truncated_jpeg() -> bytes:
    """A real JPEG cut off halfway through its image data."""
    data = encode(Image.effect_noise((200, 200), 64).convert("RGB"), "JPEG")
    return data[: len(data) // 2]


BAD_INPUTS = {
    "empty": b"",
    "garbage": random.Random(3).randbytes(4096),
    "text": b"just some text, named cover.jpg",
    "gif": encode(Image.new("RGB", (10, 10), "red"), "GIF"),
    "bmp": encode(Image.new("RGB", (10, 10)), "BMP"),
    "tiff": encode(Image.new("RGB", (10, 10)), "TIFF"),
    "svg with script": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    "html": b"<!doctype html><script>alert(1)</script>",
    "truncated jpeg": truncated_jpeg(),
    "truncated png": encode(Image.effect_noise((100, 100), 64), "PNG")[:300],
    "jpeg header only": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "png signature only": b"\x89PNG\r\n\x1a\n",
    "jpeg magic then html": b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>",
}


@pytest.mark.parametrize("kind", BAD_INPUTS)
def test_bad_input_raises_only_cover_error(store, cover_app, kind):
    """Whatever the bytes, a non-image is a CoverError with the type message; nothing is kept."""
    with pytest.raises(CoverError) as error:
        store(io.BytesIO(BAD_INPUTS[kind]))
    assert type(error.value) is CoverError and str(error.value) == WRONG_TYPE
    folder = os.path.join(cover_app.config["UPLOAD_FOLDER"], "covers")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


@pytest.mark.parametrize("size", [(8000, 8000), (10000, 10000), (20000, 20000), (1, 50_000_000)])
def test_decompression_bombs_are_refused_before_decoding(store, size):
    """Claimed sizes over the pixel limit are refused, at every level Pillow itself would warn."""
    with pytest.raises(CoverError) as error:
        store(png_header_only(*size))
    assert str(error.value) == TOO_MANY_PIXELS


def test_bomb_is_refused_when_warnings_are_not_errors(store):
    """In production Pillow's bomb warning is only a warning: the pixel check still refuses."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(CoverError) as error:
            store(png_header_only(10000, 10000))
    assert str(error.value) == TOO_MANY_PIXELS


def test_oversized_upload_is_refused_without_reading_it_all(app_factory, tmp_path):
    """Over COVER_MAX_BYTES is refused after reading one byte more than the limit."""
    app = app_factory(UPLOAD_FOLDER=str(tmp_path), COVER_MAX_BYTES=1000)
    stream = io.BytesIO(encode(Image.effect_noise((300, 300), 64), "PNG") + b"\0" * 5000)
    with app.app_context(), pytest.raises(CoverError) as error:
        store_cover(stream)
    assert stream.tell() == 1001
    assert "larger than" in str(error.value)


def test_default_size_limit_message_and_bytes_input(store):
    """Bytes work as well as streams; the default limit is 5 MB and says so."""
    with pytest.raises(CoverError) as error:
        store(b"\xff" * (5 * 1024 * 1024 + 1))
    assert str(error.value) == "That image is larger than 5 MB."


def test_stored_file_is_new_readable_and_alone(store):
    """Each upload gets its own random name; no temporary files are left behind."""
    source = encode(Image.new("RGB", (10, 10)), "JPEG")
    first, second = store(source), store(io.BytesIO(source))
    assert first != second
    assert sorted(os.listdir(first.parent)) == sorted([first.name, second.name])
    assert first.stat().st_mode & 0o777 == 0o644


def test_delete_cover(store, cover_app, tmp_path):
    """delete_cover removes the file, ignores missing ones, and never leaves the covers folder."""
    path = store(encode(Image.new("RGB", (10, 10)), "PNG"))
    outside = tmp_path / "uploads" / "keep.jpg"
    outside.write_bytes(b"x")
    with cover_app.app_context():
        delete_cover(path.name)
        delete_cover(path.name)
        delete_cover(None)
        delete_cover("../keep.jpg")
    assert not path.exists() and outside.exists()


# Serving


def test_cover_is_served_with_safe_headers(store, cover_app):
    """The stored bytes come back as image/jpeg with sandboxing, nosniff and long caching."""
    path = store(encode(Image.new("RGB", (10, 10)), "PNG"))
    response = cover_app.test_client().get(f"/media/covers/{path.name}", buffered=True)
    assert response.status_code == 200
    assert response.data == path.read_bytes()
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_cover_url_from_endpoint(cover_app):
    """Templates link covers with url_for("media.cover", name=...)."""
    with cover_app.test_request_context():
        from flask import url_for

        assert url_for("media.cover", name="a" * 32 + ".jpg") == f"/media/covers/{'a' * 32}.jpg"


@pytest.mark.parametrize(
    "name",
    [
        "..%2Fsecret_key",
        "..%2F..%2Finstance%2Fsecret_key",
        "%2e%2e",
        "A" * 32 + ".jpg",
        "a" * 32 + ".png",
        "a" * 32 + ".jpeg",
        "a" * 32 + ".JPG",
        "a" * 31 + ".jpg",
        "a" * 33 + ".jpg",
        "g" * 32 + ".jpg",
        "a" * 32 + ".jpg.html",
        ".upload-x.tmp",
    ],
)
def test_bad_names_are_404(cover_app, name):
    """Only names store_cover makes are looked up at all."""
    assert cover_app.test_client().get(f"/media/covers/{name}").status_code == 404


def test_a_nul_byte_in_the_name_is_a_400(cover_app):
    """NUL is never valid in a URL value; it is refused before any lookup."""
    response = cover_app.test_client().get("/media/covers/" + "a" * 32 + ".jpg%00")
    assert response.status_code == 400


def test_missing_cover_is_404(cover_app):
    """A well-formed name with no file behind it is a 404, also before any upload."""
    assert cover_app.test_client().get(f"/media/covers/{'0' * 32}.jpg").status_code == 404


# Settings


def test_upload_settings_defaults(tmp_path):
    """UPLOAD_FOLDER sits in the instance folder; the body limit leaves room for a cover."""
    config = from_environment(str(tmp_path), {"DATABASE_URL": "sqlite://"})
    assert config["UPLOAD_FOLDER"] == str(tmp_path / "uploads")
    assert config["COVER_MAX_BYTES"] == 5 * 1024 * 1024
    assert config["MAX_CONTENT_LENGTH"] >= config["COVER_MAX_BYTES"] + 64 * 1024


def test_upload_settings_from_environment(tmp_path, monkeypatch):
    """Both upload settings come from the environment; a relative folder is made absolute."""
    monkeypatch.chdir(tmp_path)
    environ = {"DATABASE_URL": "sqlite://", "UPLOAD_FOLDER": "files", "COVER_MAX_BYTES": "2000000"}
    config = from_environment(str(tmp_path / "instance"), environ)
    assert config["UPLOAD_FOLDER"] == str(tmp_path / "files")
    assert config["COVER_MAX_BYTES"] == 2_000_000
    assert config["MAX_CONTENT_LENGTH"] > 2_000_000
