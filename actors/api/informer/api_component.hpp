// ApiComponent: what a component that reaches the cluster only through the API actor looks
// like to its actor shell (api_component_actor.hpp): a pure state machine fed the API's
// answers and watch events and ticked on a timer, answering with the calls to send, and told
// whether it may act (whether its instance holds the component's leader Lease). The controller
// manager and the scheduler are ApiComponents; each keeps its calls in an ApiConnection.
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
  /// A call of the shell's own (leader election); sent with the next batch.
  virtual void call(ApiCall call, ApiConnection::Done done, std::int64_t now_ms) = 0;
  virtual void set_acting(bool acting) = 0;
  virtual bool acting() const = 0;
  virtual std::size_t calls_in_flight() const = 0;
  /// The shell moved to another API actor: ApiConnection::api_changed.
  virtual void api_changed(std::int64_t now_ms) = 0;
};

}  // namespace craton::api
