// A controller manager in an ApiWorld (tests/api/api_world.hpp): wired to a real API service in
// one thread, without actors. What the controllers' rule tests share.
#pragma once

#include "actors/controllers/manager/controller_manager.hpp"
#include "tests/api/api_world.hpp"

namespace craton::controllers::testing {

using api::testing::json;

struct World : api::testing::ApiWorld {
  ControllerManager manager{ControllerManagerConfig{}};
  World() { component = &manager; }
};

}  // namespace craton::controllers::testing
