// `craton kv`: the store's key-value operations from the command line (etcdctl's shape).
//
//   craton kv put KEY [VALUE] [--lease ID] [--prev-kv]   (ID in hex, as etcdctl; no VALUE:
//                                                         read it from stdin, as etcdctl)
//   craton kv get KEY [--prefix] [--rev R] [--limit N] [--keys-only] [--count-only]
//                     [--serializable]
//   craton kv del KEY [--prefix] [--prev-kv]
//   craton kv compact REV
//   craton kv txn < request.json
//   craton kv watch KEY [--prefix] [--rev R] [--prev-kv] [--progress] [--count N]
//
// Every form takes --endpoints ([id=]host:port,...; default 127.0.0.1:2379), --timeout-ms and
// --json. Text output follows etcdctl: put prints OK, get prints key and value lines, del the
// number deleted. Errors are one line on stderr: exit 1 for a failed request, 2 for bad usage.
//
// The txn form reads JSON on stdin (at most 1 MiB; the format and its strict reading are in
// txn_json.hpp: an unknown field is an error, exit 2, and nothing is sent). It prints SUCCESS
// or FAILURE and then each operation's result.
//
// watch prints events as they come, like etcdctl watch: per event its type (PUT or DELETE),
// with --prev-kv the previous key and value, then key and value; with --progress also
// "progress notify: REV" lines; with --json one line per response. --count N exits 0 after N
// events. The watch follows the cluster: if its replica dies it resumes on another one.
#include <algorithm>
#include <charconv>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>

#include "actors/store/client/client.hpp"
#include "actors/store/client/lease_client.hpp"
#include "cmd/commands.hpp"
#include "cmd/store_client_flags.hpp"
#include "cmd/txn_json.hpp"

namespace craton::cmd {
namespace {

using nlohmann::json;
using namespace craton::storage;

struct KvFlags {
  std::string endpoints = "127.0.0.1:2379";
  LinkFlags link;
  std::string timeout_ms = "5000";
  bool json_output = false;
  // operation arguments
  std::string key, value, revision = "0", limit = "0", lease = "0";
  bool prefix = false, prev_kv = false, keys_only = false, count_only = false, serializable = false;
  bool progress = false;
  std::string count = "0";
  bool value_given = false;  ///< put: VALUE was an argument (else it is read from stdin)
};

constexpr std::size_t kTxnInputBytesMax = 1 << 20;
// A value read from stdin: the store refuses a put's value above its value limit (1.5 MiB)
// anyway, so the client stops reading there and says so instead of sending it.
constexpr std::size_t kStdinValueBytesMax = KvLimits{}.value_bytes_max;

std::string dump(const json& j) {
  // Keys and values are bytes: invalid UTF-8 is replaced rather than failing the output.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json kv_json(const KeyValue& kv) {
  return json{{"key", kv.key},
              {"create_revision", kv.create_revision},
              {"mod_revision", kv.mod_revision},
              {"version", kv.version},
              {"value", kv.value},
              {"lease", kv.lease}};
}

json range_json(const RangeResponse& r) {
  json kvs = json::array();
  for (const auto& kv : r.kvs) kvs.push_back(kv_json(kv));
  return json{{"header", {{"revision", r.header_revision}}},
              {"kvs", kvs},
              {"more", r.more},
              {"count", r.count}};
}

void print_range(const RangeResponse& r, bool keys_only, bool count_only) {
  if (count_only) {
    std::cout << r.count << "\n";
    return;
  }
  for (const auto& kv : r.kvs) {
    std::cout << kv.key << "\n";
    if (!keys_only) std::cout << kv.value << "\n";
  }
}

json put_json(const PutResponse& p) {
  json j{{"header", {{"revision", p.header_revision}}}};
  if (p.prev_kv) j["prev_kv"] = kv_json(*p.prev_kv);
  return j;
}

json delete_json(const DeleteRangeResponse& d) {
  json prev = json::array();
  for (const auto& kv : d.prev_kvs) prev.push_back(kv_json(kv));
  return json{
      {"header", {{"revision", d.header_revision}}}, {"deleted", d.deleted}, {"prev_kvs", prev}};
}

std::string range_end_for(const std::string& key, bool prefix) {
  return prefix ? prefix_end(key) : std::string();
}

// ---- stdin ----

// Reads stdin to its end; nullopt (having read bytes_max + 1) when it holds more than
// `bytes_max` bytes, so that nothing too large is ever sent.
std::optional<std::string> read_stdin(std::size_t bytes_max) {
  std::string text;
  char buffer[64 * 1024];
  while (std::cin.read(buffer,
                       std::streamsize(std::min(sizeof(buffer), bytes_max + 1 - text.size()))) ||
         std::cin.gcount() > 0) {
    text.append(buffer, std::size_t(std::cin.gcount()));
    if (text.size() > bytes_max) return std::nullopt;
  }
  return text;
}

// ---- running ----

Result<std::unique_ptr<store::StoreClient>> connect(const KvFlags& flags) {
  return connect_store_client(flags.endpoints, flags.timeout_ms, flags.link);
}

int fail(const Error& e, const char* op) {
  std::cerr << "craton kv " << op << ": " << e.code << ": " << e.message << "\n";
  return e.code == "bad_flag" || e.code == "bad_txn" || e.code == "bad_endpoints" ? 2 : 1;
}

// The leases a request's puts name (errors about them print them in hex), distinct.
std::vector<std::int64_t> leases_named(const store::StoreRequest& request) {
  std::vector<std::int64_t> ids;
  auto note = [&](const RequestOp& op) {
    auto* put = std::get_if<PutRequest>(&op);
    if (put && put->lease != 0 && std::find(ids.begin(), ids.end(), put->lease) == ids.end())
      ids.push_back(put->lease);
  };
  auto* write = std::get_if<WriteRequest>(&request);
  if (!write) return ids;
  if (auto* put = std::get_if<PutRequest>(write)) note(*put);
  if (auto* txn = std::get_if<TxnRequest>(write)) {
    for (const auto& op : txn->success) note(op);
    for (const auto& op : txn->failure) note(op);
  }
  return ids;
}

template <class Print>
int run(const KvFlags& flags, const char* op, const Result<store::StoreRequest>& request,
        Print print) {
  if (!request) return fail(request.error(), op);
  auto client = connect(flags);
  if (!client) return fail(client.error(), op);
  auto reply = (*client)->call(request.value());
  if (!reply) {
    auto e = lease_not_found_in_hex(reply.error(), leases_named(request.value()));
    return fail(std::holds_alternative<WriteRequest>(request.value()) ? write_error(e) : e, op);
  }
  print(reply->body);
  return 0;
}

const WriteResponse& write_of(const store::StoreReplyBody& body) {
  return std::get<WriteResponse>(body);
}

Result<store::StoreRequest> put_request(const KvFlags& f) {
  auto lease = parse_lease_id_arg("--lease", f.lease);  // hex, as `craton lease grant` prints it
  if (!lease) return lease.error();
  if (f.value_given)
    return store::StoreRequest{WriteRequest{PutRequest{f.key, f.value, *lease, f.prev_kv}}};
  auto value = read_stdin(kStdinValueBytesMax);
  if (!value)
    return Error{"bad_flag", "the value on stdin is larger than the store's value limit of " +
                                 std::to_string(kStdinValueBytesMax) +
                                 " bytes (1.5 MiB); nothing was sent"};
  return store::StoreRequest{WriteRequest{PutRequest{f.key, std::move(*value), *lease, f.prev_kv}}};
}

int run_put(const KvFlags& f) {
  return run(f, "put", put_request(f), [&](const store::StoreReplyBody& body) {
    const auto& put = std::get<PutResponse>(write_of(body));
    if (f.json_output) {
      std::cout << dump(put_json(put)) << "\n";
      return;
    }
    std::cout << "OK\n";
    if (put.prev_kv) std::cout << put.prev_kv->key << "\n" << put.prev_kv->value << "\n";
  });
}

int run_get(const KvFlags& f) {
  auto rev = parse_non_negative("--rev", f.revision);
  auto limit = parse_non_negative("--limit", f.limit);
  Result<store::StoreRequest> request = Error{"bad_flag", ""};
  if (!rev)
    request = rev.error();
  else if (!limit)
    request = limit.error();
  else
    request = store::StoreRequest{
        store::ReadRequest{RangeRequest{f.key, range_end_for(f.key, f.prefix), *limit, *rev,
                                        f.keys_only, f.count_only},
                           f.serializable}};
  return run(f, "get", request, [&](const store::StoreReplyBody& body) {
    const auto& range = std::get<RangeResponse>(body);
    if (f.json_output)
      std::cout << dump(range_json(range)) << "\n";
    else
      print_range(range, f.keys_only, f.count_only);
  });
}

int run_del(const KvFlags& f) {
  store::StoreRequest request =
      WriteRequest{DeleteRangeRequest{f.key, range_end_for(f.key, f.prefix), f.prev_kv}};
  return run(f, "del", request, [&](const store::StoreReplyBody& body) {
    const auto& del = std::get<DeleteRangeResponse>(write_of(body));
    if (f.json_output) {
      std::cout << dump(delete_json(del)) << "\n";
      return;
    }
    std::cout << del.deleted << "\n";
    for (const auto& kv : del.prev_kvs) std::cout << kv.key << "\n" << kv.value << "\n";
  });
}

int run_compact(const KvFlags& f) {
  auto rev = parse_non_negative("REV", f.revision);
  Result<store::StoreRequest> request =
      rev ? Result<store::StoreRequest>(WriteRequest{CompactionRequest{*rev}})
          : Result<store::StoreRequest>(rev.error());
  return run(f, "compact", request, [&](const store::StoreReplyBody& body) {
    const auto& c = std::get<CompactionResponse>(write_of(body));
    if (f.json_output)
      std::cout << dump(json{{"header", {{"revision", c.header_revision}}}}) << "\n";
    else
      std::cout << "compacted revision " << f.revision << "\n";
  });
}

Result<store::StoreRequest> txn_request() {
  auto text = read_stdin(kTxnInputBytesMax);
  if (!text) return Error{"bad_txn", "txn input larger than 1 MiB; nothing was sent"};
  auto txn = parse_txn_json(*text);
  if (!txn) return txn.error();
  return store::StoreRequest{WriteRequest{std::move(*txn)}};
}

int run_txn(const KvFlags& f) {
  auto request = txn_request();
  return run(f, "txn", request, [&](const store::StoreReplyBody& body) {
    const auto& t = std::get<TxnResponse>(write_of(body));
    json responses = json::array();
    for (const auto& r : t.responses) {
      if (auto* range = std::get_if<RangeResponse>(&r))
        responses.push_back({{"get", range_json(*range)}});
      if (auto* put = std::get_if<PutResponse>(&r)) responses.push_back({{"put", put_json(*put)}});
      if (auto* del = std::get_if<DeleteRangeResponse>(&r))
        responses.push_back({{"del", delete_json(*del)}});
    }
    if (f.json_output) {
      std::cout << dump(json{{"header", {{"revision", t.header_revision}}},
                             {"succeeded", t.succeeded},
                             {"responses", responses}})
                << "\n";
      return;
    }
    std::cout << (t.succeeded ? "SUCCESS" : "FAILURE") << "\n";
    for (const auto& r : t.responses) {
      if (auto* range = std::get_if<RangeResponse>(&r)) print_range(*range, false, false);
      if (std::holds_alternative<PutResponse>(r)) std::cout << "OK\n";
      if (auto* del = std::get_if<DeleteRangeResponse>(&r)) std::cout << del->deleted << "\n";
    }
  });
}

// ---- watch ----

json event_json(const Event& e) {
  json j{{"type", e.type == EventType::put ? "PUT" : "DELETE"}, {"kv", kv_json(e.kv)}};
  if (e.prev_kv) j["prev_kv"] = kv_json(*e.prev_kv);
  return j;
}

void print_watch_batch(const store::WatchEvents& batch, bool json_output) {
  if (json_output) {
    json events = json::array();
    for (const auto& e : batch.events) events.push_back(event_json(e));
    std::cout << dump(json{{"header", {{"revision", batch.header_revision}}},
                           {"progress_notify", batch.is_progress()},
                           {"events", events}})
              << "\n";
  } else if (batch.is_progress()) {
    std::cout << "progress notify: " << batch.header_revision << "\n";
  } else {
    for (const auto& e : batch.events) {
      std::cout << (e.type == EventType::put ? "PUT" : "DELETE") << "\n";
      if (e.prev_kv) std::cout << e.prev_kv->key << "\n" << e.prev_kv->value << "\n";
      std::cout << e.kv.key << "\n" << e.kv.value << "\n";
    }
  }
  std::cout.flush();  // scripts read the events as they come
}

int run_watch(const KvFlags& f) {
  auto rev = parse_non_negative("--rev", f.revision);
  if (!rev) return fail(rev.error(), "watch");
  auto count = parse_non_negative("--count", f.count);
  if (!count) return fail(count.error(), "watch");
  if (f.key.empty()) return fail(Error{"bad_flag", "KEY must not be empty"}, "watch");
  store::WatchRequest request;
  request.key = f.key;
  request.range_end = range_end_for(f.key, f.prefix);
  request.start_revision = *rev;
  request.prev_kv = f.prev_kv;
  request.progress_notify = f.progress;
  auto client = connect(f);
  if (!client) return fail(client.error(), "watch");
  auto watch = (*client)->watch(request);
  if (!watch) return fail(watch.error(), "watch");
  std::int64_t seen = 0;
  bool unavailable = false;  // said once per outage
  while (*count == 0 || seen < *count) {
    auto batch = (*watch)->next(std::chrono::milliseconds(1000));
    if (!batch) {
      if (batch.error().code == "timeout") continue;
      // No replica took the watch back yet: keep trying, as etcdctl's watch does; the watch
      // resumes where it stopped, so nothing is lost meanwhile.
      if (batch.error().code == "unavailable") {
        if (!unavailable)
          std::cerr << "craton kv watch: " << batch.error().message << ", retrying\n";
        unavailable = true;
        continue;
      }
      return fail(batch.error(), "watch");
    }
    unavailable = false;
    print_watch_batch(*batch, f.json_output);
    seen += std::int64_t(batch->events.size());
  }
  return 0;
}

void add_common(CLI::App* sub, KvFlags& f) {
  sub->add_option("--endpoints", f.endpoints, "[id=]host:port,... (default 127.0.0.1:2379)");
  sub->add_option("--timeout-ms", f.timeout_ms, "Per-attempt timeout");
  add_link_flags(sub, f.link, "admin");
  sub->add_flag("--json", f.json_output, "JSON output");
}

}  // namespace

void add_kv_command(CLI::App& app, int& exit_code) {
  auto* kv = app.add_subcommand("kv", "Key-value operations on the store (put, get, del, ...)");
  kv->require_subcommand(1);
  auto f = std::make_shared<KvFlags>();

  auto* put = kv->add_subcommand("put", "Put KEY VALUE (VALUE omitted: read from stdin)");
  put->add_option("key", f->key, "Key")->required();
  auto* value = put->add_option("value", f->value,
                                "Value; when omitted, stdin to its end (at most 1.5 MiB, the "
                                "store's value limit; a file: craton kv put KEY < FILE)");
  put->add_option("--lease", f->lease, "Attach to lease ID (hex, as lease grant prints it)");
  put->add_flag("--prev-kv", f->prev_kv, "Print the previous key-value");
  add_common(put, *f);
  put->callback([f, value, &exit_code] {
    f->value_given = value->count() > 0;
    exit_code = run_put(*f);
  });

  auto* get = kv->add_subcommand("get", "Get KEY (or a prefix)");
  get->add_option("key", f->key, "Key")->required();
  get->add_flag("--prefix", f->prefix, "Every key starting with KEY");
  get->add_option("--rev", f->revision, "Read at this revision (0: latest)");
  get->add_option("--limit", f->limit, "At most N keys (0: no limit)");
  get->add_flag("--keys-only", f->keys_only, "Keys without values");
  get->add_flag("--count-only", f->count_only, "Only the number of keys");
  get->add_flag("--serializable", f->serializable, "Read the member's local state (may be stale)");
  add_common(get, *f);
  get->callback([f, &exit_code] { exit_code = run_get(*f); });

  auto* del = kv->add_subcommand("del", "Delete KEY (or a prefix)");
  del->add_option("key", f->key, "Key")->required();
  del->add_flag("--prefix", f->prefix, "Every key starting with KEY");
  del->add_flag("--prev-kv", f->prev_kv, "Print the deleted key-values");
  add_common(del, *f);
  del->callback([f, &exit_code] { exit_code = run_del(*f); });

  auto* compact = kv->add_subcommand("compact", "Discard history below REV");
  compact->add_option("rev", f->revision, "Revision")->required();
  add_common(compact, *f);
  compact->callback([f, &exit_code] { exit_code = run_compact(*f); });

  auto* txn = kv->add_subcommand("txn", "Run a transaction read as JSON from stdin");
  add_common(txn, *f);
  txn->callback([f, &exit_code] { exit_code = run_txn(*f); });

  auto* watch = kv->add_subcommand("watch", "Print changes of KEY (or a prefix) as they happen");
  watch->add_option("key", f->key, "Key")->required();
  watch->add_flag("--prefix", f->prefix, "Every key starting with KEY");
  watch->add_option("--rev", f->revision, "Start at this revision (0: from now)");
  watch->add_flag("--prev-kv", f->prev_kv, "Print the previous key-value with each event");
  watch->add_flag("--progress", f->progress, "Print periodic progress notifications");
  watch->add_option("--count", f->count, "Exit after N events (0: never)");
  add_common(watch, *f);
  watch->callback([f, &exit_code] { exit_code = run_watch(*f); });
}

}  // namespace craton::cmd
