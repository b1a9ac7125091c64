# Kubernetes objects as Cap'n Proto (issue 11): how they cross actor boundaries and how they
# are stored under /registry/... . Field names are Kubernetes' JSON names (both are camelCase),
# so the one converter (actors/api/convert/) maps JSON to these structs by name; where a JSON
# shape has no Cap'n Proto twin the type below says how it is carried:
# - map[string]string (labels, annotations, ConfigMap data): StringMap, a JSON object;
# - Kubernetes Time: Text in RFC 3339 ("2026-12-05T07:00:00Z");
# - int64 fields are JSON numbers (the converter's handler), as Kubernetes writes them.
# The evolution rules at the top of envelope.capnp apply: this is a disk format.
@0xe71eaee9b33bfc70;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("craton::schema::k8s");

struct StringMap {
  entries @0 :List(Entry);  # sorted by key, keys unique
  struct Entry {
    key @0 :Text;
    value @1 :Text;
  }
}

# Kubernetes' optional scalars (*int32, *int64, *bool) where absent and zero differ
# (`replicas: 0` is not "unset", and defaulting must see which it is): boxed, so no pointer is
# absent. In JSON a box is its plain value.
struct Int32Box {
  value @0 :Int32;
}

struct Int64Box {
  value @0 :Int64;
}

struct BoolBox {
  value @0 :Bool;
}

# intstr.IntOrString (ports, maxSurge, minAvailable): JSON 8080 or "http" / "25%".
struct IntOrString {
  union {
    intVal @0 :Int32;
    strVal @1 :Text;
  }
}

# map[ResourceName]Quantity (requests, limits, capacity, allocatable): a JSON object whose
# values are quantity strings ("500m", "1Gi"); a JSON number is accepted on input, as
# Kubernetes does. Stored canonical ("1000m" -> "1"). Sorted by key, keys unique.
struct ResourceList {
  entries @0 :List(StringMap.Entry);
}

struct OwnerReference {
  apiVersion @0 :Text;
  kind @1 :Text;
  name @2 :Text;
  uid @3 :Text;
  controller @4 :Bool;
  blockOwnerDeletion @5 :Bool;
}

struct ObjectMeta {
  name @0 :Text;
  generateName @1 :Text;
  namespace @2 :Text;
  uid @3 :Text;
  resourceVersion @4 :Text;
  generation @5 :Int64;
  creationTimestamp @6 :Text;
  deletionTimestamp @7 :Text;
  deletionGracePeriodSeconds @8 :Int64;
  labels @9 :StringMap;
  annotations @10 :StringMap;
  ownerReferences @11 :List(OwnerReference);
  finalizers @12 :List(Text);
}

struct ListMeta {
  resourceVersion @0 :Text;
  continue @1 :Text;
  remainingItemCount @2 :Int64;
}

# core/v1 ConfigMap.
struct ConfigMap {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  data @3 :StringMap;
  binaryData @4 :StringMap;  # values base64 as in JSON
  immutable @5 :Bool;
}

# core/v1 Namespace.
struct Namespace {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    finalizers @0 :List(Text);
  }
  struct Status {
    phase @0 :Text;  # Active | Terminating
  }
}

# core/v1 Secret. stringData is write-only: the server moves it into data (base64) on write.
struct Secret {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  data @3 :StringMap;  # values base64 as in JSON
  stringData @4 :StringMap;
  type @5 :Text;
  immutable @6 :Bool;
}

struct ObjectReference {
  kind @0 :Text;
  namespace @1 :Text;
  name @2 :Text;
  uid @3 :Text;
  apiVersion @4 :Text;
  resourceVersion @5 :Text;
  fieldPath @6 :Text;
}

struct LocalObjectReference {
  name @0 :Text;
}

# core/v1 ServiceAccount (stored only: no tokens are minted).
struct ServiceAccount {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  secrets @3 :List(ObjectReference);
  imagePullSecrets @4 :List(LocalObjectReference);
  automountServiceAccountToken @5 :Bool;
}

# coordination.k8s.io/v1 Lease. Times are MicroTime text ("2026-12-05T07:00:00.000000Z").
struct Lease {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  struct Spec {
    holderIdentity @0 :Text;
    leaseDurationSeconds @1 :Int32;
    acquireTime @2 :Text;
    renewTime @3 :Text;
    leaseTransitions @4 :Int32;
  }
}

# scheduling.k8s.io/v1 PriorityClass.
struct PriorityClass {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  value @3 :Int32;
  globalDefault @4 :Bool;
  description @5 :Text;
  preemptionPolicy @6 :Text;  # PreemptLowerPriority (default) | Never
}

# core/v1 Event (what `kubectl describe` lists under an object).
struct Event {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  involvedObject @3 :ObjectReference;
  reason @4 :Text;
  message @5 :Text;
  source @6 :Source;
  firstTimestamp @7 :Text;
  lastTimestamp @8 :Text;
  count @9 :Int32;
  type @10 :Text;  # Normal | Warning
  eventTime @11 :Text;
  action @12 :Text;
  related @13 :ObjectReference;
  reportingComponent @14 :Text;
  reportingInstance @15 :Text;
  struct Source {
    component @0 :Text;
    host @1 :Text;
  }
}
