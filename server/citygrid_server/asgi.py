# SPDX-License-Identifier: GPL-2.0-or-later
"""ASGI entry for uvicorn workers: the centre comes from $CITYGRID_CENTER."""

import logging
import os

from .app import create_app
from .cli import LOG_FORMAT, config_from_env

logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
app = create_app(os.environ["CITYGRID_CENTER"], config_from_env())
