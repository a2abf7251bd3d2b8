"""Run every benchmark in bench/ one after the other (`make bench`); each prints its figures.

.venv/bin/python bench/run_all.py [NAME ...]     # e.g. `orders webhooks`

Every other script here is one benchmark, run with its defaults, in name order (packing.py,
the longest, takes about 2.5 minutes), but the soaks (outage.py: `make soak`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SOAKS = {"outage"}  # long runs of their own (`make soak`), not part of `make bench`


def main() -> int:
    wanted = set(sys.argv[1:])
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    scripts = [p for p in scripts if p.stem not in SOAKS or p.stem in wanted]
    failed = []
    for script in scripts:
        if wanted and script.stem not in wanted:
            continue
        print(f"== {script.stem}", flush=True)
        if subprocess.run([sys.executable, str(script)], check=False).returncode != 0:
            failed.append(script.stem)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
