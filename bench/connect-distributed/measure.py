#!/usr/bin/env python3
# The measurements of bench/connect-distributed/run.sh, on a broker it started and topics it
# filled: archive throughput with 1, 2 and 3 distributed workers, the time from a worker's SIGKILL
# to its tasks archiving again elsewhere, and REST write latency on a non-leader and the leader.
# Starts and stops the workers itself (each its own REST port, archive root and state dir, one
# group.id per cluster) and kills every one it started on exit. Prints the tables on stdout.
import argparse
import glob
import gzip
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request

TICK = os.sysconf("SC_CLK_TCK")
started = []  # every worker process, killed on exit


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(port, method, path, body=None, timeout=30):
    """(status, parsed body or text, seconds)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    t = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            code, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        code, text = e.code, e.read()
    except (urllib.error.URLError, ConnectionError, socket.timeout) as e:
        return 0, str(e), time.monotonic() - t
    seconds = time.monotonic() - t
    try:
        return code, json.loads(text), seconds
    except ValueError:
        return code, text.decode(errors="replace"), seconds


def wait_for(what, pred, seconds, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    raise SystemExit(f"bench: {what}: not within {seconds} s")


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    except OSError:
        return 0.0


class Worker:
    def __init__(self, cluster, i):
        self.cluster, self.i = cluster, i
        self.port = free_port()
        self.root = f"{cluster.dir}/host{i}-archive"
        self.proc = None
        self.starts = 0

    @property
    def id(self):
        return f"127.0.0.1:{self.port}"

    def log(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def start(self):
        c = self.cluster
        props = f"{c.dir}/worker{self.i}.properties"
        with open(props, "w") as f:
            f.write(f"bootstrap.servers={c.bs}\ngroup.id={c.group}\n"
                    f"config.storage.topic={c.group}-configs\n"
                    f"status.storage.topic={c.group}-status\n"
                    f"offset.storage.topic={c.group}-offsets\n"
                    "config.storage.replication.factor=1\nstatus.storage.replication.factor=1\n"
                    "offset.storage.replication.factor=1\n"
                    f"plugin.path={c.plugins}\n"
                    "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
                    "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
                    f"archive.root={self.root}\nsentinel.state.dir={c.dir}/state{self.i}\n"
                    f"listeners=http://127.0.0.1:{self.port}\n")
        self.starts += 1
        base = f"{c.dir}/worker{self.i}.{self.starts}"
        self.err = base + ".err"
        self.proc = subprocess.Popen([c.binary, props], stdout=open(base + ".out", "w"),
                                     stderr=open(self.err, "w"), stdin=subprocess.DEVNULL)
        started.append(self.proc)

    def wait_ready(self):
        def ready():
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: worker {self.i} exited: {self.log()[-2000:]}")
            return http(self.port, "GET", "/health", timeout=2)[0] == 200
        wait_for(f"worker {self.i} (port {self.port}) GET /health 200", ready, 90, 0.1)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def leader(self):
        """True when this worker's newest slot line says (leader)."""
        owns = re.findall(r"owns \d+ of \d+ slot\(s\)( \(leader\))?", self.log())
        return bool(owns) and owns[-1] == " (leader)"


class Cluster:
    def __init__(self, args, name, count):
        self.bs, self.plugins = args.bootstrap, args.plugins
        self.binary = args.bin + "/sentinel-connect"
        self.dir = f"{args.work}/{name}"
        os.makedirs(self.dir)
        self.group = f"bench-{name}"
        self.workers = [Worker(self, i) for i in range(count)]

    def start(self):
        for w in self.workers:
            w.start()
        for w in self.workers:
            w.wait_ready()

    def stop(self):
        for w in self.workers:
            if w.alive():
                w.stop()

    def live(self):
        return [w for w in self.workers if w.alive()]

    def by_id(self, worker_id):
        return next((w for w in self.workers if w.id == worker_id), None)

    def send(self, method, path, body=None, via=None):
        """A write as Connect clients send it: again while the answer is 409 (a rebalance)."""
        via = via or self.live()[0]
        deadline = time.monotonic() + 60
        while True:
            code, answer, _ = http(via.port, method, path, body)
            if code != 409 or time.monotonic() > deadline:
                return code, answer
            time.sleep(0.1)

    def all_running(self, connector, tasks):
        """True when a live worker reports the connector and its `tasks` tasks RUNNING, each on a
        live worker."""
        code, s, _ = http(self.live()[0].port, "GET", f"/connectors/{connector}/status")
        if code != 200 or s["connector"]["state"] != "RUNNING" or len(s["tasks"]) != tasks:
            return False
        for t in s["tasks"]:
            w = self.by_id(t.get("worker_id"))
            if t["state"] != "RUNNING" or w is None or not w.alive():
                return False
        return s

    def archived(self, topic):
        """{partition: next offset} durable in any worker's archive (the largest per partition)
        and {partition: the worker whose archive holds it}."""
        best, owner = {}, {}
        for w in self.workers:
            for path in glob.glob(f"{w.root}/.sentinel-archive/*.state"):
                try:
                    with open(path) as f:
                        lines = f.read().splitlines()
                except OSError:
                    continue
                for line in lines:
                    p = line.split()
                    if len(p) == 6 and p[0] == "partition" and p[1] == topic:
                        part, nxt = int(p[2]), int(p[5])
                        if nxt > best.get(part, -1):
                            best[part], owner[part] = nxt, w
        return best, owner


def connector_config(topic, tasks):
    return {"connector.class": "RotatingFileSink", "topics": topic, "tasks.max": str(tasks),
            "path": "{topic}-{partition}.log"}


def throughput(args):
    rows = []
    # The worker counts interleaved, repeated: the machine's load (other processes) varies.
    for count in [n for _ in range(args.repeat) for n in (1, 2, 3)]:
        rep = sum(1 for r in rows if r[0] == count)
        c = Cluster(args, f"throughput{count}-{rep}", count)
        try:
            c.start()
            name = f"archive{count}-{rep}"
            code, answer = c.send("POST", "/connectors",
                                  {"name": name, "config": connector_config("data", args.tasks)})
            if code != 201:
                raise SystemExit(f"bench: POST /connectors: {code} {answer}")
            posted = time.monotonic()
            pattern = re.compile(rf"connector {name} task \d+: assigned [1-9]")
            wait_for(f"a task of {name} assigned partitions",
                     lambda: any(pattern.search(w.log()) for w in c.workers), 120, 0.02)
            t0 = time.monotonic()
            cpu0 = sum(cpu_seconds(w.proc.pid) for w in c.workers)
            wait_for(f"{args.records} records archived by {count} worker(s)",
                     lambda: sum(c.archived("data")[0].values()) >= args.records, 600, 0.05)
            t1 = time.monotonic()
            cpu = sum(cpu_seconds(w.proc.pid) for w in c.workers) - cpu0
            s = c.all_running(name, args.tasks) or {"tasks": []}
            per_worker = [sum(1 for t in s["tasks"] if t.get("worker_id") == w.id)
                          for w in c.workers]
            lines = archive_lines(c)
            if lines < args.records:
                raise SystemExit(f"bench: {count} worker(s): {lines} lines in the archives, "
                                 f"expected {args.records}")
            rows.append((count, t1 - t0, cpu, t1 - posted, per_worker, lines))
        finally:
            c.stop()
    print(f"\n1. archive throughput: {args.records} records (~{args.size} bytes each) "
          f"pre-loaded in 'data' (64 partitions), RotatingFileSink with defaults, "
          f"tasks.max={args.tasks}")
    print(f"{'workers':>8} {'records/s':>11} {'seconds':>9} {'CPU s':>7} {'CPU ms/1000 rec':>16} "
          f"{'vs 1 worker':>12} {'POST→all s':>11}  tasks per worker  lines archived")
    one = statistics.median(r[1] for r in rows if r[0] == 1)
    for count, secs, cpu, total, per, lines in sorted(rows, key=lambda r: r[0]):
        print(f"{count:>8} {args.records / secs:>11.0f} {secs:>9.2f} {cpu:>7.2f} "
              f"{cpu * 1e6 / args.records:>16.3f} {one / secs:>11.2f}x {total:>11.2f}  "
              f"{'/'.join(map(str, per)):<17} {lines}")
    if args.repeat > 1:
        print(f"   medians over {args.repeat} runs each:")
        for count in (1, 2, 3):
            mine = [r for r in rows if r[0] == count]
            secs = statistics.median(r[1] for r in mine)
            cpu = statistics.median(r[2] for r in mine)
            print(f"{count:>8} {args.records / secs:>11.0f} {secs:>9.2f} {cpu:>7.2f} "
                  f"{cpu * 1e6 / args.records:>16.3f} {one / secs:>11.2f}x")
    print("   (records/s and CPU: from the first task's assignment to the last record durable; "
          "POST→all: from POST /connectors, the connector's start and group joins included)")
    print(f"   ({os.cpu_count()} CPU cores here, shared with the broker: workers beyond the cores "
          "cannot add wall-clock throughput; CPU ms/1000 rec is the cost that scales out)")
    return rows


def archive_lines(cluster):
    """Lines in every archive file of the cluster's roots (rotated .gz files included)."""
    n = 0
    for w in cluster.workers:
        for path in glob.glob(f"{w.root}/**/*", recursive=True):
            if path.endswith(".log"):
                with open(path, "rb") as f:
                    n += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
            elif path.endswith(".gz"):
                with gzip.open(path, "rb") as f:
                    n += sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    return n


class Flow:
    """Records produced at a steady rate through kcat -P, keyed so that every partition gets its
    share all along (null keys would go to one partition per batch: librdkafka's sticky
    partitioner, which leaves a partition without records for seconds)."""

    def __init__(self, bs, topic, per_second):
        self.proc = subprocess.Popen(["kcat", "-P", "-b", bs, "-t", topic, "-K", "\t",
                                      "-X", "linger.ms=5"],
                                     stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        started.append(self.proc)
        self.stopped = False
        self.thread = threading.Thread(target=self.run, args=(per_second,), daemon=True)
        self.thread.start()

    def run(self, per_second):
        n, batch = 0, max(1, per_second // 50)
        while not self.stopped:
            lines = "".join(f"k{(n + k) % 640}\tflow-{n + k}\n" for k in range(batch))
            self.proc.stdin.write(lines.encode())
            self.proc.stdin.flush()
            n += batch
            time.sleep(0.02)

    def stop(self):
        self.stopped = True
        self.thread.join()
        self.proc.stdin.close()
        self.proc.wait(30)


def end_offsets(bs, topic, partitions):
    out = subprocess.run(["kcat", "-Q", "-b", bs] +
                         sum((["-t", f"{topic}:{p}:-1"] for p in partitions), []),
                         capture_output=True, text=True, timeout=30).stdout
    return {int(p): int(o) for p, o in re.findall(r"\[(\d+)\]\s+offset\s+(-?\d+)", out)}


def failover(args):
    c = Cluster(args, "failover", 3)
    runs = []
    flow = None
    try:
        c.start()
        code, answer = c.send("POST", "/connectors",
                              {"name": "flow", "config": connector_config("flow", args.tasks)})
        if code != 201:
            raise SystemExit(f"bench: POST /connectors (flow): {code} {answer}")
        flow = Flow(args.bootstrap, "flow", args.rate)
        for run in range(args.runs):
            wait_for("every task of flow RUNNING on a live worker",
                     lambda: c.all_running("flow", args.tasks), 120, 0.2)
            # Steady state: every partition archived past where it was 3 s ago.
            before, _ = c.archived("flow")
            time.sleep(3)
            wait_for("every partition of flow archiving", lambda: (
                lambda now: len(now) == 64 and all(now[p] > before.get(p, 0) for p in now))(
                    c.archived("flow")[0]), 60, 0.2)
            status = c.all_running("flow", args.tasks)
            victim = c.by_id(next(t["worker_id"] for t in status["tasks"] if t["id"] == 0))
            lost_tasks = [t["id"] for t in status["tasks"] if t["worker_id"] == victim.id]
            _, owner = c.archived("flow")
            parts = sorted(p for p, w in owner.items() if w is victim)
            killed = time.monotonic()
            victim.kill()
            hw = end_offsets(args.bootstrap, "flow", parts)
            first = every = running = None
            moved_at = {}
            survivors = [w for w in c.workers if w is not victim]
            while time.monotonic() - killed < 120 and None in (first, every, running):
                best = {}
                for w in survivors:
                    for path in glob.glob(f"{w.root}/.sentinel-archive/*.state"):
                        try:
                            text = open(path).read()
                        except OSError:
                            continue
                        for m in re.finditer(r"^partition flow (\d+) \S+ \S+ (\d+)$", text, re.M):
                            p, nxt = int(m.group(1)), int(m.group(2))
                            best[p] = max(best.get(p, -1), nxt)
                moved = [p for p in parts if best.get(p, -1) > hw.get(p, 1 << 62)]
                now = time.monotonic() - killed
                for p in moved:
                    moved_at.setdefault(p, now)
                if first is None and moved:
                    first = now
                if every is None and len(moved) == len(parts):
                    every = now
                if running is None and c.all_running("flow", args.tasks):
                    running = now
                time.sleep(0.05)
            runs.append((victim.i, len(lost_tasks), len(parts), first, every, running))
            print(f"   run {run + 1}: SIGKILL worker {victim.i} ({len(lost_tasks)} task(s), "
                  f"{len(parts)} partition(s)): first post-kill record archived elsewhere "
                  f"{fmt(first)} s, all its partitions {fmt(every)} s, every task RUNNING "
                  f"elsewhere {fmt(running)} s", flush=True)
            if os.environ.get("BENCH_DEBUG"):
                print("   per partition:", sorted(moved_at.items(), key=lambda kv: kv[1]), hw,
                      flush=True)
            victim.start()
            victim.wait_ready()
    finally:
        if flow:
            flow.stop()
        c.stop()
    return runs


def fmt(x):
    return "n/a" if x is None else f"{x:.2f}"


def summary(values):
    v = sorted(x for x in values if x is not None)
    if not v:
        return "n/a", "n/a", "n/a", 0
    return f"{v[0]:.2f}", f"{statistics.median(v):.2f}", f"{v[-1]:.2f}", len(v)


def rest_latency(args):
    c = Cluster(args, "rest", 3)
    rows = []
    try:
        c.start()
        code, answer = c.send("POST", "/connectors",
                              {"name": "probe", "config": connector_config("probe", 1)})
        if code != 201:
            raise SystemExit(f"bench: POST /connectors (probe): {code} {answer}")
        wait_for("probe RUNNING", lambda: c.all_running("probe", 1), 120, 0.2)
        leader = wait_for("a worker whose log says (leader)",
                          lambda: next((w for w in c.workers if w.leader()), None), 60, 0.2)
        follower = next(w for w in c.workers if w is not leader)
        for label, w in (("non-leader", follower), ("leader", leader)):
            for op in ("pause/resume", "PUT config"):
                times, codes = [], {}
                for k in range(args.rest):
                    if op == "pause/resume":
                        method, path, body = "PUT", "/connectors/probe/" + (
                            "pause" if k % 2 == 0 else "resume"), None
                    else:
                        cfg = connector_config("probe", 1)
                        cfg["flush.interval.ms"] = str(1000 + k % 2)
                        method, path, body = "PUT", "/connectors/probe/config", cfg
                    code, _, secs = http(w.port, method, path, body)
                    codes[code] = codes.get(code, 0) + 1
                    if code in (200, 201, 202, 204):
                        times.append(secs * 1000)
                    elif code == 409:
                        # A Connect client retries a 409; wait for the rebalance to end.
                        c.send(method, path, body, via=w)
                rows.append((label, w.i, op, times, codes))
            wait_for("probe RUNNING", lambda: c.all_running("probe", 1), 120, 0.2)
    finally:
        c.stop()
    return rows


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] if v else float("nan")


def main():
    ap = argparse.ArgumentParser()
    for a in ("bootstrap", "bin", "plugins", "work"):
        ap.add_argument("--" + a, required=True)
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--tasks", type=int, required=True)
    ap.add_argument("--runs", type=int, required=True)
    ap.add_argument("--rate", type=int, required=True)
    ap.add_argument("--rest", type=int, required=True)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--only", default="throughput,failover,rest")
    args = ap.parse_args()
    only = args.only.split(",")
    try:
        if "throughput" in only:
            throughput(args)
        if "failover" in only:
            print(f"\n2. SIGKILL of the worker running task 0 while ~{args.rate} records/s flow "
                  f"into 'flow' (64 partitions, tasks.max={args.tasks}, default group settings: "
                  "session.timeout.ms 6000, heartbeat 1000); 'archived' = durable in a "
                  "survivor's archive state (flush.interval.ms 1000 default)", flush=True)
            runs = failover(args)
            print(f"{'seconds after SIGKILL':<58} {'min':>6} {'median':>7} {'max':>6} {'runs':>5}")
            for label, k in (("a record produced after the kill archived by a survivor", 3),
                             ("... for every partition the killed worker had", 4),
                             ("every task RUNNING on a survivor (GET status)", 5)):
                lo, med, hi, n = summary(r[k] for r in runs)
                print(f"{label:<58} {lo:>6} {med:>7} {hi:>6} {n:>5}")
            lo, med, hi, n = summary(r[4] for r in runs)
            if n:
                m = float(med)
                print(f"   beside Kafka Connect 2.3+ defaults (session.timeout.ms 10 s, then "
                      f"scheduled.rebalance.max.delay.ms 300 s before a lost worker's tasks move: "
                      f"~310 s): median {m:.2f} s = {m / 310:.3f}x of Connect's "
                      f"(Connect eager / delay 0: >= 10 s session timeout: {m / 10:.2f}x)")
        if "rest" in only:
            rows = rest_latency(args)
            print(f"\n3. REST write latency, {args.rest} requests each, connector 'probe' "
                  "(tasks.max 1)")
            print(f"{'sent to':<12} {'worker':>6} {'write':<14} {'p50 ms':>8} {'p99 ms':>8} "
                  f"{'max ms':>8}  answers")
            p50 = {}
            for label, i, op, times, codes in rows:
                p50[(label, op)] = pct(times, 0.5)
                print(f"{label:<12} {i:>6} {op:<14} {pct(times, 0.5):>8.1f} "
                      f"{pct(times, 0.99):>8.1f} {max(times) if times else float('nan'):>8.1f}  "
                      f"{', '.join(f'{k}: {v}' for k, v in sorted(codes.items()))}")
            for op in ("pause/resume", "PUT config"):
                a, b = p50.get(("non-leader", op)), p50.get(("leader", op))
                if a and b:
                    print(f"   {op}: non-leader p50 / leader p50 = {a / b:.2f}x")
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
                p.wait()


if __name__ == "__main__":
    main()
