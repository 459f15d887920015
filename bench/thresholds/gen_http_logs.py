#!/usr/bin/env python3
"""Writes N http_logs records as JSON lines (the Kafka record schema of ARCHITECTURE.md) spread
evenly over a time span, for benchmarking sentinel-thresholds. Deterministic (seeded)."""
import argparse
import random
import sys

p = argparse.ArgumentParser()
p.add_argument("--lines", type=int, default=10_000_000)
p.add_argument("--start-ms", type=int, default=1795305600000)  # 2026-11-22T00:00:00Z
p.add_argument("--span-s", type=int, default=86400)
p.add_argument("--hosts", type=int, default=3)
p.add_argument("--clients", type=int, default=20000)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--output", default="-")
a = p.parse_args()

rnd = random.Random(a.seed)
# Zipf-ish client weights through a cumulative table.
weights = [1.0 / (i + 1) ** 1.1 for i in range(a.clients)]
ips = [f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}" for i in range(a.clients)]
urls = ["/api/orders/{}", "/api/products/{}", "/", "/static/app.js", "/login", "/api/cart",
        "/u/{}/profile", "/search?q={}", "/health"]
out = sys.stdout if a.output == "-" else open(a.output, "w")
step = a.span_s * 1000 / a.lines
batch = []
clients = rnd.choices(range(a.clients), weights=weights, k=min(a.lines, 1_000_000))
for n in range(a.lines):
    ts = a.start_ms + int(n * step)
    ip = ips[clients[n % len(clients)]]
    url = urls[rnd.randrange(len(urls))]
    if "{}" in url:
        url = url.format(rnd.randrange(100000))
    r = rnd.random()
    status = 503 if r < 0.005 else (404 if r < 0.025 else 200)
    batch.append('{"v":1,"host":"web-%d","source":"bench","ts":%d,"client_ip":"%s","method":"GET",'
                 '"path":"%s","protocol":"HTTP/1.1","status":%d,"bytes":512,"referer":"-",'
                 '"user_agent":"bench/1.0"}\n' % (n % a.hosts + 1, ts, ip, url, status))
    if len(batch) >= 10000:
        out.write("".join(batch))
        batch.clear()
out.write("".join(batch))
out.close()
