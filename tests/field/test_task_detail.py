# SPDX-License-Identifier: GPL-2.0-or-later
"""The task detail's model without a window, and the thumbnail cache against a fake centre."""

import io

import httpx
import pytest
from forms_fixture import CHECK, device
from PIL import Image
from ui_driver import tick_until

from citygrid.problems import Problem
from citygrid_field.session import Api
from citygrid_field.thumbs import Thumbs
from citygrid_field.ui.language import Language
from citygrid_field.ui.task_detail_vm import TaskDetailVM

A, B, EVIL = "a" * 64, "b" * 64, "../../etc/passwd"


def thumb_jpeg(size=(200, 150)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 60)).save(buf, "JPEG")
    return buf.getvalue()


def centre(answers: dict, asked: list):
    def handle(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        sha = request.url.path.split("/")[4]
        status, body = answers.get(sha, (404, b'{"code": "blob.not_found"}'))
        return httpx.Response(status, content=body)
    return Api("http://centre.invalid", "tok", transport=httpx.MockTransport(handle))


@pytest.fixture
def detail(tmp_path):
    store = device(tmp_path / "device", photos=(A, B, EVIL))
    vm = TaskDetailVM(store, Language(lang="zh_CN"))
    vm.open(CHECK["id"])
    yield vm
    store.close()


def test_the_detail_shows_the_case_its_class_condition_and_closure_standard(detail):
    assert detail.case_no == CHECK["case_no"] and "核查" in detail.title
    assert detail.class_text == "市容环境 / 道路破损"
    assert detail.condition.startswith("路面破损") and detail.close_standard == "路面修复平整，无坑洼"
    assert detail.address == "姑苏区人民路 100 号"
    assert [s["title"] for s in detail.strips] == ["案件照片（3 张）"]  # no stages: an older centre


def test_photos_without_a_local_file_are_listed_as_missing(detail):
    assert detail.missing() == [A, B, EVIL] and all(p["source"] == "" for p in detail.photos)


def test_thumbnails_are_fetched_once_checked_and_kept(detail):
    asked = []
    api = centre({A: (200, thumb_jpeg()), B: (200, b"<html>not an image</html>")}, asked)
    assert Thumbs(detail.store).fetch_missing(api, detail.missing()) == 1
    detail.open(CHECK["id"])
    assert detail.missing() == [B, EVIL] and detail.photos[0]["source"].endswith(f"thumbs/{A}.jpg")
    assert all(EVIL not in path and "etc" not in path for path in asked)  # a bad hash never reaches a URL
    Thumbs(detail.store).fetch_missing(api, detail.missing())
    assert asked.count(f"/api/v1/blobs/{A}/thumbnail") == 1


def test_a_huge_or_non_jpeg_thumbnail_is_refused(detail):
    api = centre({A: (200, thumb_jpeg((3000, 10)))}, [])
    with pytest.raises(Problem):
        Thumbs(detail.store).fetch(api, A)
    with pytest.raises(Problem) as e:
        Thumbs(detail.store).fetch(api, EVIL)
    assert e.value.code == "blob.bad_digest"


def test_a_photo_the_device_took_shows_from_its_own_file(detail, tmp_path):
    path = tmp_path / "mine.jpg"
    path.write_bytes(thumb_jpeg())
    detail.store.cx.execute("INSERT INTO photos (sha256, path, bytes, content_type) VALUES (?, ?, 1, 'image/jpeg')",
                            (B, str(path)))
    detail.open(CHECK["id"])
    assert detail.photos[1]["source"] == str(path)


def test_fetch_without_a_session_does_nothing_and_with_one_runs_off_the_ui_thread(detail, monkeypatch):
    detail.store.put(token=None)
    assert detail.fetch() is False
    detail.store.put(token="tok")
    api = centre({A: (200, thumb_jpeg())}, [])
    monkeypatch.setattr("citygrid_field.ui.task_detail_vm.signed_in_api", lambda *a, **k: api)
    assert detail.fetch() is True
    tick_until(lambda: not detail.fetching)
    assert detail.missing() == [B, EVIL]


def test_an_unknown_task_is_a_coded_problem(detail):
    with pytest.raises(Problem) as e:
        detail.open("gone")
    assert e.value.code == "field_forms.no_task"
