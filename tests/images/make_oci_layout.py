#!/usr/bin/env python3
"""Writes an OCI image layout around layer tars the tests craft (evil paths, tag-only names).

Usage: make_oci_layout.py OUTDIR REF LAYER.tar [LAYER.tar ...]
REF is written as org.opencontainers.image.ref.name ("-": no name). Layers are stored
uncompressed, base first; the config has Cmd ["sh"].
"""
import hashlib, json, os, sys

out, ref, layers = sys.argv[1], sys.argv[2], sys.argv[3:]
os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)

def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(out, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest, len(data)

descriptors, diff_ids = [], []
for path in layers:
    data = open(path, "rb").read()
    digest, size = blob(data)
    diff_ids.append(digest)
    descriptors.append({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": digest, "size": size})
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
                     "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
config_digest, config_size = blob(config)
manifest = json.dumps({"schemaVersion": 2,
                       "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": config_digest, "size": config_size},
                       "layers": descriptors}).encode()
manifest_digest, manifest_size = blob(manifest)
entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest_digest,
         "size": manifest_size}
if ref != "-":
    entry["annotations"] = {"org.opencontainers.image.ref.name": ref}
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [entry]}, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
