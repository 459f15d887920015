#!/usr/bin/python3
"""The original project's producer, as a peer to measure against: a psutil loop that sends host
metrics as JSON to Kafka with confluent-kafka (Debian python3-psutil, python3-confluent-kafka).
Usage: psutil_producer.py BOOTSTRAP TOPIC INTERVAL_SECONDS"""
import json
import socket
import sys
import time

import psutil
from confluent_kafka import Producer

bootstrap, topic, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])
producer = Producer({"bootstrap.servers": bootstrap})
host = socket.gethostname()
psutil.cpu_percent(percpu=True)
last_disk = psutil.disk_io_counters(perdisk=True)
last_net = psutil.net_io_counters(pernic=True)
while True:
    time.sleep(interval)
    ts = int(time.time() * 1000)
    records = []
    cpu = psutil.cpu_times_percent()
    records.append(("cpu", {"cpu": "total"}, cpu._asdict()))
    for i, c in enumerate(psutil.cpu_times_percent(percpu=True)):
        records.append(("cpu", {"cpu": f"cpu{i}"}, c._asdict()))
    records.append(("memory", {}, psutil.virtual_memory()._asdict()))
    records.append(("swap", {}, psutil.swap_memory()._asdict()))
    for part in psutil.disk_partitions():
        try:
            records.append(("disk", {"mount": part.mountpoint}, psutil.disk_usage(part.mountpoint)._asdict()))
        except OSError:
            pass
    disk = psutil.disk_io_counters(perdisk=True)
    for name, c in disk.items():
        if name in last_disk:
            records.append(("diskio", {"device": name},
                            {k: (v - getattr(last_disk[name], k)) / interval for k, v in c._asdict().items()}))
    last_disk = disk
    net = psutil.net_io_counters(pernic=True)
    for name, c in net.items():
        if name in last_net:
            records.append(("network", {"interface": name},
                            {k: (v - getattr(last_net[name], k)) / interval for k, v in c._asdict().items()}))
    last_net = net
    l1, l5, l15 = psutil.getloadavg()
    records.append(("load", {}, {"load1": l1, "load5": l5, "load15": l15}))
    for resource, tags, metrics in records:
        value = json.dumps({"v": 1, "host": host, "resource": resource, "ts": ts, "tags": tags, "metrics": metrics})
        producer.produce(topic, value=value, key=resource, timestamp=ts)
    producer.poll(0)
