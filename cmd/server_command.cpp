// `craton server`: a control-plane process: a replica of the consistent store, the Kubernetes
// API server over it, the controller manager and the scheduler, in one process (issues 11, 12
// and 13). And `craton kubeconfig`, which prints a kubeconfig for it.
//
//   craton server --data d1 --insecure-loopback                  # a cluster of one
//   craton server --id 1 --peers 1=h:p,2=h:p,3=h:p --data d1 --certs pki --http 127.0.0.1:6443
//   craton kubeconfig --server http://127.0.0.1:6443 > kubeconfig; kubectl --kubeconfig kubeconfig
//   get ns
//
// The replica takes every flag `craton store` takes. The API runs twice over: as the HTTP
// front door (ApiHost, with a store client of its own) and as the API actor that Craton's
// components reach in envelopes (registered as "api" on this node: the controller manager and
// the scheduler here, and `craton controller-manager --join` or `craton scheduler --join` from
// elsewhere; each elects one acting instance through its Lease). Each keeps its own watch
// cache of the store; with --peers every API follows the leader for writes and serves reads
// from its own caches. --http is plain HTTP without authentication until the security issue
// brings TLS and users: it must be a loopback address.
#include <boost/asio/ip/address.hpp>

#include <iostream>

#include "actors/api/actor/api_actor.hpp"
#include "actors/api/host/api_host.hpp"
#include "actors/api/meta/time.hpp"
#include "actors/controllers/manager/controller_manager_actor.hpp"
#include "actors/scheduler/service/scheduler_actor.hpp"
#include "cmd/commands.hpp"
#include "cmd/replica_runner.hpp"
#include "cmd/server_parts.hpp"
#include "cmd/wall_clock.hpp"
#include "runtime/peer_list.hpp"

namespace craton::cmd {
namespace {

struct ServerFlags {
  StoreFlags store;
  std::string http = "127.0.0.1:6443";
  std::string event_ttl = "1h";   ///< kube-apiserver's --event-ttl
  bool no_scheduler = false;      ///< schedulers run elsewhere (`craton scheduler --join`)
  std::string advertise_address;  ///< kube-apiserver's --advertise-address (default: --http's)
};

}  // namespace

Result<boost::asio::ip::tcp::endpoint> http_endpoint(const std::string& text) {
  auto endpoint = parse_endpoint(text);
  if (!endpoint) return Error{"bad_flag", "--http: " + endpoint.error().message};
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(endpoint->host, ec);
  if (ec) return Error{"bad_flag", "--http: '" + endpoint->host + "' is not an IP address"};
  if (!address.is_loopback())
    return Error{"bad_flag",
                 "--http: plain HTTP without authentication listens on loopback only (TLS and "
                 "users come with the security issue): '" +
                     text + "'"};
  return boost::asio::ip::tcp::endpoint(address, endpoint->port);
}

Companion api_companion(boost::asio::ip::tcp::endpoint http, std::int64_t event_ttl_s,
                        bool scheduler, std::function<Status(NodeHost&)> also,
                        std::string advertise_address) {
  // Where clients reach this server, for the `kubernetes` Endpoints: --advertise-address, else
  // the --http host (loopback: one host's cluster).
  if (advertise_address.empty()) advertise_address = http.address().to_string();
  return [http, event_ttl_s, scheduler, also,
          advertise_address](const ReplicaStarted& started) -> Result<std::function<void()>> {
    std::string endpoints;
    for (const auto& [id, address] : started.peer_addresses)
      endpoints += (endpoints.empty() ? "" : ",") + std::to_string(id) + "=" + address;
    auto parsed = store::parse_store_endpoints(endpoints);
    if (!parsed) return parsed.error();
    store::StoreClientOptions client_options;
    client_options.endpoints = *parsed;
    client_options.security = started.security;
    // The API speaks to the store with this process's own certificate.
    if (client_options.security.cert_name.empty())
      client_options.security.cert_name = started.node.context().node_id;
    auto client = store::StoreClient::connect(client_options);
    if (!client) return Error{client.error().code, "api: " + client.error().message};
    auto log = started.log;
    auto node_id = started.node.context().node_id;
    api::ApiHostOptions options;
    options.http = http;
    options.service.event_ttl_s = event_ttl_s;
    options.service.advertise_address = advertise_address;
    options.metrics = started.node.context().metrics;  // also on the store's --metrics-listen
    options.log = [log, node_id](const std::string& message) {
      log->write(LogRecord{LogLevel::info, 0, node_id, "api", message});
    };
    auto shared_client = std::shared_ptr<store::StoreClient>(std::move(*client));
    auto host = api::ApiHost::start(*shared_client, options);
    if (!host) return Error{host.error().code, "api: " + host.error().message};
    options.log("API server on http://" + http.address().to_string() + ":" +
                std::to_string((*host)->port()) +
                " (plain HTTP, no authentication: loopback only)");
    // The API actor, the controller manager and the scheduler, on this node.
    auto& node = started.node;
    api::ApiActorConfig api_config;
    api_config.wall_clock_base_s = wall_clock_base_s();
    api_config.service.event_ttl_s = event_ttl_s;
    api_config.service.advertise_address = advertise_address;
    api_config.service.advertise_port = (*host)->port();
    node.adopt(api::spawn_api(node.system(), node.context(), api_config));
    controllers::ControllerManagerActorConfig manager_config;
    manager_config.wall_clock_base_s = api_config.wall_clock_base_s;
    node.adopt(
        controllers::spawn_controller_manager(node.system(), node.context(), manager_config));
    if (scheduler) {
      scheduler::SchedulerActorConfig scheduler_config;
      scheduler_config.wall_clock_base_s = api_config.wall_clock_base_s;
      node.adopt(scheduler::spawn_scheduler(node.system(), node.context(), scheduler_config));
    }
    if (also) {
      auto more = also(node);
      if (!more) {
        (*host)->stop();
        return more.error();
      }
    }
    auto shared_host = std::shared_ptr<api::ApiHost>(std::move(*host));
    return std::function<void()>([shared_host, shared_client] {
      shared_host->stop();
      // The client goes with the last copy of this closure.
    });
  };
}

std::string kubeconfig_text(const std::string& server) {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: craton\n"
         "  cluster:\n"
         "    server: " +
         server +
         "\n"
         "contexts:\n"
         "- name: craton\n"
         "  context:\n"
         "    cluster: craton\n"
         "    namespace: default\n"
         "    user: craton\n"
         "current-context: craton\n"
         "preferences: {}\n"
         "users:\n"
         "- name: craton\n"
         "  user: {}\n";
}

namespace {

// ---- craton kubeconfig ----

int run_kubeconfig(const std::string& server) {
  if (server.rfind("http://", 0) != 0 && server.rfind("https://", 0) != 0) {
    std::cerr << "craton kubeconfig: --server must be an http:// or https:// URL: '" << server
              << "'\n";
    return 2;
  }
  std::cout << kubeconfig_text(server);
  return 0;
}

}  // namespace

void add_server_command(CLI::App& app, int& exit_code) {
  auto* sub = app.add_subcommand(
      "server", "Run a control-plane process: a store replica and the Kubernetes API server");
  auto flags = std::make_shared<ServerFlags>();
  // kube-apiserver compacts the store's history every 5 minutes (--etcd-compaction-interval);
  // without it every pod status write stays in the store until its quota refuses writes.
  flags->store.auto_compaction_mode = "periodic";
  flags->store.auto_compaction_retention = "5m";
  add_replica_flags(sub, flags->store);
  sub->get_option("--auto-compaction-mode")
      ->description(
          "periodic or revision: the leader compacts history by itself; off: never (default "
          "periodic with 5m of retention, as kube-apiserver compacts every 5 minutes)");
  sub->add_option("--http", flags->http,
                  "Where kubectl connects: a loopback host:port (default 127.0.0.1:6443; plain "
                  "HTTP, no authentication yet)");
  sub->add_option("--event-ttl", flags->event_ttl,
                  "How long Events are kept after their last write, e.g. 1h, 30m, 90s; 0: "
                  "forever (default 1h, as kube-apiserver)");
  sub->add_option("--advertise-address", flags->advertise_address,
                  "The IP address this server lists in the `kubernetes` Service's Endpoints, "
                  "where other hosts reach it (default: the --http host)");
  sub->add_flag("--no-scheduler", flags->no_scheduler,
                "Run no scheduler here (run them with `craton scheduler --join`)");
  sub->allow_extras();
  sub->callback([sub, flags, &exit_code] {
    auto http = http_endpoint(flags->http);
    if (!http) {
      std::cerr << "craton server: " << http.error().message << "\n";
      exit_code = 2;
      return;
    }
    auto event_ttl_s = api::parse_duration_seconds(flags->event_ttl);
    if (!event_ttl_s) {
      std::cerr << "craton server: --event-ttl: " << event_ttl_s.error().message << "\n";
      exit_code = 2;
      return;
    }
    if (!flags->advertise_address.empty()) {
      boost::system::error_code ec;
      boost::asio::ip::make_address(flags->advertise_address, ec);
      if (ec) {
        std::cerr << "craton server: --advertise-address: '" << flags->advertise_address
                  << "' is not an IP address\n";
        exit_code = 2;
        return;
      }
    }
    exit_code = run_replica(flags->store, sub->remaining(), "server",
                            api_companion(*http, *event_ttl_s, !flags->no_scheduler, nullptr,
                                          flags->advertise_address));
  });

  auto* kubeconfig = app.add_subcommand("kubeconfig", "Print a kubeconfig for `craton server`");
  auto server = std::make_shared<std::string>("http://127.0.0.1:6443");
  kubeconfig->add_option("--server", *server, "The API server's URL");
  kubeconfig->callback([server, &exit_code] { exit_code = run_kubeconfig(*server); });
}

}  // namespace craton::cmd
