#!/usr/bin/env python3
"""A connector .properties file as the JSON body of PUT /connectors/<name>/config (name dropped)."""
import json
import sys

conf = {}
with open(sys.argv[1], encoding="utf-8") as f:
    for number, line in enumerate(f, 1):
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        if "=" not in line:
            sys.exit(f"{sys.argv[1]}:{number}: expected key=value")
        key, value = line.split("=", 1)
        conf[key.strip()] = value.strip()
conf.pop("name", None)
print(json.dumps(conf))
