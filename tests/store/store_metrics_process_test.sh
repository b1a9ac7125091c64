#!/usr/bin/env bash
# `craton store --metrics-listen` serves etcd's metric names on /metrics, in the Prometheus text
# format, and they move with the replica: one replica on loopback, 20 puts by separate `craton
# kv put` processes, one `craton kv watch` in the background. Checked: every line of the
# exposition parses (a # HELP / # TYPE comment or `name{labels} value`), each etcd name has
# etcd's type, the leader gauges read 1, the applied and committed indexes grew by at least the
# 20 puts, the WAL fsync and backend commit histograms counted at least 20 observations in
# etcd's 14 buckets, the watcher gauge saw the watch; a bad address is a flag error (exit 2)
# and a port in use is a clear runtime error (exit 1).
#
#   store_metrics_process_test.sh CRATON
#
# Every wait is bounded; all children are killed on exit.
set -u
CRATON=$1
WORK=$(mktemp -d /tmp/craton-store-metrics.XXXXXX)
PIDS=()

# shellcheck source=process_lib.sh
source "$(dirname "$0")/process_lib.sh"

pick_ports 2
STORE="127.0.0.1:$BASE"
METRICS_PORT=$((BASE + 1))
"$CRATON" store --data "$WORK/d1" --listen "$STORE" --tick-ms 20 \
  --metrics-listen "$METRICS_PORT" >>"$WORK/r1.log" 2>&1 &
PIDS+=($!)
wait_leader "1=$STORE" >/dev/null || fail "no leader"
grep -q "metrics on http://127.0.0.1:$METRICS_PORT/metrics" "$WORK/r1.log" ||
  fail "the replica does not say where it serves metrics"

# scrape FILE: fetches /metrics into FILE and checks the exposition format line by line.
scrape() {
  python3 - "$METRICS_PORT" "$1" <<'PY' || fail "bad /metrics exposition"
import re, sys, urllib.request
port, out = sys.argv[1], sys.argv[2]
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=5).read().decode()
# Values as Prometheus reads them (Go's ParseFloat: NaN and Inf in any case).
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? (\S+)$')
for n, line in enumerate(text.splitlines(), 1):
    if not line or line.startswith("# HELP ") or line.startswith("# TYPE "):
        continue
    m = sample.match(line)
    try:
        float(m.group(3))
    except (AttributeError, ValueError):
        sys.exit("line %d does not parse: %r" % (n, line))
open(out, "w").write(text)
PY
}

# value FILE SERIES: the value of one series (exact name and labels), or "missing".
value() {
  python3 - "$1" "$2" <<'PY'
import sys
for line in open(sys.argv[1]):
    if line.startswith(sys.argv[2] + " "):
        print(float(line.split()[-1])); break
else:
    print("missing")
PY
}

scrape "$WORK/before.txt"
for pair in etcd_server_proposals_committed_total:gauge etcd_server_proposals_applied_total:gauge \
  etcd_server_proposals_pending:gauge etcd_server_proposals_failed_total:counter \
  etcd_server_leader_changes_seen_total:counter etcd_server_has_leader:gauge \
  etcd_server_is_leader:gauge etcd_disk_wal_fsync_duration_seconds:histogram \
  etcd_disk_backend_commit_duration_seconds:histogram etcd_mvcc_db_total_size_in_bytes:gauge \
  etcd_debugging_mvcc_watcher_total:gauge; do
  grep -qx "# TYPE ${pair%%:*} ${pair##*:}" "$WORK/before.txt" ||
    fail "no '# TYPE ${pair%%:*} ${pair##*:}' on /metrics"
done
[ "$(grep -c '^etcd_disk_wal_fsync_duration_seconds_bucket{le=' "$WORK/before.txt")" = 15 ] ||
  fail "the WAL fsync histogram has not etcd's 14 buckets (+Inf)"
grep -q '^etcd_disk_wal_fsync_duration_seconds_bucket{le="8.192' "$WORK/before.txt" ||
  fail "the largest WAL fsync bucket is not 8.192 s"

"$CRATON" kv watch w --prefix --count 1000 --endpoints "$STORE" >"$WORK/watch.out" 2>&1 &
PIDS+=($!)
for i in $(seq 1 20); do
  "$CRATON" kv put --endpoints "$STORE" "k$i" "v$i" >/dev/null || fail "put $i failed"
done
sleep 0.5  # a few ticks: the gauges are brought up to date on every tick
scrape "$WORK/after.txt"

python3 - "$WORK/before.txt" "$WORK/after.txt" <<'PY' || fail "the metrics did not move as expected"
import sys
def read(path):
    values = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        name, value = line.rsplit(" ", 1)
        values[name] = float(value)
    return values
a, b = read(sys.argv[1]), read(sys.argv[2])
def grew(name, at_least):
    d = b[name] - a[name]
    assert d >= at_least, "%s grew by %s, expected at least %s" % (name, d, at_least)
grew("etcd_server_proposals_applied_total", 20)
grew("etcd_server_proposals_committed_total", 20)
assert b["etcd_server_proposals_committed_total"] >= b["etcd_server_proposals_applied_total"]
grew("etcd_disk_wal_fsync_duration_seconds_count", 20)
grew("etcd_disk_backend_commit_duration_seconds_count", 20)
assert b["etcd_disk_wal_fsync_duration_seconds_sum"] > a["etcd_disk_wal_fsync_duration_seconds_sum"]
assert b["etcd_server_is_leader"] == 1 and b["etcd_server_has_leader"] == 1
assert b["etcd_server_leader_changes_seen_total"] >= 1
assert b["etcd_server_proposals_pending"] == 0
assert b["etcd_server_proposals_failed_total"] == 0
assert b["etcd_mvcc_db_total_size_in_bytes"] > 0
assert b["etcd_debugging_mvcc_watcher_total"] == 1, b["etcd_debugging_mvcc_watcher_total"]
print("applied +%d, wal fsyncs +%d, db %d bytes" % (
    b["etcd_server_proposals_applied_total"] - a["etcd_server_proposals_applied_total"],
    b["etcd_disk_wal_fsync_duration_seconds_count"] - a["etcd_disk_wal_fsync_duration_seconds_count"],
    b["etcd_mvcc_db_total_size_in_bytes"]))
PY

# Bad input: a flag error changes nothing; a port in use is named.
"$CRATON" store --data "$WORK/d2" --listen "127.0.0.1:$BASE" --metrics-listen nonsense \
  >"$WORK/bad.out" 2>&1
[ $? = 2 ] || fail "a bad --metrics-listen is not a flag error"
grep -q -- "--metrics-listen" "$WORK/bad.out" || fail "the flag error does not name the flag"
[ ! -e "$WORK/d2" ] || fail "a flag error created the data directory"
pick_ports 1
"$CRATON" store --data "$WORK/d3" --listen "127.0.0.1:$BASE" --metrics-listen "$METRICS_PORT" \
  >"$WORK/busy.out" 2>&1
[ $? = 1 ] || fail "a metrics port in use did not stop the replica with exit 1"
grep -q "cannot serve metrics on 127.0.0.1:$METRICS_PORT" "$WORK/busy.out" ||
  fail "the port-in-use error does not say what failed"
echo "store metrics: ok"
