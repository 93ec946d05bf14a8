#!/usr/bin/env bash
# Stop the S3 test server started by scripts/s3-server/up.sh and delete its data, logs and env file.
# Environment: S3_TEST_DIR [/tmp/modelreg-s3]; KEEP_DATA=1 keeps the directory (to read the logs).
# Stops only the daemons named by the pid files in S3_TEST_DIR, and only when the pid still belongs
# to that kind of daemon (pids are reused); never anything by name. Safe to run when nothing runs.
set -uo pipefail

DIR=${S3_TEST_DIR:-/tmp/modelreg-s3}
MARKER="$DIR/.modelreg-s3-server"

stopped=()
# One at a time, gateway first (a client of the other two), then the OSD, then the monitor: each
# takes ~2 s after SIGTERM. Signalled together they do not: the gateway and the OSD together took
# 2 minutes to exit (measured), and all three together left one needing SIGKILL after 10 s.
for f in "$DIR"/run/client.rgw.a.pid "$DIR"/run/osd.*.pid "$DIR"/run/mon.a.pid; do
  [ -f "$f" ] || continue
  name=$(basename "$f" .pid)
  case "$name" in client.rgw.*) want=radosgw ;; osd.*) want=ceph-osd ;; mon.*) want=ceph-mon ;; *) continue ;; esac
  p=$(cat "$f" 2>/dev/null) || p=
  if [[ $p =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$want" ]; then
    kill -TERM "$p" 2>/dev/null
    # Bounded: 10 s, then SIGKILL (the data is thrown away, so nothing is lost by it).
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null; name="$name(SIGKILL)"; fi
    stopped+=("$name")
  fi
  rm -f "$f"
done

if [ "${KEEP_DATA:-0}" = 1 ]; then
  rm -f "$DIR/env"   # no env file pointing tests at a server that is gone
  kept=" (kept $DIR)"
elif [ -e "$MARKER" ]; then
  rm -rf "$DIR"
  kept=""
else
  kept=""
  [ -e "$DIR" ] && kept=" ($DIR not made by up.sh: left alone)"
fi
if [ ${#stopped[@]} -gt 0 ]; then
  echo "s3-server down: stopped ${stopped[*]}$kept"
else
  echo "s3-server down: nothing was running$kept"
fi
