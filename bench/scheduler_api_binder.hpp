// SchedulerApiBinder: the scheduler benchmark's binder that writes (`craton bench scheduler
// --path api`): a real ApiService in process over a MemoryObjectStore (a map, every write fed
// back to the service's watch caches at once, no Raft), holding the benchmark's pods; a bind is
// the pods/binding call SchedulerService sends (binding_call), mapped to HTTP as the API actor
// maps it (http_request_of), handled by the service (read the pod, set spec.nodeName and the
// PodScheduled condition, conditional write) and its answer mapped back (reply_of). So the
// figure covers the bind write through the API's code; not the Raft round trip, the network,
// nor the informer's watch decoding. Process code: the service's clocks are the machine's.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "actors/scheduler/framework/pod_info.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

class SchedulerApiBinder {
 public:
  /// A service with the cluster defaults (namespace default, ...) in place.
  static Result<std::unique_ptr<SchedulerApiBinder>> create();
  ~SchedulerApiBinder();
  SchedulerApiBinder(const SchedulerApiBinder&) = delete;
  SchedulerApiBinder& operator=(const SchedulerApiBinder&) = delete;

  /// Creates the pending pod in the API, with the PodInfo's uid (its namespace first if new).
  Result<Ok> create_pod(const scheduler::PodInfo& pod);
  /// Binds the pod to `node` through the API; an Error with the API's answer otherwise.
  Result<Ok> bind(const scheduler::PodInfo& pod, std::string_view node);
  /// Pods the API holds bound (spec.nodeName set), listed through the service: the check that
  /// the binds were written.
  Result<std::size_t> bound_pods();

 private:
  struct World;
  explicit SchedulerApiBinder(std::unique_ptr<World> world);
  Result<Ok> post(const std::string& path, const std::string& json_body);
  std::unique_ptr<World> world_;
  std::set<std::string, std::less<>> namespaces_;
};

}  // namespace craton::bench
