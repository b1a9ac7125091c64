// What `craton server` and `craton up` share (cmd/server_command.cpp): the --http endpoint's
// check, the companion that runs the API server, the controller manager and the scheduler beside
// a store replica, and the kubeconfig that points kubectl at it.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "cmd/replica_runner.hpp"
#include "runtime/result.hpp"

namespace craton::cmd {

/// A loopback host:port (plain HTTP without authentication listens nowhere else).
Result<boost::asio::ip::tcp::endpoint> http_endpoint(const std::string& text);

/// The API host (HTTP on `http`) and, on the replica's node, the API actor, the controller
/// manager and (unless !scheduler) the scheduler; then `also` (null: nothing), which may adopt
/// more actors on the node (`craton up`: the node agent).
/// `advertise_address`: where other hosts reach this server, listed in the `kubernetes`
/// Endpoints (empty: the `http` host).
Companion api_companion(boost::asio::ip::tcp::endpoint http, std::int64_t event_ttl_s,
                        bool scheduler, std::function<Status(NodeHost&)> also,
                        std::string advertise_address = "");

/// A kubeconfig for an API server at `server` (no user credentials yet).
std::string kubeconfig_text(const std::string& server);

}  // namespace craton::cmd
