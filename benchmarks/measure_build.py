"""Run one ``mkdocs build`` in this process and print its cost as JSON.

Run as a child process per build, so peak RSS (``ru_maxrss``) belongs to one build; the
plugin's worker processes are its children, and the largest of them is reported too.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time

from mkdocs.commands.build import build
from mkdocs.config import load_config


def main(config_file: str, site_dir: str) -> None:
    logging.disable(logging.WARNING)  # per-page notices would be timed too
    start = time.perf_counter()
    config = load_config(config_file, site_dir=site_dir)
    build(config)
    wall = time.perf_counter() - start
    plugin = config.plugins.get("postmortems")
    print(
        json.dumps(
            {
                "wall_s": round(wall, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                # The largest worker process (0 when the build started none).
                "worker_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
                ),
                "workers": getattr(plugin, "worker_count", 0),
                "stages_s": getattr(plugin, "timings", {}),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
