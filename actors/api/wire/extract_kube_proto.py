#!/usr/bin/env python3
"""Writes kube_wire.proto: the subset of Kubernetes' generated.proto messages that Craton decodes.

Run by hand when the served kinds change, never by the build:
  extract_kube_proto.py API_REPO APIMACHINERY_REPO > kube_wire.proto
where the two folders are checkouts of github.com/kubernetes/api and kubernetes/apimachinery.
It keeps the messages reachable from ROOTS, minus the message types in LEFT_OUT (Craton does not
store them, so bytes of such a field stay unknown to the decoder, which refuses them by number),
copies each field's number and type as upstream declares them, and marks with
[(craton.kube.keeps_zero) = true] the fields whose zero value Go's JSON writes (types.go: a
pointer, or no omitempty): gogo's protobuf writes every non-pointer scalar, zero or not, so only
these keep a zero value in the JSON we make (replicas: 0), as kubectl's JSON would.
Kept status messages hold only what an empty status on the wire needs (the conditions and load
balancer ingresses are left out).
"""
import re
import subprocess
import sys

API, MACHINERY = sys.argv[1], sys.argv[2]
# runtime first: its TypeMeta (apiVersion = 1, kind = 2) is the one runtime.Unknown holds, not
# meta/v1's (kind = 1, apiVersion = 2), which no kept message uses.
FILES = [
    (MACHINERY, "pkg/runtime"), (API, "core/v1"), (API, "apps/v1"), (API, "batch/v1"), (API, "policy/v1"),
    (API, "scheduling/v1"), (MACHINERY, "pkg/apis/meta/v1"),
    (MACHINERY, "pkg/util/intstr"), (MACHINERY, "pkg/api/resource"),
]
ROOTS = ["Unknown", "Namespace", "ConfigMap", "Secret", "Service", "ServiceAccount",
         "Deployment", "Job", "PriorityClass", "PodDisruptionBudget"]
# Message types Craton's schemas (schemas/api_*.capnp) do not hold.
LEFT_OUT = {
    "ManagedFieldsEntry", "EphemeralContainer", "PodResourceClaim", "PodSchedulingGate",
    "PodOS", "HostAlias", "PodDNSConfig", "ResourceClaim", "ContainerResizePolicy",
    "VolumeDevice", "SeccompProfile", "AppArmorProfile", "SELinuxOptions",
    "WindowsSecurityContextOptions", "Sysctl", "SleepAction", "ContainerRestartRule",
    "PodFailurePolicy", "SuccessPolicy", "JobCondition", "UncountedTerminatedPods",
    "DeploymentCondition", "PodCondition", "Condition",
    "SessionAffinityConfig", "NamespaceCondition", "LoadBalancerIngress",
    "PodCertificateProjection", "FileKeySelector", "ImageVolumeSource",
    "PersistentVolumeClaimVolumeSource", "EphemeralVolumeSource", "ProjectedVolumeSource",
    "DownwardAPIVolumeSource", "CSIVolumeSource", "NFSVolumeSource", "ISCSIVolumeSource",
    "GlusterfsVolumeSource", "RBDVolumeSource", "FlexVolumeSource", "CinderVolumeSource",
    "CephFSVolumeSource", "FlockerVolumeSource", "FCVolumeSource", "AzureFileVolumeSource",
    "VsphereVirtualDiskVolumeSource", "QuobyteVolumeSource", "AzureDiskVolumeSource",
    "PhotonPersistentDiskVolumeSource", "PortworxVolumeSource", "ScaleIOVolumeSource",
    "StorageOSVolumeSource", "GCEPersistentDiskVolumeSource",
    "AWSElasticBlockStoreVolumeSource", "GitRepoVolumeSource", "ContainerUser",
    "VolumeMountStatus", "ObjectReference", "TypedLocalObjectReference", "EvictionResponder",
    "JobSchedulingConfiguration", "PodSchedulingGroup",
}


def show(repo, path):
    return subprocess.run(["git", "-C", repo, "show", "HEAD:" + path], check=True,
                          capture_output=True, text=True).stdout


def commit(repo):
    return subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


messages = {}  # name -> (source, [(label, type, name, number)])
keeps_zero = set()  # (struct, json name): a pointer in Go, or no omitempty
for repo, folder in FILES:
    proto = show(repo, folder + "/generated.proto")
    for m in re.finditer(r"^message (\w+) \{(.*?)^\}", proto, re.S | re.M):
        fields = []
        for f in re.finditer(r"^\s+(optional|repeated)?\s*([\w.<>, ]+?) (\w+) = (\d+);",
                             m.group(2), re.M):
            label, type_, name, number = f.groups()
            type_ = re.sub(r"[\w.]*\.(\w+)", r"\1", type_)  # one package: no qualifiers
            fields.append((label or "", type_,
                           name, int(number)))
        if m.group(1) in messages and m.group(1) in ROOTS:
            sys.exit("two messages named " + m.group(1))
        messages.setdefault(m.group(1), (("kubernetes/api " if repo == API else "kubernetes/apimachinery ") + folder, fields))
    try:
        types = show(repo, folder + "/types.go")
    except subprocess.CalledProcessError:
        types = ""
    for s in re.finditer(r"^type (\w+) struct \{(.*?)^\}", types, re.S | re.M):
        for f in re.finditer(r"^\s+\w+\s+(\*?)[\w.\[\]*]+\s+`json:\"(\w+)(,omitempty)?",
                             s.group(2), re.M):
            if f.group(1) or not f.group(3):
                keeps_zero.add((s.group(1), f.group(2)))

SCALARS = {"string", "bytes", "bool", "int32", "int64", "double", "float"}
keep, todo = [], list(ROOTS)
while todo:
    name = todo.pop(0)
    if name in keep or name in LEFT_OUT:
        continue
    if name not in messages:
        print("left out (defined in a file not read): " + name, file=sys.stderr)
        LEFT_OUT.add(name)
        continue
    keep.append(name)
    for _, type_, _, _ in messages[name][1]:
        inner = re.sub(r"map<\s*\w+,\s*", "", type_).rstrip(">").strip()
        if inner not in SCALARS:
            todo.append(inner)

print("// Kubernetes' protobuf wire form of the kinds kubectl creates in protobuf (namespaces,")
print("// configmaps, secrets, services, serviceaccounts, deployments, jobs, priorityclasses,")
print("// poddisruptionbudgets), with the messages they contain: the field numbers and types of")
print("// Kubernetes' generated.proto files, kubernetes/api@" + commit(API)[:12] + " and")
print("// kubernetes/apimachinery@" + commit(MACHINERY)[:12] + ", one package, no comments.")
print("// Written by extract_kube_proto.py (see there for what is left out and why); edit both.")
print('syntax = "proto2";\n\npackage craton.kube;\n\nimport "google/protobuf/descriptor.proto";\n')
print("// A field whose zero value Go's JSON writes (a pointer: replicas: 0; or a field without")
print("// omitempty: PriorityClass's value: 0). Other fields' zero values are left out, as Go does.")
print("extend google.protobuf.FieldOptions {\n  optional bool keeps_zero = 50001;\n}")
for name in sorted(keep):
    source, fields = messages[name]
    print("\n// " + source + "\nmessage " + name + " {")
    for label, type_, field, number in fields:
        inner = re.sub(r"map<\s*\w+,\s*", "", type_).rstrip(">").strip()
        if inner in LEFT_OUT:
            continue
        option = " [(keeps_zero) = true]" if (name, field) in keeps_zero else ""
        label = label + " " if label and not type_.startswith("map<") else ""
        print("  %s%s %s = %d%s;" % (label, type_, field, number, option))
    print("}")
