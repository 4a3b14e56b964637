# SPDX-License-Identifier: GPL-2.0-or-later
"""One sync over a data directory, in its own process, for the real-kill tests.

Prints `phase <name>` before each poll (flushed), so a test can SIGKILL it inside a chosen phase, and
`end <ok|problem code>` when the job is done.

    python sync_driver.py <data dir> <chunk bytes>
"""

import sys
import time

from citygrid_field.session import signed_in_api
from citygrid_field.store import Store
from citygrid_field.sync_client import Settings, SyncJob


def main(data: str, chunk: int) -> int:
    store = Store(data)
    settings = Settings(pull_limit=2, push_size=1, chunk_bytes=chunk, backoff_s=0.05, backoff_max_s=0.5,
                        max_failures=40)
    job = SyncJob(store, signed_in_api(store), settings).start()
    while not job.done:
        print("phase", job.progress.phase, flush=True)
        if job.poll().waiting_s > 0:
            time.sleep(job.progress.waiting_s)
    problem = job.finish().problem
    print("end", problem.code if problem else "ok", flush=True)
    return 0 if problem is None else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
