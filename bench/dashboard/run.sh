#!/usr/bin/env bash
# Benchmark: sentinel-dashboard with 200 hosts of metrics (cpu, memory, disk, network each second
# per host: 800 records/s) and 200 HTTP log records/s flowing, with the page open in headless
# Chromium, next to `kcat -C` reading the same three topics (the floor: reading Kafka and nothing
# else) in the same run. Prints RSS and CPU of both and the page's render time per tick.
#
# Usage: bench/dashboard/run.sh [BUILD_DIR] [--hosts N] [--warmup S] [--seconds S]
# CPU: utime+stime from /proc/PID/stat over the measured window, as a share of one core.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/lib.sh"
build="$root/build"
hosts=200
warmup=20
seconds=60
while (($#)); do
  case "$1" in
    --hosts) hosts=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) build=$1; shift ;;
  esac
done
bin="$build/bin"
bench_need_programs "$bin" sentinel-devkafka sentinel-dashboard
[[ -d "$build/dashboard-web/node_modules/playwright-core" ]] || { echo "bench: build sentinel-dashboard-web first" >&2; exit 1; }
bench_need_commands kcat node /usr/bin/chromium python3
bench_workdir dashboard
bench_bin=$bin bench_start_devkafka --topic system_metrics:3 --topic http_logs:3 --topic system_alerts:1 </dev/null

# The load: every second, 4 metric records per host and 200 HTTP records, stamped now.
mkfifo "$work/metrics" "$work/http"
python3 -u - "$hosts" "$work/metrics" "$work/http" <<'PY' &
import json, random, sys, time
hosts, mpath, hpath = int(sys.argv[1]), sys.argv[2], sys.argv[3]
m, h = open(mpath, "w"), open(hpath, "w")
rnd = random.Random(7)
while True:
    start = time.time()
    ts = int(start * 1000)
    for i in range(hosts):
        host = "node-%03d" % i
        m.write(json.dumps({"v": 1, "host": host, "resource": "cpu", "ts": ts, "tags": {"cpu": "total"},
                            "metrics": {"usage_pct": rnd.uniform(0, 100)}}) + "\n")
        m.write(json.dumps({"v": 1, "host": host, "resource": "memory", "ts": ts,
                            "metrics": {"used_pct": rnd.uniform(20, 80)}}) + "\n")
        m.write(json.dumps({"v": 1, "host": host, "resource": "disk", "ts": ts,
                            "tags": {"mount": "/", "device": "sda1", "fstype": "ext4"},
                            "metrics": {"used_pct": 60.0}}) + "\n")
        m.write(json.dumps({"v": 1, "host": host, "resource": "network", "ts": ts, "tags": {"interface": "eth0"},
                            "metrics": {"rx_bytes_per_s": rnd.uniform(0, 1e6), "tx_bytes_per_s": rnd.uniform(0, 1e5)}}) + "\n")
    for i in range(200):
        status = rnd.choice([200] * 17 + [404, 500, 502])
        h.write(json.dumps({"v": 1, "host": "web", "ts": ts, "client_ip": "198.51.100.%d" % rnd.randrange(250),
                            "method": "GET", "path": "/item/%d" % rnd.randrange(50), "status": status,
                            "bytes": 512}) + "\n")
    m.flush(); h.flush()
    time.sleep(max(0.0, 1.0 - (time.time() - start)))
PY
pids+=($!)
kcat -P -b "$bs" -t system_metrics -l "$work/metrics" 2>"$work/kcat-m.err" &
pids+=($!)
kcat -P -b "$bs" -t http_logs -l "$work/http" 2>"$work/kcat-h.err" &
pids+=($!)

"$bin/sentinel-dashboard" --bootstrap-servers "$bs" --connect-url http://127.0.0.1:1 --listen 127.0.0.1:0 \
  >"$work/dashboard.out" 2>"$work/dashboard.err" &
dash=$!
pids+=($dash)
for _ in $(seq 1 100); do grep -q listening "$work/dashboard.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/dashboard.out" | head -1)
kcat -C -b "$bs" -t system_metrics -t http_logs -t system_alerts -o end -u -q >/dev/null 2>"$work/kcat-c.err" &
floor=$!
pids+=($floor)

echo "bench: $hosts hosts ($((hosts * 4)) metric records/s) + 200 http records/s; dashboard at $url"
node "$root/bench/dashboard/viewer.mjs" "$build" "$url" $((warmup + seconds)) >"$work/viewer.out" 2>&1 &
viewer=$!
pids+=($viewer)
sleep "$warmup"
d0=$(cpu_ticks $dash); f0=$(cpu_ticks $floor); t0=$(date +%s.%N)
sleep "$seconds"
d1=$(cpu_ticks $dash); f1=$(cpu_ticks $floor); t1=$(date +%s.%N)
drss=$(rss_kb $dash); frss=$(rss_kb $floor)
wait $viewer || true
health=$(curl -s "${url}api/health")
awk -v d="$((d1 - d0))" -v f="$((f1 - f0))" -v tk="$tick" -v t0="$t0" -v t1="$t1" -v dr="$drss" -v fr="$frss" 'BEGIN {
  s = t1 - t0
  printf "%-34s %10s %10s\n", "process", "RSS MB", "CPU %"
  printf "%-34s %10.1f %10.1f\n", "sentinel-dashboard (page open)", dr / 1024, 100 * d / tk / s
  printf "%-34s %10.1f %10.1f\n", "kcat -C (floor: read only)", fr / 1024, 100 * f / tk / s
  printf "%-34s %10.1fx %9.1fx\n", "ratio", dr / fr, (f > 0 ? d / f : 0)
}'
grep "viewer: ticks" "$work/viewer.out" || { echo "viewer failed:"; cat "$work/viewer.out"; }
echo "dashboard health: $health"
devkafka_trims "$work/devkafka.err" note
