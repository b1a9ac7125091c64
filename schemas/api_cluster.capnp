# core/v1 Node, Service and Endpoints (issue 11). Field names are Kubernetes' JSON names; the
# special shapes are explained in api_meta.capnp. This is a disk format (envelope.capnp's
# evolution rules apply).
@0xcc551941ec139d37;

using Cxx = import "/capnp/c++.capnp";
using Json = import "/capnp/compat/json.capnp";
$Cxx.namespace("craton::schema::k8s");

using Meta = import "api_meta.capnp";
using ObjectMeta = Meta.ObjectMeta;
using StringMap = Meta.StringMap;
using ResourceList = Meta.ResourceList;
using IntOrString = Meta.IntOrString;
using ObjectReference = Meta.ObjectReference;

struct Node {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    podCIDR @0 :Text;
    podCIDRs @1 :List(Text);
    providerID @2 :Text;
    unschedulable @3 :Bool;
    taints @4 :List(Taint);
  }
  struct Status {
    capacity @0 :ResourceList;
    allocatable @1 :ResourceList;
    phase @2 :Text;
    conditions @3 :List(Condition);
    addresses @4 :List(Address);
    nodeInfo @5 :SystemInfo;
    images @6 :List(Image);
    daemonEndpoints @7 :DaemonEndpoints;  # where the node agent listens (kubectl logs)
  }
  struct DaemonEndpoints {
    kubeletEndpoint @0 :DaemonEndpoint;
  }
  struct DaemonEndpoint {
    port @0 :Int32 $Json.name("Port");  # Kubernetes spells this one field with a capital
  }
  struct Condition {
    type @0 :Text;  # Ready | MemoryPressure | DiskPressure | PIDPressure | NetworkUnavailable
    status @1 :Text;  # True | False | Unknown
    lastHeartbeatTime @2 :Text;
    lastTransitionTime @3 :Text;
    reason @4 :Text;
    message @5 :Text;
  }
  struct Address {
    type @0 :Text;  # InternalIP | ExternalIP | Hostname | ...
    address @1 :Text;
  }
  struct SystemInfo {
    machineID @0 :Text;
    systemUUID @1 :Text;
    bootID @2 :Text;
    kernelVersion @3 :Text;
    osImage @4 :Text;
    containerRuntimeVersion @5 :Text;
    kubeletVersion @6 :Text;
    kubeProxyVersion @7 :Text;
    operatingSystem @8 :Text;
    architecture @9 :Text;
  }
  struct Image {
    names @0 :List(Text);
    sizeBytes @1 :Int64;
  }
}

struct Taint {
  key @0 :Text;
  value @1 :Text;
  effect @2 :Text;  # NoSchedule | PreferNoSchedule | NoExecute
  timeAdded @3 :Text;
}

struct Service {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    ports @0 :List(Port);
    selector @1 :StringMap;
    clusterIP @2 :Text;
    clusterIPs @3 :List(Text);
    type @4 :Text;  # ClusterIP | NodePort | LoadBalancer | ExternalName
    externalIPs @5 :List(Text);
    sessionAffinity @6 :Text;  # None | ClientIP
    loadBalancerIP @7 :Text;
    externalName @8 :Text;
    externalTrafficPolicy @9 :Text;
    internalTrafficPolicy @10 :Text;
    ipFamilies @11 :List(Text);
    ipFamilyPolicy @12 :Text;
    publishNotReadyAddresses @13 :Bool;
  }
  struct Port {
    name @0 :Text;
    protocol @1 :Text;
    appProtocol @2 :Text;
    port @3 :Int32;
    targetPort @4 :IntOrString;
    nodePort @5 :Int32;
  }
  struct Status {
    loadBalancer @0 :LoadBalancer;
  }
  struct LoadBalancer {
    ingress @0 :List(Ingress);
  }
  struct Ingress {
    ip @0 :Text;
    hostname @1 :Text;
  }
}

struct Endpoints {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  subsets @3 :List(Subset);
  struct Subset {
    addresses @0 :List(Address);
    notReadyAddresses @1 :List(Address);
    ports @2 :List(Port);
  }
  struct Address {
    ip @0 :Text;
    hostname @1 :Text;
    nodeName @2 :Text;
    targetRef @3 :ObjectReference;
  }
  struct Port {
    name @0 :Text;
    port @1 :Int32;
    protocol @2 :Text;
    appProtocol @3 :Text;
  }
}
