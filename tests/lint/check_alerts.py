#!/usr/bin/python3
"""Every alert in rules/*.rules.yml: an Edgewatch name, a severity of critical, warning or
info, a summary and a description, and a runbook_url naming docs/runbooks/<AlertName>.md,
which exists and has Check and Fix sections."""

import glob
import os
import sys

import yaml

ROOT = sys.argv[1]
errors = []
alerts = 0
for path in sorted(glob.glob(os.path.join(ROOT, "rules", "*.rules.yml"))):
    with open(path) as f:
        doc = yaml.safe_load(f)
    for group in doc["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert")
            if name is None:
                continue
            alerts += 1
            where = f"{os.path.basename(path)}: {name}"
            if not name.startswith("Edgewatch"):
                errors.append(f"{where}: name lacks the Edgewatch prefix")
            if rule.get("labels", {}).get("severity") not in ("critical", "warning", "info"):
                errors.append(f"{where}: severity must be critical, warning or info")
            annotations = rule.get("annotations", {})
            for key in ("summary", "description", "runbook_url"):
                if not annotations.get(key):
                    errors.append(f"{where}: no {key}")
            if not annotations.get("runbook_url", "").endswith(f"/docs/runbooks/{name}.md"):
                errors.append(f"{where}: runbook_url does not name docs/runbooks/{name}.md")
            runbook = os.path.join(ROOT, "docs", "runbooks", f"{name}.md")
            if not os.path.exists(runbook):
                errors.append(f"{where}: {runbook} is missing")
                continue
            with open(runbook) as f:
                text = f.read()
            for section in ("## Check", "## Fix"):
                if section not in text:
                    errors.append(f"{where}: the runbook has no '{section}' section")
for e in errors:
    print(e)
print(f"{alerts} alerts checked, {len(errors)} problems")
sys.exit(1 if errors or alerts == 0 else 0)
