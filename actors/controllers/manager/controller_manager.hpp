// ControllerManager: the controller manager's logic (issue 12) as a pure state machine that
// its actor shell (controller_manager_actor.hpp) drives. It owns
//   - its connection to the API actor (api::ApiConnection): one informer per resource, shared
//     by every controller that reads that resource, and the calls in flight;
//   - the controllers (controller.hpp), each with its own rate-limited work queue; their
//     calls' answers are reported back to the controller with their key, other calls' answers
//     go to a callback (leader election, events).
// The shell sends what take_sends() returns to the API actor, hands every apiResponse and
// apiWatchEvent to on_reply()/on_event(), and calls tick() on its timer.
//
// Controllers act only while the manager is `acting` (it holds the leader lease) and every
// informer has synced (a new leader starts from a complete list, as Kubernetes' do: on
// becoming leader every informer lists again and the controllers wait for those lists; a
// manager paused while its lease ran out and then elected again otherwise acted on caches
// still replaying the previous leader's writes, and created a second ReplicaSet for a
// Deployment: simulator seed 1023, 5 nodes, 90 s). Keys
// queued meanwhile wait. When acting stops, the calls in flight are forgotten (their answers
// are ignored), their keys go back to the queues and the controllers forget their
// expectations.
//
// Bounds: syncs_max keys of one controller in flight at once (Kubernetes'
// --concurrent-*-syncs), calls_max controller calls in flight in all, call_timeout_ms before
// an unanswered call counts as failed (code 0).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/api/informer/api_component.hpp"
#include "actors/api/informer/api_connection.hpp"
#include "actors/controllers/controller.hpp"
#include "actors/controllers/work_queue.hpp"

namespace craton::controllers {

struct ControllerManagerConfig {
  std::uint64_t first_correlation = 1;  ///< this incarnation's first id (runtime/correlation.hpp)
  std::size_t syncs_max = 16;           ///< per controller
  std::size_t calls_max = 2000;         ///< controller calls in flight, all controllers
  std::int64_t call_timeout_ms = 30000;
  WorkQueueConfig queue;
  api::EventRecorderConfig events;
  /// Seconds since the epoch at the clock's zero: Events carry wall-clock timestamps.
  std::int64_t wall_clock_base_s = 0;
};

struct ControllerManagerCounters {
  std::uint64_t syncs = 0;
  std::uint64_t calls = 0;
  std::uint64_t failed_calls = 0;  ///< refused or unanswered
  std::uint64_t timeouts = 0;
  std::uint64_t events = 0;  ///< Event writes sent
};

class ControllerManager final : public api::ApiComponent {
 public:
  explicit ControllerManager(ControllerManagerConfig config);
  ~ControllerManager() override;

  /// Makes a controller (its factory registers its informer handlers). Precondition: before
  /// the first tick.
  void add(const ControllerFactory& factory);

  using Send = api::ApiConnection::Send;
  std::vector<Send> tick(std::int64_t now_ms) override;
  std::vector<Send> on_reply(std::uint64_t correlation, const api::ApiReply& reply,
                             std::int64_t now_ms) override;
  std::vector<Send> on_event(std::uint64_t correlation, const api::ApiEvent& event,
                             std::int64_t now_ms) override;
  bool wants_act() const override { return act_wanted_; }
  std::vector<Send> act(std::int64_t now_ms) override;

  /// A call outside the controllers (leader election, events); `done` gets its answer (code 0:
  /// none in time). Sent with the next batch take_sends() returns.
  void call(api::ApiCall call, api::ApiConnection::Done done, std::int64_t now_ms) override;
  std::vector<Send> take_sends();

  /// Whether the controllers act (the leader lease is held).
  void set_acting(bool acting) override;
  bool acting() const override { return acting_; }
  /// Every informer has listed once.
  bool synced() const;

  ControllerManagerCounters counters() const;
  /// The informer of a resource (made on first use).
  api::Informer& informer(const ResourceType& resource);
  std::size_t calls_in_flight() const override { return api_.calls_in_flight(); }
  void api_changed(std::int64_t now_ms) override { api_.api_changed(now_ms); }

 private:
  struct Entry;
  /// The tag of the controllers' calls in the connection (forgotten when acting stops).
  static constexpr int kControllerCalls = 1;
  void pump(std::int64_t now_ms);
  void record(const api::EventReport& report);
  void run_sync(Entry& entry, const std::string& key, std::int64_t now_ms);
  void settle(Entry& entry, const std::string& key, const api::ApiCall& call,
              const api::ApiReply& reply);

  ControllerManagerConfig config_;
  api::ApiConnection api_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::int64_t now_ms_ = 0;
  bool acting_ = false;
  bool act_wanted_ = false;  ///< answers or events taken in since the last pump
  ControllerManagerCounters counters_;
  api::EventRecorder events_;
};

}  // namespace craton::controllers
