# SPDX-License-Identifier: GPL-2.0-or-later
"""The photo pipeline: what a collector's photo becomes before the outbox keeps it (upright, downscaled,
stamped with time and GPS, hashed once, written whole) and what it refuses with a code."""

import errno
import hashlib
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from citygrid.problems import Problem
from citygrid_field import photos
from citygrid_field.photo_exif import EXIF_IFD, OFFSET_ORIGINAL, ORIGINAL, read_stamp
from citygrid_field.platform.location import Fix

ROOT = Path(__file__).resolve().parents[2]
CST = timezone(timedelta(hours=8))
FIX = Fix(30.274085, 120.155070, 12.5, datetime(2026, 5, 4, 1, 2, 3, tzinfo=UTC))


def jpeg(path, size=(400, 300), exif=None, colour="seagreen"):
    image = Image.new("RGB", size, colour)
    image.save(path, "JPEG", **({"exif": exif} if exif is not None else {}))
    return path


def halves(size=(400, 200)):
    """Left half red, right half blue: where the halves end up shows the rotation applied."""
    image = Image.new("RGB", size, "blue")
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def refused(code, source, out, **options):
    with pytest.raises(Problem) as caught:
        photos.prepare(source, out, **options)
    assert caught.value.code == code
    assert list(out.iterdir()) == []  # nothing kept, not even a part
    return caught.value


def png_header_only(path, width, height):
    """A PNG whose header claims width × height pixels over almost no data (a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
                     + chunk(b"IEND", b""))
    return path


@pytest.fixture
def out(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    return folder


# --- what a prepared photo is -------------------------------------------------------------------

def test_prepared_photo_is_a_jpeg_named_by_its_sha256_with_its_size(tmp_path, out):
    photo = photos.prepare(jpeg(tmp_path / "in.jpg"), out)
    data = Path(photo.path).read_bytes()
    assert Path(photo.path) == out / f"{photo.sha256}.jpg"
    assert photo.sha256 == hashlib.sha256(data).hexdigest() and photo.size == len(data)
    assert Image.open(photo.path).format == "JPEG"


def test_the_hash_is_computed_once_from_the_bytes_written_not_by_reading_the_file_again(tmp_path, out,
                                                                                      monkeypatch):
    calls = []
    real = hashlib.sha256
    monkeypatch.setattr(photos.hashlib, "sha256", lambda *a: calls.append(a) or real(*a))
    photos.prepare(jpeg(tmp_path / "in.jpg"), out)
    assert len(calls) == 1


def test_downscales_to_the_configured_long_side_keeping_the_aspect(tmp_path, out):
    source = jpeg(tmp_path / "big.jpg", (4000, 3000))
    assert (photos.prepare(source, out).width, photos.prepare(source, out).height) == (1600, 1200)
    small = photos.prepare(source, out, long_side=800)
    assert Image.open(small.path).size == (800, 600)


def test_a_small_photo_is_not_enlarged(tmp_path, out):
    photo = photos.prepare(jpeg(tmp_path / "small.jpg", (320, 240)), out)
    assert (photo.width, photo.height) == (320, 240)


def test_preparing_the_same_capture_twice_gives_one_file(tmp_path, out):
    source = jpeg(tmp_path / "in.jpg")
    taken = datetime(2026, 5, 4, 9, 0, tzinfo=CST)
    first, second = (photos.prepare(source, out, taken=taken, fix=FIX) for _ in range(2))
    assert first == second and len(list(out.iterdir())) == 1


def test_orientation_from_exif_is_applied_and_not_left_in_the_output(tmp_path, out):
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera held upright: display = stored rotated 90° clockwise
    source = tmp_path / "turned.jpg"
    halves().save(source, "JPEG", exif=exif, quality=95)
    result = Image.open(photos.prepare(source, out).path)
    assert result.size == (200, 400)
    red, blue = result.getpixel((100, 50)), result.getpixel((100, 350))
    assert red[0] > 200 > red[2] and blue[2] > 200 > blue[0]
    assert 0x0112 not in result.getexif()


def test_transparent_png_gets_a_white_background(tmp_path, out):
    source = tmp_path / "shot.png"
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(source)
    assert Image.open(photos.prepare(source, out).path).getpixel((20, 20)) >= (250, 250, 250)


# --- time and position in EXIF ------------------------------------------------------------------

def test_exif_carries_the_time_taken_with_its_offset_and_the_gps_fix(tmp_path, out):
    taken = datetime(2026, 5, 4, 9, 2, 3, tzinfo=CST)
    photo = photos.prepare(jpeg(tmp_path / "in.jpg"), out, taken=taken, fix=FIX)
    stamp = read_stamp(photo.path)
    assert stamp.taken == taken and stamp.taken.utcoffset() == timedelta(hours=8)
    assert photo.taken == "2026-05-04T09:02:03+08:00"
    assert stamp.lat == pytest.approx(FIX.lat, abs=1e-7) and stamp.lon == pytest.approx(FIX.lon, abs=1e-7)
    assert stamp.accuracy == pytest.approx(12.5)


def test_southern_and_western_positions_read_back_negative(tmp_path, out):
    fix = Fix(-33.8568, -70.6483, 4.0, FIX.time)
    stamp = read_stamp(photos.prepare(jpeg(tmp_path / "in.jpg"), out, fix=fix).path)
    assert (stamp.lat, stamp.lon) == (pytest.approx(-33.8568, abs=1e-7), pytest.approx(-70.6483, abs=1e-7))


def test_without_a_fix_the_photo_has_time_but_no_position(tmp_path, out):
    stamp = read_stamp(photos.prepare(jpeg(tmp_path / "in.jpg"), out).path)
    assert stamp.lat is None and stamp.taken is not None
    assert abs(stamp.taken - datetime.now(UTC)) < timedelta(minutes=1)


def test_the_cameras_own_time_is_kept_when_none_is_given(tmp_path, out):
    exif = Image.Exif()
    exif[EXIF_IFD] = {ORIGINAL: "2026:04:01 07:30:00", OFFSET_ORIGINAL: "-03:00"}
    source = jpeg(tmp_path / "cam.jpg", exif=exif)
    stamp = read_stamp(photos.prepare(source, out).path)
    assert stamp.taken == datetime(2026, 4, 1, 7, 30, tzinfo=timezone(timedelta(hours=-3)))


def test_a_garbage_camera_time_is_ignored_not_fatal(tmp_path, out):
    exif = Image.Exif()
    exif[EXIF_IFD] = {ORIGINAL: "not a time\x00", OFFSET_ORIGINAL: "+99:xx"}
    stamp = read_stamp(photos.prepare(jpeg(tmp_path / "cam.jpg", exif=exif), out).path)
    assert abs(stamp.taken - datetime.now(UTC)) < timedelta(minutes=1)


# --- what is refused ------------------------------------------------------------------------------

def test_a_text_file_is_not_an_image(tmp_path, out):
    source = tmp_path / "notes.jpg"
    source.write_text("这不是照片 — not a photo\n", encoding="utf-8")
    refused("photo.not_an_image", source, out)


@pytest.mark.parametrize("content", [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n" + b"\0" * 30])
def test_empty_and_header_only_files_are_not_images(tmp_path, out, content):
    source = tmp_path / "stub.jpg"
    source.write_bytes(content)
    refused("photo.not_an_image", source, out)


def test_a_truncated_jpeg_is_unreadable(tmp_path, out):
    whole = tmp_path / "whole.jpg"
    halves((800, 600)).save(whole, "JPEG", quality=90)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    problem = refused("photo.unreadable", cut, out)
    assert "truncated" in problem.details["reason"]


def test_a_huge_pixel_png_is_refused_before_decoding(tmp_path, out):
    source = tmp_path / "bomb.png"
    Image.new("1", (12000, 12000)).save(source)  # 144 MP in a few hundred KB
    started = time.perf_counter()
    problem = refused("photo.too_many_pixels", source, out)
    assert time.perf_counter() - started < 1.0
    assert problem.details["megapixels"] == 144.0


def test_a_header_claiming_ten_gigapixels_is_refused_by_pillows_limit(tmp_path, out):
    problem = refused("photo.too_many_pixels", png_header_only(tmp_path / "claim.png", 100_000, 100_000), out)
    assert problem.details["megapixels"] == 10000.0


def test_a_large_jpeg_decodes_at_reduced_scale_within_a_budget_its_png_twin_exceeds(tmp_path, out):
    image = Image.new("RGB", (4000, 3000), "orange")
    image.save(tmp_path / "twelve.jpg", "JPEG")
    image.save(tmp_path / "twelve.png")
    assert photos.prepare(tmp_path / "twelve.jpg", out, budget=5_000_000).width == 1600
    (tmp_path / "other").mkdir()
    refused("photo.too_many_pixels", tmp_path / "twelve.png", tmp_path / "other", budget=5_000_000)


def test_a_missing_capture_and_a_folder_are_refused_with_codes(tmp_path, out):
    refused("photo.missing", tmp_path / "gone.jpg", out)
    refused("photo.not_an_image", tmp_path, out)


@pytest.mark.parametrize("options", [{"long_side": 0}, {"long_side": -5}, {"quality": 0}, {"quality": 101}])
def test_bad_settings_are_a_coded_problem(tmp_path, out, options):
    refused("photo.bad_settings", jpeg(tmp_path / "in.jpg"), out, **options)


# --- written whole or not at all ------------------------------------------------------------------

def test_a_failure_before_the_rename_leaves_no_final_file_and_no_part(tmp_path, out, monkeypatch):
    def fail(part, final):
        raise OSError(errno.EIO, "I/O error")
    monkeypatch.setattr(photos, "_place", fail)
    problem = refused("storage.failed", jpeg(tmp_path / "in.jpg"), out)
    assert problem.details["path"] == str(out)


def test_an_interrupt_before_the_rename_leaves_nothing_either(tmp_path, out, monkeypatch):
    def interrupted(part, final):
        raise KeyboardInterrupt
    monkeypatch.setattr(photos, "_place", interrupted)
    with pytest.raises(KeyboardInterrupt):
        photos.prepare(jpeg(tmp_path / "in.jpg"), out)
    assert list(out.iterdir()) == []


def test_a_full_device_while_writing_is_storage_full(tmp_path, out, monkeypatch):
    def full(path, data):
        Path(path).write_bytes(data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(photos, "_write_synced", full)
    refused("storage.full", jpeg(tmp_path / "in.jpg"), out)


KILLED_WRITER = """
import os, sys, time
from citygrid_field import photos
def stall(part, final):
    print("part", flush=True)
    time.sleep(60)
photos._place = stall
photos.prepare(sys.argv[1], sys.argv[2])
"""


def test_a_process_killed_mid_write_leaves_only_a_part_that_the_next_start_sweeps(tmp_path, out):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "shared"), str(ROOT / "field_app")]))
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(jpeg(tmp_path / "in.jpg")), str(out)],
                              stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert writer.stdout.readline().strip() == "part"
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait(timeout=10)
    assert not list(out.glob("*.jpg"))
    assert len(list(out.glob(".*.part"))) == 1
    assert photos.sweep_partials(out) == 1 and list(out.iterdir()) == []


# --- checked again before an upload ---------------------------------------------------------------

def test_verify_says_unchanged_for_the_file_as_written(tmp_path, out):
    photo = photos.prepare(jpeg(tmp_path / "in.jpg"), out)
    assert photos.verify(photo.path, photo.sha256) is photos.PhotoState.UNCHANGED
    assert photos.verify(photo.path, photo.sha256.upper()) is photos.PhotoState.UNCHANGED


def test_verify_detects_a_changed_byte(tmp_path, out):
    photo = photos.prepare(jpeg(tmp_path / "in.jpg"), out)
    data = bytearray(Path(photo.path).read_bytes())
    data[len(data) // 2] ^= 0x01
    Path(photo.path).write_bytes(bytes(data))
    assert photos.verify(photo.path, photo.sha256) is photos.PhotoState.CHANGED


def test_verify_detects_a_removed_or_replaced_by_folder_file(tmp_path, out):
    photo = photos.prepare(jpeg(tmp_path / "in.jpg"), out)
    os.remove(photo.path)
    assert photos.verify(photo.path, photo.sha256) is photos.PhotoState.MISSING
    os.mkdir(photo.path)
    assert photos.verify(photo.path, photo.sha256) is photos.PhotoState.MISSING
