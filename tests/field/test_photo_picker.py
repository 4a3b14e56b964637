# SPDX-License-Identifier: GPL-2.0-or-later
"""The laptop's photo chooser without a window: which files it offers, where it opens, and which choices
it refuses (in the user's language) before anything is copied."""

import pytest
from forms_shots import a_jpeg

from citygrid.problems import Problem
from citygrid_field.photos import prepare
from citygrid_field.ui.language import Language
from citygrid_field.ui.photo_picker import is_image_name, pictures_folder, readable_problem


@pytest.mark.parametrize(("name", "offered"), [("IMG_1.jpg", True), ("IMG_2.JPEG", True), ("scan.Png", True),
                                                ("notes.txt", False), ("virus.jpg.exe", False), ("jpg", False),
                                                ("/home/u/Pictures/a.webp", True), ("", False)])
def test_the_chooser_offers_only_picture_files_whatever_the_case(name, offered):
    assert is_image_name(name) is offered


def test_it_opens_in_xdgs_pictures_folder_even_under_a_chinese_name(tmp_path):
    (tmp_path / "图片").mkdir()
    (tmp_path / ".config").mkdir()
    (tmp_path / ".config" / "user-dirs.dirs").write_text('XDG_PICTURES_DIR="$HOME/图片"\n', encoding="utf-8")
    assert pictures_folder(tmp_path) == tmp_path / "图片"


def test_it_opens_in_pictures_else_home_and_ignores_a_broken_user_dirs_file(tmp_path):
    (tmp_path / ".config").mkdir()
    (tmp_path / ".config" / "user-dirs.dirs").write_bytes(b"\xff\xfe\x00garbage")
    assert pictures_folder(tmp_path) == tmp_path
    (tmp_path / "Pictures").mkdir()
    assert pictures_folder(tmp_path) == tmp_path / "Pictures"


def test_an_xdg_folder_that_does_not_exist_falls_back(tmp_path):
    (tmp_path / ".config").mkdir()
    (tmp_path / ".config" / "user-dirs.dirs").write_text('XDG_PICTURES_DIR="$HOME/gone"\n')
    assert pictures_folder(tmp_path) == tmp_path


def test_a_real_picture_passes_and_is_left_as_it_was(tmp_path):
    photo = a_jpeg(tmp_path / "a.jpg", (10, 200, 30))
    before = photo.read_bytes()
    assert readable_problem(str(photo)) is None and photo.read_bytes() == before


@pytest.mark.parametrize("content", [b"just text, named .jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, b""])
def test_a_file_that_is_not_a_picture_is_refused_in_the_users_language(tmp_path, content):
    bad = tmp_path / "fake.jpg"
    bad.write_bytes(content)
    problem = readable_problem(str(bad))
    assert isinstance(problem, Problem) and problem.code == "photo.not_an_image"
    assert Language(lang="zh_CN").problem(problem).startswith(f"{bad} 不是图片")


def test_a_picture_cut_short_is_refused_by_the_chooser_or_the_pipeline(tmp_path):
    whole = a_jpeg(tmp_path / "whole.jpg", (200, 10, 10)).read_bytes()
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(whole[: len(whole) // 3])
    refused = readable_problem(str(cut))  # the header may pass the chooser's quick look ...
    if refused is None:
        with pytest.raises(Problem) as caught:  # ... then the pipeline refuses the copy in full
            prepare(str(cut), tmp_path / "photos")
        refused = caught.value
    assert refused.code in ("photo.unreadable", "photo.not_an_image")


def test_a_vanished_file_or_a_folder_is_photo_missing(tmp_path):
    assert readable_problem(str(tmp_path / "gone.jpg")).code == "photo.missing"
    assert readable_problem(str(tmp_path)).code == "photo.missing"
