// The pod spec's rules, shared by pods and by the pod templates of Deployment, ReplicaSet,
// DaemonSet and Job (kube-apiserver applies the same defaults and validation to both):
// SetDefaults_PodSpec and friends, ValidatePodSpec.
#pragma once

#include <string>

#include "actors/api/kinds/checks.hpp"
#include "schemas/api_pod.capnp.h"

namespace craton::api {

/// Kubernetes' defaults: restartPolicy Always, terminationGracePeriodSeconds 30, dnsPolicy
/// ClusterFirst, schedulerName default-scheduler, enableServiceLinks true, per container the
/// termination message, imagePullPolicy (Always for :latest or no tag, else IfNotPresent),
/// port protocols, probe timings, requests copied from limits; volume modes 0644; quantities
/// written canonically.
void pod_spec_defaults(schema::k8s::PodSpec::Builder spec);

/// ValidatePodSpec, with fields named under `path` ("spec", "spec.template.spec").
void validate_pod_spec(Causes& causes, const std::string& path, schema::k8s::PodSpec::Reader spec);

/// Guaranteed when every container has equal cpu and memory requests and limits, BestEffort
/// when none has any, else Burstable (status.qosClass).
std::string qos_class(schema::k8s::PodSpec::Reader spec);

}  // namespace craton::api
