// `craton lease`: the store's leases from the command line (etcdctl's shape and output).
//
//   craton lease grant TTL                 lease 694d7a2e3b0b1a04 granted with TTL(10s)
//   craton lease keepalive ID [--once]     lease 694d... keepalived with TTL(10), per renewal
//   craton lease revoke ID                 lease 694d... revoked
//   craton lease ttl ID [--keys]           lease 694d... granted with TTL(10s), remaining(7s)
//   craton lease list                      found N leases, then one id per line
//
// IDs are hex, as etcdctl prints and reads them. Every form takes --endpoints ([id=]host:port,
// ...; default 127.0.0.1:2379), --timeout-ms (per attempt) and --json. keepalive runs until
// interrupted (SIGINT/SIGTERM: exit 0) or until the lease is gone (exit 1). Errors are one
// line on stderr: exit 1 for a failed request, 2 for bad usage.
#include <atomic>
#include <charconv>
#include <csignal>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "actors/store/client/lease_client.hpp"
#include "cmd/commands.hpp"
#include "cmd/store_client_flags.hpp"

namespace craton::cmd {
namespace {

using nlohmann::json;

struct LeaseFlags {
  std::string endpoints = "127.0.0.1:2379";
  LinkFlags link;
  std::string timeout_ms = "5000";
  bool json_output = false;
  std::string ttl, id;
  bool once = false, keys = false;
};

std::atomic<bool> g_interrupted{false};

// A lease named on the command line: 1..7fffffffffffffff in hex (0 is "no lease", not an id).
Result<std::int64_t> parse_id(const std::string& text) {
  auto id = parse_lease_id_arg("ID", text);
  if (id && *id == 0)
    return Error{"bad_flag", "ID 0 is not a lease id (granted ids are 1..7fffffffffffffff)"};
  return id;
}

int fail(const Error& e, const char* op) {
  std::cerr << "craton lease " << op << ": " << e.code << ": " << e.message << "\n";
  return e.code == "bad_flag" || e.code == "bad_endpoints" ? 2 : 1;
}

Result<std::unique_ptr<store::StoreClient>> connect(const LeaseFlags& flags) {
  return connect_store_client(flags.endpoints, flags.timeout_ms, flags.link);
}

json header(std::int64_t revision) {
  return json{{"revision", revision}};
}

void print_json(const json& j) {
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
}

// Runs `body` with a connected client; usage errors come before any connection. `ids` are the
// leases the request names: errors about them print them in hex.
template <class Body>
int run(const LeaseFlags& f, const char* op, const std::vector<std::int64_t>& ids, Body body) {
  auto client = connect(f);
  if (!client) return fail(client.error(), op);
  auto result = body(**client);
  if (!result) {
    auto e = lease_not_found_in_hex(result.error(), ids);
    const bool write = std::string_view(op) == "grant" || std::string_view(op) == "revoke";
    return fail(write ? write_error(e) : e, op);  // grant and revoke go through the log
  }
  return 0;
}

int run_grant(const LeaseFlags& f) {
  auto ttl = parse_non_negative("TTL", f.ttl);
  if (!ttl) return fail(ttl.error(), "grant");
  return run(f, "grant", {}, [&](store::StoreClient& client) -> Status {
    auto granted = store::lease_grant(client, *ttl);
    if (!granted) return granted.error();
    if (f.json_output)
      print_json({{"header", header(granted->header_revision)},
                  {"ID", granted->id},
                  {"TTL", granted->ttl_s}});
    else
      std::cout << "lease " << store::format_lease_id(granted->id) << " granted with TTL("
                << granted->ttl_s << "s)\n";
    return Ok{};
  });
}

int run_revoke(const LeaseFlags& f) {
  auto id = parse_id(f.id);
  if (!id) return fail(id.error(), "revoke");
  return run(f, "revoke", {*id}, [&](store::StoreClient& client) -> Status {
    auto revoked = store::lease_revoke(client, *id);
    if (!revoked) return revoked.error();
    if (f.json_output)
      print_json({{"header", header(revoked->header_revision)}, {"deleted", revoked->deleted}});
    else
      std::cout << "lease " << store::format_lease_id(*id) << " revoked\n";
    return Ok{};
  });
}

void print_renewal(const LeaseFlags& f, const store::LeaseReply& r) {
  if (f.json_output)
    print_json({{"header", header(r.header_revision)}, {"ID", r.id}, {"TTL", r.ttl_s}});
  else
    std::cout << "lease " << store::format_lease_id(r.id) << " keepalived with TTL(" << r.ttl_s
              << ")" << std::endl;  // flushed: scripts follow renewals line by line
}

int run_keepalive(const LeaseFlags& f) {
  auto id = parse_id(f.id);
  if (!id) return fail(id.error(), "keepalive");
  return run(f, "keepalive", {*id}, [&](store::StoreClient& client) -> Status {
    if (f.once) {
      auto renewed = store::lease_keep_alive(client, *id);
      if (!renewed) return renewed.error();
      print_renewal(f, *renewed);
      return Ok{};
    }
    std::signal(SIGINT, [](int) { g_interrupted = true; });
    std::signal(SIGTERM, [](int) { g_interrupted = true; });
    return store::keep_lease_alive(client, *id, g_interrupted,
                                   [&](const store::LeaseReply& r) { print_renewal(f, r); });
  });
}

std::string keys_text(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (std::size_t i = 0; i < keys.size(); ++i) out += (i ? " " : "") + keys[i];
  return out + "]";
}

int run_ttl(const LeaseFlags& f) {
  auto id = parse_id(f.id);
  if (!id) return fail(id.error(), "ttl");
  return run(f, "ttl", {*id}, [&](store::StoreClient& client) -> Status {
    auto ttl = store::lease_time_to_live(client, *id, f.keys);
    if (!ttl) return ttl.error();
    if (f.json_output) {
      json j{{"header", header(ttl->header_revision)},
             {"ID", ttl->id},
             {"TTL", ttl->ttl_s},
             {"granted-ttl", ttl->granted_ttl_s}};
      if (f.keys) j["keys"] = ttl->keys;
      print_json(j);
      return Ok{};
    }
    auto name = "lease " + store::format_lease_id(*id);
    if (ttl->ttl_s == -1) {
      std::cout << name << " already expired\n";
      return Ok{};
    }
    std::cout << name << " granted with TTL(" << ttl->granted_ttl_s << "s), remaining("
              << ttl->ttl_s << "s)";
    if (f.keys) std::cout << ", attached keys(" << keys_text(ttl->keys) << ")";
    std::cout << "\n";
    return Ok{};
  });
}

int run_list(const LeaseFlags& f) {
  return run(f, "list", {}, [&](store::StoreClient& client) -> Status {
    auto list = store::lease_list(client);
    if (!list) return list.error();
    if (f.json_output) {
      json leases = json::array();
      for (auto id : list->leases) leases.push_back({{"ID", id}});
      print_json({{"header", header(list->header_revision)}, {"leases", leases}});
      return Ok{};
    }
    std::cout << "found " << list->leases.size() << " leases\n";
    for (auto id : list->leases) std::cout << store::format_lease_id(id) << "\n";
    return Ok{};
  });
}

void add_common(CLI::App* sub, LeaseFlags& f) {
  sub->add_option("--endpoints", f.endpoints, "[id=]host:port,... (default 127.0.0.1:2379)");
  sub->add_option("--timeout-ms", f.timeout_ms, "Per-attempt timeout");
  add_link_flags(sub, f.link, "admin");
  sub->add_flag("--json", f.json_output, "JSON output");
}

}  // namespace

void add_lease_command(CLI::App& app, int& exit_code) {
  auto* lease = app.add_subcommand("lease", "Leases on the store (grant, keepalive, revoke, ...)");
  lease->require_subcommand(1);
  auto f = std::make_shared<LeaseFlags>();

  auto* grant = lease->add_subcommand("grant", "Grant a lease of TTL seconds");
  grant->add_option("ttl", f->ttl, "TTL in seconds (raised to the cluster's minimum)")->required();
  add_common(grant, *f);
  grant->callback([f, &exit_code] { exit_code = run_grant(*f); });

  auto* keepalive = lease->add_subcommand("keepalive", "Keep lease ID alive until interrupted");
  keepalive->add_option("id", f->id, "Lease ID (hex)")->required();
  keepalive->add_flag("--once", f->once, "Renew once and exit");
  add_common(keepalive, *f);
  keepalive->callback([f, &exit_code] { exit_code = run_keepalive(*f); });

  auto* revoke = lease->add_subcommand("revoke", "Revoke lease ID, deleting its keys");
  revoke->add_option("id", f->id, "Lease ID (hex)")->required();
  add_common(revoke, *f);
  revoke->callback([f, &exit_code] { exit_code = run_revoke(*f); });

  auto* ttl = lease->add_subcommand("ttl", "Remaining and granted TTL of lease ID");
  ttl->add_option("id", f->id, "Lease ID (hex)")->required();
  ttl->add_flag("--keys", f->keys, "Also list the attached keys");
  add_common(ttl, *f);
  ttl->callback([f, &exit_code] { exit_code = run_ttl(*f); });

  auto* list = lease->add_subcommand("list", "List every lease");
  add_common(list, *f);
  list->callback([f, &exit_code] { exit_code = run_list(*f); });
}

}  // namespace craton::cmd
