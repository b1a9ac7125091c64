#!/usr/bin/env bash
# Builds Craton's test images from Debian's busybox-static, with no network, into OUTDIR:
#
#   OUTDIR/oci/                 an OCI image layout holding two tags:
#       busybox:craton            one gzip layer: /bin/busybox, an applet symlink per applet in
#                                 /bin, /etc/passwd (root, nobody 65534), /etc/group, /tmp,
#                                 /root, empty /dev /proc /sys; Cmd ["sh"], Env PATH
#       busybox:craton-whiteout   that layer plus an uncompressed upper layer that deletes
#                                 /etc/craton-release (a whiteout), makes /opt/lower opaque
#                                 (keeps only /opt/lower/upper.txt) and adds /etc/upper.txt
#   OUTDIR/busybox-oci.tar      the same layout as one tar
#   OUTDIR/busybox-docker.tar   busybox:craton as a docker-archive, written by skopeo
#
# The output is deterministic for a given busybox binary (fixed mtimes, owners, entry order,
# gzip header), so the image id only changes when Debian's busybox does.
#
# Usage: tests/images/build-busybox-image.sh OUTDIR   (needs python3, skopeo; BUSYBOX=/bin/busybox)
set -euo pipefail

out=${1:?usage: $0 OUTDIR}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "$0: no busybox at $busybox (apt-get install busybox-static)" >&2; exit 1; }
command -v skopeo >/dev/null || { echo "$0: skopeo is missing (apt-get install skopeo)" >&2; exit 1; }
mkdir -p "$out"
rm -rf "$out/oci" "$out/busybox-oci.tar" "$out/busybox-docker.tar"

"$busybox" --list >"$out/applets.txt"
python3 - "$busybox" "$out" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile

busybox, out = sys.argv[1], sys.argv[2]
layout = os.path.join(out, "oci")
os.makedirs(os.path.join(layout, "blobs", "sha256"))

def blob(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
        f.write(data)
    return "sha256:" + digest

def layer_tar(entries):
    """entries: (path, kind, mode, payload) with kind dir|file|symlink; sorted for determinism."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, kind, mode, payload in sorted(entries):
            info = tarfile.TarInfo(path)
            info.mtime, info.uid, info.gid, info.uname, info.gname = 0, 0, 0, "root", "root"
            info.mode = mode
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname = tarfile.SYMTYPE, payload
                tar.addfile(info)
            else:
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()

def gzipped(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as z:
        z.write(data)
    return buf.getvalue()

applets = [a for a in open(os.path.join(out, "applets.txt")).read().split() if a != "busybox"]
base = [("bin", "dir", 0o755, None), ("etc", "dir", 0o755, None), ("tmp", "dir", 0o1777, None),
        ("root", "dir", 0o700, None), ("dev", "dir", 0o755, None), ("proc", "dir", 0o555, None),
        ("sys", "dir", 0o555, None), ("opt", "dir", 0o755, None), ("opt/lower", "dir", 0o755, None),
        ("bin/busybox", "file", 0o755, open(busybox, "rb").read()),
        ("etc/passwd", "file", 0o644,
         b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"),
        ("etc/group", "file", 0o644, b"root:x:0:\nnogroup:x:65534:\n"),
        ("etc/craton-release", "file", 0o644, b"craton busybox test image\n"),
        ("opt/lower/lower.txt", "file", 0o644, b"from the lower layer\n")]
base += [("bin/" + a, "symlink", 0o777, "busybox") for a in applets]
upper = [("etc", "dir", 0o755, None), ("etc/.wh.craton-release", "file", 0o644, b""),
         ("etc/upper.txt", "file", 0o644, b"from the upper layer\n"),
         ("opt", "dir", 0o755, None), ("opt/lower", "dir", 0o755, None),
         ("opt/lower/.wh..wh..opq", "file", 0o644, b""),
         ("opt/lower/upper.txt", "file", 0o644, b"from the upper layer\n")]

base_tar, upper_tar = layer_tar(base), layer_tar(upper)
base_gz = gzipped(base_tar)
base_layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
              "digest": blob(base_gz), "size": len(base_gz)}
upper_layer = {"mediaType": "application/vnd.oci.image.layer.v1.tar",
               "digest": blob(upper_tar), "size": len(upper_tar)}

def diff_id(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()

def image(tag, layers, tars):
    config = {"architecture": "amd64", "os": "linux", "created": "1970-01-01T00:00:00Z",
              "config": {"Cmd": ["sh"], "WorkingDir": "/",
                         "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
              "rootfs": {"type": "layers", "diff_ids": [diff_id(t) for t in tars]},
              "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "build-busybox-image.sh"}
                          for _ in tars]}
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": blob(config_bytes), "size": len(config_bytes)},
                "layers": layers}
    manifest_bytes = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    return {"mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": blob(manifest_bytes), "size": len(manifest_bytes),
            "annotations": {"org.opencontainers.image.ref.name": tag}}

index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [image("busybox:craton", [base_layer], [base_tar]),
                       image("busybox:craton-whiteout", [base_layer, upper_layer],
                             [base_tar, upper_tar])]}
with open(os.path.join(layout, "index.json"), "w") as f:
    json.dump(index, f, sort_keys=True, separators=(",", ":"))
with open(os.path.join(layout, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
PY
rm -f "$out/applets.txt"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$out/oci" \
  -cf "$out/busybox-oci.tar" .
skopeo --insecure-policy copy --quiet "oci:$out/oci:busybox:craton" \
  "docker-archive:$out/busybox-docker.tar:busybox:craton"
