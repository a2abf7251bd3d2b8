#!/usr/bin/env bash
# The suite starts its own Mosquitto (on a free port) and uses SQLite files; it needs the
# binaries only. Nothing to start here; this checks they are present with a clear message.
set -euo pipefail
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || {
  echo "mosquitto is missing: run 'bash scripts/setup.sh'" >&2; exit 1; }
