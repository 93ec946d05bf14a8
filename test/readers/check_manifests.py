"""Read every manifest modelreg wrote with Python's YAML readers and check it against modelreg's reading.

    /usr/bin/python3 check_manifests.py <kept-dir> <schemas-dir>

For each <blob>.yaml beside its <blob>.json (kind, path, and the value modelreg reads): PyYAML's
safe_load (YAML 1.1), ruamel.yaml in YAML 1.2 and in YAML 1.1 mode must give the same data, types
included (a bool is not an int, a datetime is not a string); python-jsonschema validates PyYAML's reading
against schemas/<kind>.schema.json (draft 2020-12, formats checked). The schemas themselves are checked
against the 2020-12 metaschema first. Prints one JSON report on stdout; exits 1 when anything disagrees.
"""
import datetime
import glob
import json
import os
import sys

import jsonschema
import yaml
from ruamel.yaml import YAML


def same(a, b, where):
    """Strict equality: Python's True == 1 and 1 == 1.0 are not good enough for 'the same data'."""
    if isinstance(a, bool) or isinstance(b, bool):
        return [] if type(a) is type(b) and a == b else [f"{where}: {a!r} != {b!r}"]
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return [] if a == b else [f"{where}: {a!r} != {b!r}"]
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return [f"{where}: keys {sorted(map(repr, a))} != {sorted(map(repr, b))}"]
        return [d for k in a for d in same(a[k], b[k], f"{where}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{where}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in same(x, y, f"{where}/{i}")]
    if type(a) is not type(b) or a != b:
        return [f"{where}: {a!r} ({type(a).__name__}) != {b!r} ({type(b).__name__})"]
    return []


def plain(value):
    """ruamel's safe loader returns its own subclasses in places; compare as plain Python data."""
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def main():
    kept, schemas_dir = sys.argv[1], sys.argv[2]
    validators = {}
    for kind in ("registry", "model", "version", "stage"):
        with open(os.path.join(schemas_dir, f"{kind}.schema.json")) as f:
            schema = json.load(f)
        jsonschema.Draft202012Validator.check_schema(schema)
        validators[kind] = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    r12 = YAML(typ="safe", pure=True)
    r11 = YAML(typ="safe", pure=True)
    r11.version = (1, 1)
    failures = []
    counts = {}
    for meta_file in sorted(glob.glob(os.path.join(kept, "*.json"))):
        with open(meta_file) as f:
            meta = json.load(f)
        with open(meta_file[: -len(".json")] + ".yaml", encoding="utf-8") as f:
            text = f.read()
        name = f"{meta['path']} ({os.path.basename(meta_file)[:12]})"
        counts[meta["kind"]] = counts.get(meta["kind"], 0) + 1
        if meta.get("error"):
            failures.append(f"{name}: modelreg cannot read what it wrote: {meta['error']}")
            continue
        expected = meta["value"]
        readings = {}
        for reader, load in (("PyYAML", yaml.safe_load), ("ruamel.yaml 1.2", r12.load), ("ruamel.yaml 1.1", r11.load)):
            try:
                readings[reader] = plain(load(text))
            except Exception as e:  # a reader refusing the text is a failure like any other
                failures.append(f"{name}: {reader} cannot read it: {type(e).__name__}: {str(e).splitlines()[0]}")
                continue
            failures += [f"{name}: {reader}: {d}" for d in same(readings[reader], expected, "")]
        if "PyYAML" in readings:
            for err in validators[meta["kind"]].iter_errors(readings["PyYAML"]):
                failures.append(f"{name}: python-jsonschema: /{'/'.join(map(str, err.absolute_path))}: {err.message}")
    print(json.dumps({"manifests": sum(counts.values()), "kinds": counts, "failures": failures[:200], "failed": len(failures)}))
    sys.exit(1 if failures else 0)


main()
