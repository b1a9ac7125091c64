// The namespace controller (Kubernetes' pkg/controller/namespace), as far as Craton needs one:
// the API server itself marks a deleted namespace Terminating, deletes what is in it (each
// object by the normal graceful DELETE) and removes it when nothing is left
// (actors/api/server/api_writes.cpp). What it cannot do alone is come back: running pods
// marked for deletion (they stay until their node agent has stopped them), contents held by
// finalizers (a Job's pods until the Job controller counted them, a foreground deletion) keep
// the namespace Terminating after that first pass, and pods a controller was still creating
// may land in it. So, for every Terminating namespace, this
// controller asks the API to delete it again (which deletes what is left and removes it once
// empty) every retry_ms until it is gone.
#pragma once

#include <cstdint>

#include "actors/controllers/controller.hpp"

namespace craton::controllers {

struct NamespaceConfig {
  std::int64_t retry_ms = 2000;
};

ControllerFactory namespace_controller(NamespaceConfig config = {});

}  // namespace craton::controllers
