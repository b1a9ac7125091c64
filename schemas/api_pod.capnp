# core/v1 Pod and everything a pod spec holds (issue 11): containers, volumes, probes,
# resources, scheduling constraints. Pod templates (Deployment, ReplicaSet, DaemonSet, Job)
# embed the same PodSpec. Field names are Kubernetes' JSON names; the special shapes
# (StringMap, ResourceList, IntOrString, the boxes) are explained in api_meta.capnp.
# The evolution rules at the top of envelope.capnp apply: this is a disk format.
@0x9409a5a844095738;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("craton::schema::k8s");

using Meta = import "api_meta.capnp";
using ObjectMeta = Meta.ObjectMeta;
using StringMap = Meta.StringMap;
using ResourceList = Meta.ResourceList;
using IntOrString = Meta.IntOrString;
using Int32Box = Meta.Int32Box;
using Int64Box = Meta.Int64Box;
using BoolBox = Meta.BoolBox;
using LocalObjectReference = Meta.LocalObjectReference;
using ObjectReference = Meta.ObjectReference;

# meta/v1 LabelSelector: matchLabels AND every matchExpressions requirement.
struct LabelSelector {
  matchLabels @0 :StringMap;
  matchExpressions @1 :List(Requirement);
  struct Requirement {
    key @0 :Text;
    operator @1 :Text;  # In | NotIn | Exists | DoesNotExist
    values @2 :List(Text);
  }
}

struct Pod {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :PodSpec;
  status @4 :PodStatus;
}

struct PodTemplateSpec {
  metadata @0 :ObjectMeta;
  spec @1 :PodSpec;
}

struct PodSpec {
  volumes @0 :List(Volume);
  initContainers @1 :List(Container);
  containers @2 :List(Container);
  restartPolicy @3 :Text;  # Always | OnFailure | Never
  terminationGracePeriodSeconds @4 :Int64Box;
  activeDeadlineSeconds @5 :Int64Box;
  dnsPolicy @6 :Text;
  nodeSelector @7 :StringMap;
  serviceAccountName @8 :Text;
  serviceAccount @9 :Text;  # deprecated alias of serviceAccountName
  automountServiceAccountToken @10 :BoolBox;
  nodeName @11 :Text;
  hostNetwork @12 :Bool;
  hostPID @13 :Bool;
  hostIPC @14 :Bool;
  securityContext @15 :PodSecurityContext;
  imagePullSecrets @16 :List(LocalObjectReference);
  hostname @17 :Text;
  subdomain @18 :Text;
  affinity @19 :Affinity;
  schedulerName @20 :Text;
  tolerations @21 :List(Toleration);
  priorityClassName @22 :Text;
  priority @23 :Int32Box;
  preemptionPolicy @24 :Text;
  topologySpreadConstraints @25 :List(TopologySpreadConstraint);
  enableServiceLinks @26 :BoolBox;
  overhead @27 :ResourceList;
  readinessGates @28 :List(ReadinessGate);
  runtimeClassName @29 :Text;
  struct ReadinessGate {
    conditionType @0 :Text;
  }
}

struct PodSecurityContext {
  runAsUser @0 :Int64Box;
  runAsGroup @1 :Int64Box;
  runAsNonRoot @2 :BoolBox;
  fsGroup @3 :Int64Box;
  supplementalGroups @4 :List(Int64);
}

struct Container {
  name @0 :Text;
  image @1 :Text;
  command @2 :List(Text);
  args @3 :List(Text);
  workingDir @4 :Text;
  ports @5 :List(ContainerPort);
  envFrom @6 :List(EnvFromSource);
  env @7 :List(EnvVar);
  resources @8 :ResourceRequirements;
  volumeMounts @9 :List(VolumeMount);
  livenessProbe @10 :Probe;
  readinessProbe @11 :Probe;
  startupProbe @12 :Probe;
  lifecycle @13 :Lifecycle;
  terminationMessagePath @14 :Text;
  terminationMessagePolicy @15 :Text;
  imagePullPolicy @16 :Text;  # Always | IfNotPresent | Never
  securityContext @17 :SecurityContext;
  stdin @18 :Bool;
  stdinOnce @19 :Bool;
  tty @20 :Bool;
}

struct ContainerPort {
  name @0 :Text;
  hostPort @1 :Int32;
  containerPort @2 :Int32;
  protocol @3 :Text;  # TCP | UDP | SCTP
  hostIP @4 :Text;
}

struct EnvVar {
  name @0 :Text;
  value @1 :Text;
  valueFrom @2 :Source;
  struct Source {
    fieldRef @0 :FieldRef;
    resourceFieldRef @1 :ResourceFieldRef;
    configMapKeyRef @2 :KeyRef;
    secretKeyRef @3 :KeyRef;
  }
  struct FieldRef {
    apiVersion @0 :Text;
    fieldPath @1 :Text;
  }
  struct ResourceFieldRef {
    containerName @0 :Text;
    resource @1 :Text;
    divisor @2 :Text;  # a quantity
  }
  struct KeyRef {
    name @0 :Text;
    key @1 :Text;
    optional @2 :BoolBox;
  }
}

struct EnvFromSource {
  prefix @0 :Text;
  configMapRef @1 :Ref;
  secretRef @2 :Ref;
  struct Ref {
    name @0 :Text;
    optional @1 :BoolBox;
  }
}

struct ResourceRequirements {
  limits @0 :ResourceList;
  requests @1 :ResourceList;
}

struct VolumeMount {
  name @0 :Text;
  readOnly @1 :Bool;
  mountPath @2 :Text;
  subPath @3 :Text;
  mountPropagation @4 :Text;
}

# A handler: exactly one of exec, httpGet, tcpSocket, grpc.
struct Probe {
  exec @0 :ExecAction;
  httpGet @1 :HttpGetAction;
  tcpSocket @2 :TcpSocketAction;
  grpc @3 :GrpcAction;
  initialDelaySeconds @4 :Int32;
  timeoutSeconds @5 :Int32;  # default 1
  periodSeconds @6 :Int32;  # default 10
  successThreshold @7 :Int32;  # default 1
  failureThreshold @8 :Int32;  # default 3
  terminationGracePeriodSeconds @9 :Int64Box;
}

struct ExecAction {
  command @0 :List(Text);
}

struct HttpGetAction {
  path @0 :Text;
  port @1 :IntOrString;
  host @2 :Text;
  scheme @3 :Text;  # HTTP | HTTPS
  httpHeaders @4 :List(Header);
  struct Header {
    name @0 :Text;
    value @1 :Text;
  }
}

struct TcpSocketAction {
  port @0 :IntOrString;
  host @1 :Text;
}

struct GrpcAction {
  port @0 :Int32;
  service @1 :Text;
}

struct Lifecycle {
  postStart @0 :Handler;
  preStop @1 :Handler;
  struct Handler {
    exec @0 :ExecAction;
    httpGet @1 :HttpGetAction;
    tcpSocket @2 :TcpSocketAction;
  }
}

struct SecurityContext {
  privileged @0 :BoolBox;
  runAsUser @1 :Int64Box;
  runAsGroup @2 :Int64Box;
  runAsNonRoot @3 :BoolBox;
  readOnlyRootFilesystem @4 :BoolBox;
  allowPrivilegeEscalation @5 :BoolBox;
  capabilities @6 :Capabilities;
  struct Capabilities {
    add @0 :List(Text);
    drop @1 :List(Text);
  }
}

# A volume has a name and exactly one source; Craton stores emptyDir, configMap, secret and
# hostPath (the issue's set).
struct Volume {
  name @0 :Text;
  hostPath @1 :HostPath;
  emptyDir @2 :EmptyDir;
  configMap @3 :ConfigMapSource;
  secret @4 :SecretSource;
  struct HostPath {
    path @0 :Text;
    type @1 :Text;
  }
  struct EmptyDir {
    medium @0 :Text;  # "" | Memory
    sizeLimit @1 :Text;  # a quantity
  }
  struct KeyToPath {
    key @0 :Text;
    path @1 :Text;
    mode @2 :Int32Box;
  }
  struct ConfigMapSource {
    name @0 :Text;
    items @1 :List(KeyToPath);
    defaultMode @2 :Int32Box;
    optional @3 :BoolBox;
  }
  struct SecretSource {
    secretName @0 :Text;
    items @1 :List(KeyToPath);
    defaultMode @2 :Int32Box;
    optional @3 :BoolBox;
  }
}

struct Affinity {
  nodeAffinity @0 :NodeAffinity;
  podAffinity @1 :PodAffinity;
  podAntiAffinity @2 :PodAffinity;
}

struct NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution @0 :NodeSelector;
  preferredDuringSchedulingIgnoredDuringExecution @1 :List(PreferredTerm);
  struct PreferredTerm {
    weight @0 :Int32;  # 1..100
    preference @1 :NodeSelectorTerm;
  }
}

# Terms are ORed; within a term, requirements are ANDed.
struct NodeSelector {
  nodeSelectorTerms @0 :List(NodeSelectorTerm);
}

struct NodeSelectorTerm {
  matchExpressions @0 :List(Requirement);
  matchFields @1 :List(Requirement);
  struct Requirement {
    key @0 :Text;
    operator @1 :Text;  # In | NotIn | Exists | DoesNotExist | Gt | Lt
    values @2 :List(Text);
  }
}

# podAffinity and podAntiAffinity have the same shape.
struct PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution @0 :List(PodAffinityTerm);
  preferredDuringSchedulingIgnoredDuringExecution @1 :List(WeightedTerm);
  struct WeightedTerm {
    weight @0 :Int32;  # 1..100
    podAffinityTerm @1 :PodAffinityTerm;
  }
}

struct PodAffinityTerm {
  labelSelector @0 :LabelSelector;
  namespaces @1 :List(Text);
  topologyKey @2 :Text;
  namespaceSelector @3 :LabelSelector;
  matchLabelKeys @4 :List(Text);
  mismatchLabelKeys @5 :List(Text);
}

struct Toleration {
  key @0 :Text;
  operator @1 :Text;  # Equal (default) | Exists
  value @2 :Text;
  effect @3 :Text;  # "" (all) | NoSchedule | PreferNoSchedule | NoExecute
  tolerationSeconds @4 :Int64Box;
}

struct TopologySpreadConstraint {
  maxSkew @0 :Int32;
  topologyKey @1 :Text;
  whenUnsatisfiable @2 :Text;  # DoNotSchedule | ScheduleAnyway
  labelSelector @3 :LabelSelector;
  minDomains @4 :Int32Box;
  nodeAffinityPolicy @5 :Text;
  nodeTaintsPolicy @6 :Text;
  matchLabelKeys @7 :List(Text);
}

struct PodStatus {
  phase @0 :Text;  # Pending | Running | Succeeded | Failed | Unknown
  conditions @1 :List(PodCondition);
  message @2 :Text;
  reason @3 :Text;
  nominatedNodeName @4 :Text;
  hostIP @5 :Text;
  hostIPs @6 :List(IP);
  podIP @7 :Text;
  podIPs @8 :List(IP);
  startTime @9 :Text;
  initContainerStatuses @10 :List(ContainerStatus);
  containerStatuses @11 :List(ContainerStatus);
  qosClass @12 :Text;  # Guaranteed | Burstable | BestEffort
  struct IP {
    ip @0 :Text;
  }
}

struct PodCondition {
  type @0 :Text;  # PodScheduled | Initialized | ContainersReady | Ready | ...
  status @1 :Text;  # True | False | Unknown
  lastProbeTime @2 :Text;
  lastTransitionTime @3 :Text;
  reason @4 :Text;
  message @5 :Text;
}

struct ContainerStatus {
  name @0 :Text;
  state @1 :ContainerState;
  lastState @2 :ContainerState;
  ready @3 :Bool;
  restartCount @4 :Int32;
  image @5 :Text;
  imageID @6 :Text;
  containerID @7 :Text;
  started @8 :BoolBox;
}

# At most one of waiting, running, terminated.
struct ContainerState {
  waiting @0 :Waiting;
  running @1 :Running;
  terminated @2 :Terminated;
  struct Waiting {
    reason @0 :Text;
    message @1 :Text;
  }
  struct Running {
    startedAt @0 :Text;
  }
  struct Terminated {
    exitCode @0 :Int32;
    signal @1 :Int32;
    reason @2 :Text;
    message @3 :Text;
    startedAt @4 :Text;
    finishedAt @5 :Text;
    containerID @6 :Text;
  }
}

# pods/binding: assigns a pod to a node (what the scheduler posts).
struct Binding {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  target @3 :ObjectReference;
}

# meta/v1 DeleteOptions, as an Eviction carries them.
struct DeleteOptions {
  apiVersion @0 :Text;
  kind @1 :Text;
  gracePeriodSeconds @2 :Int64Box;
  preconditions @3 :Preconditions;
  propagationPolicy @4 :Text;
  dryRun @5 :List(Text);
  struct Preconditions {
    uid @0 :Text;
    resourceVersion @1 :Text;
  }
}

# policy/v1 Eviction: pods/eviction deletes the pod if its disruption budgets allow it.
struct Eviction {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  deleteOptions @3 :DeleteOptions;
}
