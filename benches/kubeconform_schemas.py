#!/usr/bin/env python3
"""Writes the schemas kubeconform reads offline, into one directory.

usage: kubeconform_schemas.py OUT_DIR CRD.yaml...

Core kinds: the strict standalone schemas that the PyPI package kubernetes-validate ships
(the newest Kubernetes version it has), with their per-file `$id` dropped and their `$ref`s
pointed at the sibling `_definitions.json`, so kubeconform resolves them from disk.

Custom resources: each served version of each CRD becomes OUT_DIR/<kind>-<group prefix>-<version>.json, the
name kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}` template asks for. The schema is
made strict the way kubeconform's `-strict` schemas are (no unknown fields on an object that
lists its properties), and the Kubernetes extensions become JSON Schema: int-or-string, nullable
and preserve-unknown-fields.
"""
import json
import os
import sys

import yaml


def convert(node):
    if isinstance(node, list):
        return [convert(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: convert(v) for k, v in node.items()}
    if out.pop("x-kubernetes-int-or-string", False):
        out.pop("type", None)
        out["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    preserve = out.pop("x-kubernetes-preserve-unknown-fields", False)
    if out.get("type") == "object" and "properties" in out and not preserve:
        out.setdefault("additionalProperties", False)
    if out.pop("nullable", False) and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return {k: v for k, v in out.items() if not k.startswith("x-kubernetes-")}


def core_schemas(out_dir):
    import kubernetes_validate

    root = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
    versions = [d for d in os.listdir(root) if d.endswith("-local-strict")]
    newest = max(versions, key=lambda d: tuple(int(x) for x in d[1:].split("-")[0].split(".")))
    src = os.path.join(root, newest)
    for name in os.listdir(src):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(src, name)) as f:
            text = f.read()
        if name != "_definitions.json":
            schema = json.loads(text)
            schema.pop("$id", None)
            text = json.dumps(schema).replace('"/api/_definitions.json#', '"_definitions.json#')
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(text)
    return newest


def main():
    out_dir, files = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    print(core_schemas(out_dir))
    for path in files:
        with open(path) as f:
            for crd in yaml.safe_load_all(f):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                spec = crd["spec"]
                kind = spec["names"]["kind"].lower()
                group = spec["group"].split(".")[0]
                for version in spec["versions"]:
                    schema = convert(version["schema"]["openAPIV3Schema"])
                    name = f"{kind}-{group}-{version['name']}.json"
                    with open(os.path.join(out_dir, name), "w") as f:
                        json.dump(schema, f)


if __name__ == "__main__":
    main()
