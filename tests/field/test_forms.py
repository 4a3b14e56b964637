# SPDX-License-Identifier: GPL-2.0-or-later
"""The check and verify forms' models without a window: a fake camera with real JPEGs, fake fixes."""

import json
import os

import pytest
from conftest import jpeg
from forms_fixture import CHECK, VERIFY, device, fix_at

from citygrid.problems import Problem
from citygrid_field.outbox import Outbox
from citygrid_field.platform import backend
from citygrid_field.platform.camera import FakeCamera
from citygrid_field.store import Store
from citygrid_field.ui.language import Language
from citygrid_field.ui.result_form_vm import ResultFormVM


@pytest.fixture
def form(tmp_path):
    data = tmp_path / "device"
    store = device(data)
    platform = backend("fake", data=data)
    shots = [jpeg(tmp_path / f"raw{i}.jpg", seed=i, size=(800, 600)) for i in range(3)]
    object.__setattr__(platform, "camera", FakeCamera(*shots, None))
    vm = ResultFormVM(store, Language(lang="en"), platform, long_side=400)
    vm.open(CHECK["id"])
    yield vm
    store.close()


def items(vm) -> list[dict]:
    return [json.loads(r[0]) for r in vm.store.cx.execute("SELECT item FROM outbox")]


def test_a_passed_check_with_a_photo_and_a_fix_is_one_outbox_item_with_that_photo(form):
    form.fix = fix_at(12, accuracy=4)
    form.take_photo()
    form.outcome, form.note = "pass", "已修复"
    uuid = form.save()
    [item] = items(form)
    assert item["uuid"] == uuid and item["type"] == "check"
    assert item["payload"]["task_id"] == CHECK["id"] and item["payload"]["location"]["accuracy_m"] == 4
    assert item["photos"] == [form.photos[0].sha256]
    [entry] = Outbox(form.store).entries()
    assert entry.photos[0].path == form.photos[0].path and entry.photos[0].bytes == form.photos[0].size


def test_the_photo_is_downscaled_and_the_raw_capture_removed(form):
    form.take_photo()
    photo = form.photos[0]
    assert max(photo.width, photo.height) == 400
    assert not any((form.platform.storage.root / "capture").iterdir())


def test_a_check_without_a_photo_is_refused_and_nothing_is_queued(form):
    form.outcome = "pass"
    assert form.save() is None
    assert form.error == "a check needs at least one photo" and items(form) == []


def test_a_failed_check_without_a_reason_is_refused(form):
    form.take_photo()
    form.outcome, form.reason = "fail", "   "
    assert form.save() is None and "reason" in form.error and items(form) == []
    form.reason = "路面仍有坑洼"
    assert form.save() and items(form)[0]["payload"]["reason"] == "路面仍有坑洼"


def test_no_outcome_and_an_outcome_of_the_other_form_are_refused(form):
    form.take_photo()
    assert form.save() is None and form.error == "choose the result first"
    form.outcome = "confirmed"  # a verify's outcome on a check
    assert form.save() is None and items(form) == []


def test_without_a_fix_the_form_warns_and_still_saves_without_a_location(form):
    assert form.fix is None and "no GPS position" in form.warning
    form.take_photo()
    form.outcome = "pass"
    assert form.save()
    assert "location" not in items(form)[0]["payload"]


def test_far_from_the_case_warns_with_the_distance_near_does_not(form):
    form.fix = fix_at(120)
    assert "120 m" in form.warning and "120 m from the case" in form.fix_text
    form.fix = fix_at(30)
    assert form.warning == "" and "±5 m" in form.fix_text


def test_the_warning_follows_a_language_switch(form):
    form.language.lang = "zh_CN"
    assert "GPS" in form.warning and "保存" in form.warning


def test_a_verify_needs_no_photo_and_takes_its_own_outcomes(form):
    form.open(VERIFY["id"])
    form.outcome = "not_found"
    assert form.save()
    assert items(form)[0]["type"] == "verify" and items(form)[0]["payload"]["outcome"] == "not_found"


def test_a_cancelled_capture_adds_nothing(form):
    for _ in range(3):
        form.take_photo()
    form.take_photo()  # the fake's fourth answer: cancelled
    assert len(form.photos) == 3 and form.error == "" and not form.capturing


def test_a_capture_that_is_not_an_image_is_refused_in_the_users_language(form, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a jpeg at all")
    object.__setattr__(form.platform, "camera", FakeCamera(bad))
    form.language.lang = "zh_CN"
    form.take_photo()
    assert form.photos == [] and any("\u4e00" <= c <= "\u9fff" for c in form.error)
    assert not any((form.platform.storage.root / "capture").iterdir())  # the raw capture is removed


def test_a_chosen_file_that_vanished_before_the_copy_is_said_in_the_users_language(form, tmp_path):
    """The laptop's chooser answers later, from a Kivy callback: its problem reaches the form, not the loop."""
    from citygrid_field.platform.camera import ChooserCamera

    object.__setattr__(form.platform, "camera", ChooserCamera(lambda answer: answer(str(tmp_path / "gone.jpg"))))
    form.language.lang = "zh_CN"
    form.take_photo()
    assert form.photos == [] and not form.capturing and any("\u4e00" <= c <= "\u9fff" for c in form.error)


def test_a_task_not_on_the_device_is_a_coded_problem(form):
    with pytest.raises(Problem) as e:
        form.open("no-such-task")
    assert e.value.code == "field_forms.no_task"


def test_killed_after_the_photo_before_the_item_leaves_no_item_and_the_photo_is_swept(form):
    form.take_photo()
    orphan = form.photos[0].path  # the app dies here: the form was never saved
    kept = ResultFormVM(form.store, form.language, form.platform, long_side=400)
    kept.open(CHECK["id"])
    kept.take_photo()
    kept.outcome = "pass"
    kept.save()
    box = Outbox(form.store)
    assert box.sweep_unkept(form.platform.storage.photos) == 1
    assert not os.path.exists(orphan) and len(box.entries()) == 1
    assert os.path.exists(kept.photos[0].path)


# --- the outbox's promises for prepared photos and held items ------------------------------------------


def saved_check(form) -> str:
    form.take_photo()
    form.outcome = "pass"
    return form.save()


def test_a_prepared_photo_is_not_hashed_again_when_queued(form, monkeypatch):
    form.take_photo()
    monkeypatch.setattr("citygrid_field.outbox.photo_digest", lambda p: pytest.fail("hashed twice"))
    form.outcome = "pass"
    assert form.save()


def test_a_prepared_photo_changed_before_saving_is_refused(form):
    form.take_photo()
    with open(form.photos[0].path, "ab") as f:
        f.write(b"tampered")
    form.outcome = "pass"
    assert form.save() is None and "changed" in form.error and items(form) == []


def test_unblock_clears_the_hold_once_the_photo_is_whole_again(form):
    uuid = saved_check(form)
    box, path = Outbox(form.store), form.photos[0].path
    original = open(path, "rb").read()
    with open(path, "ab") as f:
        f.write(b"x")
    assert not box.still_same(box.photos("collector01")[0])
    assert box.unblock(uuid) == "field.photo_changed" and box.waiting("collector01") == []
    with open(path, "wb") as f:
        f.write(original)
    assert box.unblock(uuid) is None
    assert [w["uuid"] for w in box.waiting("collector01")] == [uuid]


def test_a_vanished_photo_stays_held_until_the_user_drops_it(form):
    uuid = saved_check(form)
    box = Outbox(form.store)
    os.unlink(form.photos[0].path)
    assert box.unblock(uuid) == "field.photo_gone"
    assert box.entries()[0].blocked == "field.photo_gone"
    assert box.drop_photo(uuid, form.photos[0].sha256) is None
    [wire] = box.waiting("collector01")
    assert wire["photos"] == [] and box.entries()[0].photos == ()


def test_dropping_an_item_is_explicit_and_refused_once_the_centre_holds_it(form):
    from citygrid.sync.protocol import Receipt, Status
    uuid = saved_check(form)
    box = Outbox(form.store)
    box.record((Receipt(uuid, Status.ACCEPTED),))
    with pytest.raises(Problem) as e:
        box.drop(uuid)
    assert e.value.code == "field.not_in_outbox"
    other = saved_check(_reopened(form))
    box.drop(other)
    assert [e.uuid for e in box.entries()] == [uuid]


def test_unblocking_an_unknown_item_changes_nothing(form):
    uuid = saved_check(form)
    box = Outbox(form.store)
    with pytest.raises(Problem):
        box.drop_photo("00000000-0000-0000-0000-000000000000", "a" * 64)
    assert [w["uuid"] for w in box.waiting("collector01")] == [uuid]


def _reopened(form) -> ResultFormVM:
    vm = ResultFormVM(form.store, form.language, form.platform, long_side=400)
    vm.open(CHECK["id"])
    return vm


def test_the_outbox_screens_retry_checks_a_held_item_again_and_releases_it(form):
    from citygrid_field.ui.outbox_vm import OutboxVM
    from citygrid_field.ui.sync_vm import SyncVM

    uuid = saved_check(form)
    path, box = form.photos[0].path, Outbox(form.store)
    original = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(b"overwritten")
    box.still_same(box.photos("collector01")[0])
    form.store.put(token=None)  # no session: the sync itself does not start, the check still runs
    vm = OutboxVM(form.store, form.language, SyncVM(form.store, form.language))
    vm.retry(uuid)
    assert box.entries()[0].blocked == "field.photo_changed"
    with open(path, "wb") as f:
        f.write(original)
    vm.retry(uuid)
    assert box.entries()[0].blocked is None and [r["state"] for r in vm.rows] == ["waiting"]


KILLED_IN_CAPTURE = """
import os, signal, sys
from forms_fixture import CHECK
from citygrid_field.platform import backend
from citygrid_field.platform.camera import FakeCamera
from citygrid_field.store import Store
from citygrid_field.store import Store
from citygrid_field.ui.language import Language
from citygrid_field.ui.result_form_vm import ResultFormVM
data, raw = sys.argv[1], sys.argv[2]
platform = backend("fake", data=data)
object.__setattr__(platform, "camera", FakeCamera(raw))
vm = ResultFormVM(Store(data), Language(lang="en"), platform, long_side=400)
vm.open(CHECK["id"])
vm.take_photo()
print(vm.photos[0].path, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # between the prepared photo and its item
"""


def test_a_process_killed_between_photo_and_item_leaves_no_item_and_its_photo_is_swept(tmp_path):
    import subprocess
    import sys

    from citygrid_field.ui.result_form_vm import sweep_captures

    data = tmp_path / "device"
    device(data).close()
    raw = jpeg(tmp_path / "raw.jpg", size=(800, 600))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(__file__), *sys.path])}
    run = subprocess.run([sys.executable, "-c", KILLED_IN_CAPTURE, str(data), str(raw)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == -9, run.stderr[-2000:]
    prepared_path = run.stdout.split()[0]
    assert os.path.exists(prepared_path)
    store = Store(data)
    box = Outbox(store)
    assert box.entries() == []
    assert box.sweep_unkept(data / "photos") == 1 and not os.path.exists(prepared_path)
    sweep_captures(data)
    assert not any((data / "capture").iterdir())
    store.close()
