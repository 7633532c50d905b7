#!/usr/bin/python3
"""Structural check of every Grafana dashboard in grafana/dashboards: valid JSON, a
schemaVersion, a stable unique uid and the edgewatch tag, unique panel ids, panels inside the
24 columns and not overlapping, every panel and query on the ${datasource} variable with a unit,
queries selecting job and instance through the variables (never a hard-coded instance), rates
over $__rate_interval (or an explicit hour), and links between the overview and every board."""

import glob
import json
import os
import re
import sys

ROOT = sys.argv[1]
DS = {"type": "prometheus", "uid": "${datasource}"}
errors = []
boards = {}
for path in sorted(glob.glob(os.path.join(ROOT, "grafana", "dashboards", "*.json"))):
    name = os.path.basename(path)
    try:
        with open(path) as f:
            d = json.load(f)
    except ValueError as e:
        errors.append(f"{name}: not JSON: {e}")
        continue
    boards[d.get("uid")] = d
    if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 36:
        errors.append(f"{name}: schemaVersion missing or older than 36")
    if d.get("uid") != name[:-5]:
        errors.append(f"{name}: uid {d.get('uid')!r} is not the file name")
    if "edgewatch" not in d.get("tags", []):
        errors.append(f"{name}: no edgewatch tag")
    names = [v["name"] for v in d.get("templating", {}).get("list", [])]
    for var in ("datasource", "job", "instance"):
        if var not in names:
            errors.append(f"{name}: no ${var} variable")
    ids = [p.get("id") for p in d["panels"]]
    if len(ids) != len(set(ids)) or None in ids:
        errors.append(f"{name}: panel ids are not unique")
    cells = {}
    for p in d["panels"]:
        where = f"{name}: panel {p.get('id')} {p.get('title')!r}"
        g = p["gridPos"]
        if g["x"] < 0 or g["w"] <= 0 or g["x"] + g["w"] > 24:
            errors.append(f"{where}: outside the 24 columns")
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                if (x, y) in cells:
                    errors.append(f"{where}: overlaps panel {cells[(x, y)]}")
                    break
                cells[(x, y)] = p.get("id")
            else:
                continue
            break
        if p["type"] == "row":
            continue
        if p.get("datasource") != DS:
            errors.append(f"{where}: datasource is not ${{datasource}}")
        if not p.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            errors.append(f"{where}: no unit")
        if not p.get("targets"):
            errors.append(f"{where}: no query")
        for t in p.get("targets", []):
            expr = t.get("expr", "")
            if t.get("datasource") != DS:
                errors.append(f"{where}: query datasource is not ${{datasource}}")
            if 'job=~"$job"' not in expr or 'instance=~"$instance"' not in expr:
                errors.append(f"{where}: query does not select job and instance: {expr}")
            if re.search(r'instance=~?"(?!\$instance")', expr):
                errors.append(f"{where}: hard-coded instance: {expr}")
            for window in re.findall(r"(?:rate|increase)\([^\[]*\[([^\]]+)\]", expr):
                if window not in ("$__rate_interval", "1h", "1d"):
                    errors.append(f"{where}: rate over [{window}], not $__rate_interval")
overview = boards.get("edgewatch-overview")
if overview is None:
    errors.append("no edgewatch-overview dashboard")
else:
    linked = {l["url"] for l in overview.get("links", [])}
    for uid, d in boards.items():
        if uid == "edgewatch-overview":
            continue
        if f"/d/{uid}" not in linked:
            errors.append(f"the overview does not link to {uid}")
        if "/d/edgewatch-overview" not in {l["url"] for l in d.get("links", [])}:
            errors.append(f"{uid} does not link back to the overview")
for e in errors:
    print(e)
print(f"{len(boards)} dashboards checked, {len(errors)} problems")
sys.exit(1 if errors or not boards else 0)
