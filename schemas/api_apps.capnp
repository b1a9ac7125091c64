# apps/v1 Deployment, ReplicaSet, DaemonSet; batch/v1 Job; policy/v1 PodDisruptionBudget;
# autoscaling/v1 Scale (the scale subresource). Field names are Kubernetes' JSON names; the
# special shapes are explained in api_meta.capnp. This is a disk format (envelope.capnp's
# evolution rules apply).
@0x864468907d0aaf9b;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("craton::schema::k8s");

using Meta = import "api_meta.capnp";
using ObjectMeta = Meta.ObjectMeta;
using StringMap = Meta.StringMap;
using IntOrString = Meta.IntOrString;
using Int32Box = Meta.Int32Box;
using Int64Box = Meta.Int64Box;
using BoolBox = Meta.BoolBox;
using Pod = import "api_pod.capnp";
using LabelSelector = Pod.LabelSelector;
using PodTemplateSpec = Pod.PodTemplateSpec;

# The conditions of workloads (Deployment, ReplicaSet, DaemonSet, Job).
struct WorkloadCondition {
  type @0 :Text;
  status @1 :Text;  # True | False | Unknown
  lastUpdateTime @2 :Text;
  lastTransitionTime @3 :Text;
  reason @4 :Text;
  message @5 :Text;
  lastProbeTime @6 :Text;
}

# meta/v1 Condition (PodDisruptionBudget).
struct Condition {
  type @0 :Text;
  status @1 :Text;
  observedGeneration @2 :Int64;
  lastTransitionTime @3 :Text;
  reason @4 :Text;
  message @5 :Text;
}

struct RollingUpdate {
  maxUnavailable @0 :IntOrString;
  maxSurge @1 :IntOrString;
}

struct Deployment {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    replicas @0 :Int32Box;
    selector @1 :LabelSelector;
    template @2 :PodTemplateSpec;
    strategy @3 :Strategy;
    minReadySeconds @4 :Int32;
    revisionHistoryLimit @5 :Int32Box;
    paused @6 :Bool;
    progressDeadlineSeconds @7 :Int32Box;
  }
  struct Strategy {
    type @0 :Text;  # RollingUpdate | Recreate
    rollingUpdate @1 :RollingUpdate;
  }
  struct Status {
    observedGeneration @0 :Int64;
    replicas @1 :Int32;
    updatedReplicas @2 :Int32;
    readyReplicas @3 :Int32;
    availableReplicas @4 :Int32;
    unavailableReplicas @5 :Int32;
    conditions @6 :List(WorkloadCondition);
    collisionCount @7 :Int32Box;
  }
}

struct ReplicaSet {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    replicas @0 :Int32Box;
    minReadySeconds @1 :Int32;
    selector @2 :LabelSelector;
    template @3 :PodTemplateSpec;
  }
  struct Status {
    replicas @0 :Int32;
    fullyLabeledReplicas @1 :Int32;
    readyReplicas @2 :Int32;
    availableReplicas @3 :Int32;
    observedGeneration @4 :Int64;
    conditions @5 :List(WorkloadCondition);
  }
}

struct DaemonSet {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    selector @0 :LabelSelector;
    template @1 :PodTemplateSpec;
    updateStrategy @2 :UpdateStrategy;
    minReadySeconds @3 :Int32;
    revisionHistoryLimit @4 :Int32Box;
  }
  struct UpdateStrategy {
    type @0 :Text;  # RollingUpdate | OnDelete
    rollingUpdate @1 :RollingUpdate;
  }
  struct Status {
    currentNumberScheduled @0 :Int32;
    numberMisscheduled @1 :Int32;
    desiredNumberScheduled @2 :Int32;
    numberReady @3 :Int32;
    observedGeneration @4 :Int64;
    updatedNumberScheduled @5 :Int32;
    numberAvailable @6 :Int32;
    numberUnavailable @7 :Int32;
    collisionCount @8 :Int32Box;
    conditions @9 :List(WorkloadCondition);
  }
}

struct Job {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    parallelism @0 :Int32Box;
    completions @1 :Int32Box;
    activeDeadlineSeconds @2 :Int64Box;
    backoffLimit @3 :Int32Box;
    selector @4 :LabelSelector;
    manualSelector @5 :BoolBox;
    template @6 :PodTemplateSpec;
    ttlSecondsAfterFinished @7 :Int32Box;
    completionMode @8 :Text;  # NonIndexed | Indexed
    suspend @9 :BoolBox;
  }
  struct Status {
    conditions @0 :List(WorkloadCondition);
    startTime @1 :Text;
    completionTime @2 :Text;
    active @3 :Int32;
    succeeded @4 :Int32;
    failed @5 :Int32;
    ready @6 :Int32Box;
    completedIndexes @7 :Text;
  }
}

struct PodDisruptionBudget {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    minAvailable @0 :IntOrString;
    selector @1 :LabelSelector;
    maxUnavailable @2 :IntOrString;
    unhealthyPodEvictionPolicy @3 :Text;  # IfHealthyBudget | AlwaysAllow
  }
  struct Status {
    observedGeneration @0 :Int64;
    disruptedPods @1 :StringMap;  # pod name -> time of its eviction
    disruptionsAllowed @2 :Int32;
    currentHealthy @3 :Int32;
    desiredHealthy @4 :Int32;
    expectedPods @5 :Int32;
    conditions @6 :List(Condition);
  }
}

# autoscaling/v1 Scale: what /scale reads and writes of a Deployment or ReplicaSet.
struct Scale {
  apiVersion @0 :Text;
  kind @1 :Text;
  metadata @2 :ObjectMeta;
  spec @3 :Spec;
  status @4 :Status;
  struct Spec {
    replicas @0 :Int32;
  }
  struct Status {
    replicas @0 :Int32;
    selector @1 :Text;
  }
}
