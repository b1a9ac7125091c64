// ApiComponent: what a component that reaches the cluster only through the API actor looks
// like to its actor shell (api_component_actor.hpp): a pure state machine fed the API's
// answers and watch events and ticked on a timer, answering with the calls to send, and told
// whether it may act (whether its instance holds the component's leader Lease). The controller
// manager and the scheduler are ApiComponents; each keeps its calls in an ApiConnection.
//
// Group processing: on_reply and on_event take in what arrived and answer with what must go
// out at once (calls their callbacks made); acting on it (the controllers' syncs, the
// scheduling cycles) waits for act(), which the shell calls once behind each burst of
// arrivals: it sends itself a message that queues behind its mailbox, as the store's group
// commit does. A burst of a hundred watch events then costs one round of syncs, not a hundred:
// acting on every event made a ReplicaSet sync again on each event of its 30 pods (in a
// 1,000-node simulation that cost more than scheduling).
#pragma once

#include <cstdint>
#include <vector>

#include "actors/api/informer/api_connection.hpp"

namespace craton::api {

class ApiComponent {
 public:
  using Sends = std::vector<ApiConnection::Send>;
  virtual ~ApiComponent() = default;

  virtual Sends tick(std::int64_t now_ms) = 0;
  virtual Sends on_reply(std::uint64_t correlation, const ApiReply& reply, std::int64_t now_ms) = 0;
  virtual Sends on_event(std::uint64_t correlation, const ApiEvent& event, std::int64_t now_ms) = 0;
  /// Whether something taken in since the last act() waits to be acted on (or act() stopped at
  /// its bound with more to do).
  virtual bool wants_act() const = 0;
  /// Acts on everything taken in so far.
  virtual Sends act(std::int64_t now_ms) = 0;
  /// A call of the shell's own (leader election); sent with the next batch.
  virtual void call(ApiCall call, ApiConnection::Done done, std::int64_t now_ms) = 0;
  virtual void set_acting(bool acting) = 0;
  virtual bool acting() const = 0;
  virtual std::size_t calls_in_flight() const = 0;
  /// The shell moved to another API actor: ApiConnection::api_changed.
  virtual void api_changed(std::int64_t now_ms) = 0;
};

}  // namespace craton::api
