// One factory per served kind, each in the file of its family; kinds.cpp puts them in
// resources.hpp's order. A factory fills everything but `info`.
#pragma once

#include "actors/api/kinds/kinds.hpp"

namespace craton::api {

// config_kinds.cpp
Kind namespace_kind();
Kind configmap_kind();
Kind secret_kind();
Kind serviceaccount_kind();
Kind event_kind();
Kind lease_kind();
Kind priorityclass_kind();

// pod_kind.cpp, cluster_kinds.cpp
Kind pod_kind();
Kind node_kind();
Kind service_kind();
Kind endpoints_kind();

// workload_kinds.cpp
Kind deployment_kind();
Kind replicaset_kind();
Kind daemonset_kind();
Kind job_kind();
Kind poddisruptionbudget_kind();

}  // namespace craton::api
