#include "runtime/wire.hpp"

namespace craton {

void add_craton_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<WireEnvelope>("craton.envelope");
}

}  // namespace craton
