#!/usr/bin/env bash
# Start a throwaway S3 server for modelreg's tests: a single-node Ceph cluster (one monitor, one
# OSD, one RADOS Gateway) on 127.0.0.1, with one S3 user and the bucket the tests use.
# Needs the packages of scripts/s3-server/install.sh. Stop it with scripts/s3-server/down.sh.
#
# Why Ceph: it is the production S3 implementation that Debian ships. Fakes (s3rver and the like)
# accept wrong signatures, ignore conditional writes and corrupt streamed bodies, so tests against
# them prove little.
#
# Environment (all optional):
#   S3_TEST_DIR       where config, data, logs, pid files and the env file go  [/tmp/modelreg-s3]
#   S3_TEST_PORT      the S3 endpoint's port on 127.0.0.1                      [7480]
#   S3_TEST_MON_PORT  the Ceph monitor's port on 127.0.0.1 (msgr v2)           [3300]
#   OBJSTORE          memstore (data in RAM: fast start, for tests) or
#                     bluestore (a sparse file on disk, bounded RAM: for GB-sized benchmarks) [memstore]
#   S3_TEST_SIZE_GB   capacity the OSD reports; RGW answers 507 when it is full  [4 memstore, 20 bluestore]
#   S3_ACCESS_KEY / S3_SECRET_KEY   the S3 user's keys        [testaccesskey / testsecretkey]
#   S3_TEST_BUCKET    bucket created for the tests                              [modelreg-test]
#   S3_TEST_TIMEOUT   seconds allowed for each wait below                       [60]
#
# Writes $S3_TEST_DIR/env (KEY=VALUE lines, for `set -a; . env; set +a` and test/s3-setup.ts).
# Idempotent: if something already answers on the port and accepts our keys, it only makes sure
# the bucket and the env file exist, and exits 0.
set -euo pipefail

DIR=${S3_TEST_DIR:-/tmp/modelreg-s3}
PORT=${S3_TEST_PORT:-7480}
MON_PORT=${S3_TEST_MON_PORT:-3300}
OBJSTORE=${OBJSTORE:-memstore}
case "$OBJSTORE" in memstore) DEF_GB=4 ;; bluestore) DEF_GB=20 ;; *) echo "s3-server up: OBJSTORE must be memstore or bluestore, not '$OBJSTORE'" >&2; exit 2 ;; esac
SIZE_GB=${S3_TEST_SIZE_GB:-$DEF_GB}
ACCESS=${S3_ACCESS_KEY:-testaccesskey}
SECRET=${S3_SECRET_KEY:-testsecretkey}
BUCKET=${S3_TEST_BUCKET:-modelreg-test}
TIMEOUT=${S3_TEST_TIMEOUT:-60}
# RGW's default zonegroup takes any region name in a SigV4 scope; us-east-1 is what SDKs assume
# and needs no LocationConstraint when creating a bucket.
REGION=us-east-1
ENDPOINT="http://127.0.0.1:$PORT"
MARKER="$DIR/.modelreg-s3-server"   # down.sh deletes $DIR only when this file says it is ours
HERE=$(cd "$(dirname "$0")" && pwd)

# Debian's AWS CLI, not a pyenv or pip shim that may shadow it on PATH; and none of the caller's
# AWS profiles, config files or session tokens, so only the keys below are used.
AWS_BIN=${AWS_CLI:-/usr/bin/aws}
aws_s3() {
  env -u AWS_PROFILE -u AWS_SESSION_TOKEN -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
    AWS_ACCESS_KEY_ID="$ACCESS" AWS_SECRET_ACCESS_KEY="$SECRET" AWS_REGION="$REGION" AWS_PAGER= \
    timeout 30 "$AWS_BIN" --endpoint-url "$ENDPOINT" --cli-connect-timeout 5 --cli-read-timeout 20 "$@"
}

for cmd in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl "$AWS_BIN"; do
  command -v "$cmd" >/dev/null || { echo "s3-server up: '$cmd' not found; run: bash scripts/s3-server/install.sh" >&2; exit 1; }
done

t0=$(date +%s.%N)
elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
answers() { curl -s -o /dev/null --max-time 2 "$ENDPOINT/"; }     # any HTTP answer, even 403
port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Make the test bucket (if missing) and the env file; both are cheap and safe to redo.
# A user just made by radosgw-admin can take a moment to be seen by the gateway: retry briefly.
finish() {
  local out i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    aws_s3 s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1 && break
    out=$(aws_s3 s3api create-bucket --bucket "$BUCKET" 2>&1) && break
    [ "$i" -lt 10 ] || { echo "s3-server up: could not create bucket $BUCKET: $out" >&2; exit 1; }
    sleep 0.5
  done
  [ -d "$DIR" ] || { mkdir -p "$DIR"; touch "$MARKER"; }   # ours, so down.sh may remove it
  cat >"$DIR/env.tmp" <<ENV
MODELREG_TEST_S3_ENDPOINT=$ENDPOINT
MODELREG_TEST_S3_BUCKET=$BUCKET
AWS_ACCESS_KEY_ID=$ACCESS
AWS_SECRET_ACCESS_KEY=$SECRET
AWS_REGION=$REGION
ENV
  mv "$DIR/env.tmp" "$DIR/env"    # whole or absent, never half-written
}

# 1. Already up? Something answering with our keys is good enough (ours from an earlier run, or
#    one started by hand); something answering that refuses them is a clash we must not paper over.
if answers; then
  if aws_s3 s3api list-buckets >/dev/null 2>&1; then
    finish
    echo "s3-server up: already running at $ENDPOINT (keys accepted); bucket $BUCKET; env in $DIR/env"
    exit 0
  fi
  echo "s3-server up: something on port $PORT answers but refuses our keys; stop it or set S3_TEST_PORT" >&2
  exit 1
fi

# 2. Leftovers of ours (daemons from a run that half-started, or crashed): stop and clear them.
if [ -e "$MARKER" ]; then
  bash "$HERE/down.sh" >/dev/null
elif [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null)" ]; then
  # Not ours: never delete a directory that this script did not make.
  echo "s3-server up: $DIR exists and was not made by this script; remove it or set S3_TEST_DIR" >&2
  exit 1
fi
if port_taken "$PORT"; then
  echo "s3-server up: port $PORT is taken by something that does not answer HTTP; stop it or set S3_TEST_PORT" >&2
  exit 1
fi
if port_taken "$MON_PORT"; then
  echo "s3-server up: port $MON_PORT (Ceph monitor) is taken; stop what holds it or set S3_TEST_MON_PORT" >&2
  exit 1
fi

rm -rf "$DIR"
mkdir -p "$DIR"/{mon/a,osd/0,run,log,rgw}
touch "$MARKER"

# Print why a step failed: the message, then the end of the log(s) that tell.
fail() {
  echo "s3-server up: $1 (after $(elapsed)s)" >&2
  shift
  for f in "$@"; do [ -s "$f" ] && { echo "--- last lines of $f:" >&2; tail -n 30 "$f" >&2; }; done
  echo "--- stop the leftovers with: bash scripts/s3-server/down.sh" >&2
  exit 1
}
# Poll a command until it succeeds, for at most $TIMEOUT seconds. With a daemon's name first
# (wait_for NAME cmd...), stop early when that daemon has exited: a gateway that cannot bind its
# port, say, fails in seconds instead of after the whole timeout. Daemons fork and write their pid
# file from the child, so the file appears a moment after the start command returns; one that
# fails early may remove it again before we look, hence: no pid file after 10 s = exited.
WAIT_ERR=
wait_for() {
  local name= pid= start deadline
  start=$(date +%s); deadline=$(( start + TIMEOUT ))
  case "$1" in mon.* | osd.* | client.*) name=$1; shift ;; esac
  WAIT_ERR="within ${TIMEOUT}s"
  until "$@"; do
    if [ -n "$name" ]; then
      [ -n "$pid" ] || pid=$(cat "$DIR/run/$name.pid" 2>/dev/null) || pid=
      if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then WAIT_ERR="($name exited)"; return 1; fi
      if [ -z "$pid" ] && [ "$(date +%s)" -ge $(( start + 10 )) ]; then WAIT_ERR="($name exited, or never wrote its pid file)"; return 1; fi
    fi
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

FSID=$(cat /proc/sys/kernel/random/uuid)
cat >"$DIR/ceph.conf" <<CONF
# Written by modelreg's scripts/s3-server/up.sh: a throwaway single-node cluster for tests.
[global]
fsid = $FSID
# msgr v2 only, on loopback: nothing outside this machine can reach it
mon host = v2:127.0.0.1:$MON_PORT
public network = 127.0.0.0/8
# No cephx: nothing to keep secret on a loopback test cluster, and no keyrings to make
auth cluster required = none
auth service required = none
auth client required = none
# One OSD holds every object: one replica, and place copies across OSDs (type 0), not hosts
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
# RGW makes about eight pools; a few placement groups each is plenty and starts fast
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
# Everything of this cluster lives under $DIR, so down.sh can remove it whole
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
mon cluster log file = $DIR/log/cluster.log
log to stderr = false
[mon]
mon data = $DIR/mon/\$id
# Do not stop the monitor when /tmp's disk is fuller than Ceph likes (its default stops at 95%)
mon data avail warn = 1
mon data avail crit = 0
# Every osdmap change (each pool RGW creates) otherwise waits ~1 s for paxos batching:
# start-up takes ~10 s instead of ~2 s
paxos propose interval = 0.01
paxos min wait = 0.001
[osd]
osd data = $DIR/osd/\$id
osd objectstore = $OBJSTORE
# memstore: all objects in RAM, capacity as below. bluestore: a sparse file of this size.
memstore device bytes = $((SIZE_GB << 30))
bluestore block path = $DIR/osd/\$id/block.file
bluestore block create = true
bluestore block size = $((SIZE_GB << 30))
# bluestore's cache otherwise aims at 4 GiB; 1 GiB is plenty on a 2-core test machine
osd memory target = 1073741824
[client.rgw.a]
# radosgw asks for a 'secure' monitor session by default, which cannot be had with auth none:
# without this it waits forever (get_initial_auth_request returned -13)
ms mon client mode = crc
# beast on loopback only; tcp_nodelay removes ~40-50 ms (Nagle) from most requests
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw data = $DIR/rgw
# Reclaim deleted and overwritten data after 60 s instead of 2 h, so repeated test runs
# and benchmarks do not fill the OSD
rgw gc obj min wait = 60
rgw gc processor period = 60
CONF
export CEPH_CONF="$DIR/ceph.conf"
# Bound every call of the ceph CLI: it otherwise retries a monitor that is not there forever
CEPH=(timeout 30 ceph --connect-timeout 20)

# 3. Monitor
monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >"$DIR/log/monmaptool.out" 2>&1 \
  || fail "monmaptool failed" "$DIR/log/monmaptool.out"
ceph-mon --mkfs -i a --monmap "$DIR/monmap" >"$DIR/log/mon-mkfs.out" 2>&1 || fail "ceph-mon --mkfs failed" "$DIR/log/mon-mkfs.out" "$DIR/log/mon.a.log"
ceph-mon -i a >"$DIR/log/mon-start.out" 2>&1 || fail "ceph-mon did not start" "$DIR/log/mon-start.out" "$DIR/log/mon.a.log"

# 4. OSD: register it with the monitor, make its store, start it, wait until the map says it is up
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$("${CEPH[@]}" osd new "$OSD_UUID" 2>"$DIR/log/osd-new.err") || fail "'ceph osd new' failed (monitor not answering?)" "$DIR/log/osd-new.err" "$DIR/log/mon.a.log"
ceph-osd -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$DIR/log/osd-mkfs.out" 2>&1 || fail "ceph-osd --mkfs failed" "$DIR/log/osd-mkfs.out" "$DIR/log/osd.$OSD_ID.log"
ceph-osd -i "$OSD_ID" >"$DIR/log/osd-start.out" 2>&1 || fail "ceph-osd did not start" "$DIR/log/osd-start.out" "$DIR/log/osd.$OSD_ID.log"
osd_up() { local d; d=$("${CEPH[@]}" osd dump 2>/dev/null) && [[ $'\n'$d == *$'\n'"osd.$OSD_ID up"* ]]; }
wait_for "osd.$OSD_ID" osd_up || fail "osd.$OSD_ID not up $WAIT_ERR" "$DIR/log/osd.$OSD_ID.log" "$DIR/log/mon.a.log"
t_osd=$(elapsed)

# 5. Gateway: it creates its pools on first start, then listens
radosgw -n client.rgw.a >"$DIR/log/rgw-start.out" 2>&1 || fail "radosgw did not start" "$DIR/log/rgw-start.out" "$DIR/log/client.rgw.a.log"
wait_for client.rgw.a answers || fail "radosgw not answering on $ENDPOINT $WAIT_ERR" "$DIR/log/client.rgw.a.log" "$DIR/log/rgw-start.out"

# 6. The S3 user with fixed keys, then the bucket and the env file
timeout 60 radosgw-admin user create --uid=modelreg-test --display-name="modelreg tests" \
  --access-key="$ACCESS" --secret-key="$SECRET" >"$DIR/log/user-create.out" 2>&1 \
  || fail "radosgw-admin user create failed" "$DIR/log/user-create.out" "$DIR/log/client.rgw.a.log"
finish
echo "s3-server up: ceph $OBJSTORE ready at $ENDPOINT in $(elapsed)s (mon+osd ${t_osd}s); bucket $BUCKET; env in $DIR/env"
