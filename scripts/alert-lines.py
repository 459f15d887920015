#!/usr/bin/env python3
"""system_alerts records (JSON lines on stdin) as one readable line each."""
import json
import sys

for line in sys.stdin:
    try:
        a = json.loads(line)
        print(f"  {a['state']:8} {a['id']}: {a['summary']}", flush=True)
    except (ValueError, KeyError):
        print("  " + line.rstrip(), flush=True)
