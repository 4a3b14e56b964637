# SPDX-License-Identifier: GPL-2.0-or-later
"""The field app's screens: view models (`*_vm.py`, Kivy properties, no widgets) and thin shells
(`*_screen.py` with their `.kv` layouts) over them. The app (`citygrid_field.app`) wires them."""
