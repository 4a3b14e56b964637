# SPDX-License-Identifier: GPL-2.0-or-later
"""Pull-to-refresh for the task list: a RecycleView that starts a sync when pulled down past its top.

ScrollView lets the list overscroll (`always_overscroll`, on by default), short list or long: dragging
down at the top makes its `effect_y.overscroll` negative (and `scroll_y` leave 0..1). Past `threshold`
(dp, counted from where this drag began) the hint says "release to refresh"; lifting the finger there calls `sync.start()` (the same as
the sync button); while the sync runs the hint says "syncing…". A pull that stops short does nothing,
and so does a drag that began elsewhere.
"""

from __future__ import annotations

from kivy.metrics import dp
from kivy.properties import NumericProperty, ObjectProperty, OptionProperty
from kivy.uix.recycleview import RecycleView


class PullList(RecycleView):
    sync = ObjectProperty(None, allownone=True)  # a SyncVM
    pull = OptionProperty("idle", options=["idle", "pulling", "release"])
    threshold = NumericProperty(dp(70))  # how far past the top (px of overscroll) a release refreshes
    pulled = NumericProperty(0.0)  # the current overscroll past the top, px
    _finger = None  # the touch that went down on the list, until it lifts
    _from = 0.0  # the overscroll left when it went down (the list still bouncing back from a pull)

    def on_touch_down(self, touch):
        if self.collide_point(*touch.pos) and self._finger is None:
            self._finger, self._from = touch, self._over()  # this drag may refresh
        return super().on_touch_down(touch)

    def _over(self) -> float:
        return max(0.0, -self.effect_y.overscroll) if self.effect_y else 0.0

    def on_touch_move(self, touch):
        handled = super().on_touch_move(touch)
        if touch is self._finger:
            self.pulled = max(0.0, self._over() - self._from)  # what this finger pulled
            self.pull = ("release" if self.pulled >= self.threshold else "pulling" if self.pulled > dp(8)
                         else "idle")
        return handled

    def on_touch_up(self, touch):
        handled = super().on_touch_up(touch)
        if touch is self._finger:
            self._finger = None
            if self.pull == "release" and self.sync is not None:
                self.sync.start()
            self.pull, self.pulled = "idle", 0.0
        return handled
