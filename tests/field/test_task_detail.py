# SPDX-License-Identifier: GPL-2.0-or-later
"""The task detail's model without a window, and the thumbnail cache against a fake centre."""

import io

import httpx
import pytest
from forms_fixture import CASE_LAT, CASE_LON, CHECK, case, device, fix_at
from PIL import Image
from ui_driver import tick_until

from citygrid.problems import Problem
from citygrid.sync.protocol import PullItem, PullPage
from citygrid_field.platform import backend
from citygrid_field.session import Api
from citygrid_field.thumbs import Thumbs
from citygrid_field.ui.language import Language
from citygrid_field.ui.result_form_vm import ResultFormVM
from citygrid_field.ui.task_detail_vm import TaskDetailVM

A, B, C, EVIL = "a" * 64, "b" * 64, "c" * 64, "../../etc/passwd"


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


# --- photos by stage, the place and the distance --------------------------------------------------

def staged(tmp_path, stages, photos=(A, B, C)):
    store = device(tmp_path / "staged")
    data = case(CHECK["case_no"], photos) | {"photo_stages": stages}
    store.apply_page(PullPage("r2", False, (PullItem("case", CHECK["case_no"], False, data),)))
    vm = TaskDetailVM(store, Language(lang="zh_CN"))
    vm.open(CHECK["id"])
    return vm



def test_report_and_disposal_photos_are_two_labelled_strips(tmp_path):
    vm = staged(tmp_path, {A: "report", B: "disposal", C: "disposal"})
    assert [(s["title"], [p["sha256"] for p in s["photos"]]) for s in vm.strips] == [
        ("上报照片（1 张）", [A]), ("处置照片（2 张）", [B, C])]
    vm.store.close()


def test_an_empty_strip_says_so_and_a_checks_own_photo_gets_its_own_strip(tmp_path):
    vm = staged(tmp_path, {A: "report", C: "check"}, photos=(A, C))
    assert [(s["stage"], s["empty"]) for s in vm.strips] == [("report", ""), ("disposal", "暂无照片"), ("check", "")]
    vm.language.lang = "en"
    assert [s["title"] for s in vm.strips] == ["Report photos (1)", "Disposal photos (0)", "Check photos (1)"]
    vm.store.close()


@pytest.mark.parametrize("stages", [{A: "report", B: 7, C: "evil<stage>"}, {A: "report", B: None}])
def test_a_photo_with_a_stage_that_is_not_one_is_shown_apart_never_dropped(tmp_path, stages):
    vm = staged(tmp_path, stages)
    shown = [p["sha256"] for s in vm.strips for p in s["photos"]]
    assert sorted(shown) == [A, B, C] and vm.strips[-1]["title"] == f"案件照片（{len(shown) - 1} 张）"
    vm.store.close()


@pytest.mark.parametrize("stages", ["report", ["report"], 42])
def test_photo_stages_that_are_not_a_mapping_count_as_an_older_centre(tmp_path, stages):
    vm = staged(tmp_path, stages)
    assert [s["title"] for s in vm.strips] == ["案件照片（3 张）"]
    vm.store.close()


def test_the_distance_follows_the_fix_and_says_when_there_is_none(detail):
    assert detail.point == (CASE_LAT, CASE_LON) and detail.distance_text == "尚无定位"
    detail.fix = fix_at(35, accuracy=6)
    assert detail.distance_text == "定位精度 ±6 米 · 距案件 35 米"
    detail.language.lang = "en"
    assert detail.distance_text == "position ±6 m · 35 m from the case"


def test_the_form_and_the_detail_give_the_same_distance(detail):
    form = ResultFormVM(detail.store, detail.language, backend("fake", data=detail.store.dir))
    form.open(CHECK["id"])
    form.fix = detail.fix = fix_at(123.4)
    assert form.distance() == detail.distance() and round(detail.distance()) == 123


@pytest.mark.parametrize("where", [{"lat": None, "lon": None}, {"lat": "31.3", "lon": 120.6}, {"lat": True, "lon": 1}])
def test_a_case_without_a_usable_position_has_no_map_point_and_says_so(tmp_path, where):
    store = device(tmp_path / "nowhere")
    store.apply_page(PullPage("r2", False, (PullItem("case", CHECK["case_no"], False, case(CHECK["case_no"]) | where),)))
    vm = TaskDetailVM(store, Language(lang="zh_CN"), fix=fix_at(10))
    vm.open(CHECK["id"])
    assert vm.point is None and vm.components == [] and vm.distance_text == "案件没有位置信息"
    store.close()


def test_components_near_the_case_are_put_on_the_map_far_ones_not(tmp_path):
    store = device(tmp_path / "comps")
    comps = [PullItem("component", oid, False, {"ObjID": oid, "lat": CASE_LAT + dlat, "lon": CASE_LON})
             for oid, dlat in (("3205080101000001", 0.0001), ("3205080101000002", 0.01))]
    store.apply_page(PullPage("r2", False, tuple(comps)))
    vm = TaskDetailVM(store, Language(lang="zh_CN"))
    vm.open(CHECK["id"])
    assert vm.components == [(CASE_LAT + 0.0001, CASE_LON)]
    store.close()
