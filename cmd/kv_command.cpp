// `craton kv`: the store's key-value operations from the command line (etcdctl's shape).
//
//   craton kv put KEY VALUE [--lease ID] [--prev-kv]     (ID in hex, as etcdctl)
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
// The txn form (JSON on stdin, at most 1 MiB):
//   {"compare": [{"key": "k", "target": "value|version|create|mod|lease",
//                 "result": "=|!=|>|<", "value": "v" | "number": 3}],
//    "success": [{"put": {"key": "k", "value": "v"}}, {"get": {"key": "k", "prefix": true}},
//                {"del": {"key": "k", "prefix": false}}],
//    "failure": [ ...same operations... ]}
// It prints SUCCESS or FAILURE and then each operation's result.
//
// watch prints events as they come, like etcdctl watch: per event its type (PUT or DELETE),
// with --prev-kv the previous key and value, then key and value; with --progress also
// "progress notify: REV" lines; with --json one line per response. --count N exits 0 after N
// events. The watch follows the cluster: if its replica dies it resumes on another one.
#include <charconv>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "actors/store/client/client.hpp"
#include "actors/store/client/lease_client.hpp"
#include "cmd/commands.hpp"
#include "cmd/store_client_flags.hpp"

namespace craton::cmd {
namespace {

using nlohmann::json;
using namespace craton::storage;

struct KvFlags {
  std::string endpoints = "127.0.0.1:2379";
  std::string timeout_ms = "5000";
  bool json_output = false;
  // operation arguments
  std::string key, value, revision = "0", limit = "0", lease = "0";
  bool prefix = false, prev_kv = false, keys_only = false, count_only = false, serializable = false;
  bool progress = false;
  std::string count = "0";
};

constexpr std::size_t kTxnInputBytesMax = 1 << 20;

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

// ---- txn input ----

Result<Compare> compare_from(const json& j) {
  Compare c;
  c.key = j.value("key", "");
  auto target = j.value("target", "value");
  auto result = j.value("result", "=");
  static const std::map<std::string, CompareTarget> targets{
      {"value", CompareTarget::value},
      {"version", CompareTarget::version},
      {"create", CompareTarget::create_revision},
      {"mod", CompareTarget::mod_revision},
      {"lease", CompareTarget::lease}};
  static const std::map<std::string, CompareResult> results{{"=", CompareResult::equal},
                                                            {"!=", CompareResult::not_equal},
                                                            {">", CompareResult::greater},
                                                            {"<", CompareResult::less}};
  if (!targets.count(target)) return Error{"bad_txn", "unknown compare target '" + target + "'"};
  if (!results.count(result)) return Error{"bad_txn", "unknown compare result '" + result + "'"};
  c.target = targets.at(target);
  c.result = results.at(result);
  if (c.target == CompareTarget::value)
    c.value = j.value("value", "");
  else
    c.number = j.value("number", std::int64_t{0});
  return c;
}

Result<RequestOp> op_from(const json& j) {
  if (j.contains("put")) {
    const auto& p = j["put"];
    return RequestOp{PutRequest{p.value("key", ""), p.value("value", ""),
                                p.value("lease", std::int64_t{0}), p.value("prev_kv", false)}};
  }
  if (j.contains("get")) {
    const auto& g = j["get"];
    RangeRequest r;
    r.key = g.value("key", "");
    r.range_end = range_end_for(r.key, g.value("prefix", false));
    return RequestOp{r};
  }
  if (j.contains("del")) {
    const auto& d = j["del"];
    std::string key = d.value("key", "");
    return RequestOp{DeleteRangeRequest{key, range_end_for(key, d.value("prefix", false)),
                                        d.value("prev_kv", false)}};
  }
  return Error{"bad_txn", "an operation must be {\"put\"|\"get\"|\"del\": {...}}"};
}

Result<TxnRequest> txn_from_stdin() {
  std::string text;
  char buffer[4096];
  while (std::cin.read(buffer, sizeof(buffer)) || std::cin.gcount() > 0) {
    text.append(buffer, std::size_t(std::cin.gcount()));
    if (text.size() > kTxnInputBytesMax) return Error{"bad_txn", "txn input larger than 1 MiB"};
  }
  TxnRequest txn;
  try {
    auto j = json::parse(text);
    for (const auto& c : j.value("compare", json::array())) {
      auto cmp = compare_from(c);
      if (!cmp) return cmp.error();
      txn.compare.push_back(*cmp);
    }
    for (auto [name, branch] : {std::pair{"success", &txn.success}, {"failure", &txn.failure}}) {
      for (const auto& o : j.value(name, json::array())) {
        auto op = op_from(o);
        if (!op) return op.error();
        branch->push_back(*op);
      }
    }
  } catch (const json::exception& e) {
    return Error{"bad_txn", std::string("txn input is not valid JSON: ") + e.what()};
  }
  return txn;
}

// ---- running ----

Result<std::unique_ptr<store::StoreClient>> connect(const KvFlags& flags) {
  return connect_store_client(flags.endpoints, flags.timeout_ms);
}

int fail(const Error& e, const char* op) {
  std::cerr << "craton kv " << op << ": " << e.code << ": " << e.message << "\n";
  return e.code == "bad_flag" || e.code == "bad_txn" || e.code == "bad_endpoints" ? 2 : 1;
}

template <class Print>
int run(const KvFlags& flags, const char* op, const Result<store::StoreRequest>& request,
        Print print) {
  if (!request) return fail(request.error(), op);
  auto client = connect(flags);
  if (!client) return fail(client.error(), op);
  auto reply = (*client)->call(request.value());
  if (!reply) return fail(reply.error(), op);
  print(reply->body);
  return 0;
}

const WriteResponse& write_of(const store::StoreReplyBody& body) {
  return std::get<WriteResponse>(body);
}

int run_put(const KvFlags& f) {
  auto lease = store::parse_lease_id(f.lease);  // hex, as `craton lease grant` prints it
  if (!lease) lease = Error{"bad_flag", "--lease: " + lease.error().message};
  Result<store::StoreRequest> request =
      lease
          ? Result<store::StoreRequest>(WriteRequest{PutRequest{f.key, f.value, *lease, f.prev_kv}})
          : Result<store::StoreRequest>(lease.error());
  return run(f, "put", request, [&](const store::StoreReplyBody& body) {
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

int run_txn(const KvFlags& f) {
  auto txn = txn_from_stdin();
  Result<store::StoreRequest> request = txn ? Result<store::StoreRequest>(WriteRequest{*txn})
                                            : Result<store::StoreRequest>(txn.error());
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
  while (*count == 0 || seen < *count) {
    auto batch = (*watch)->next(std::chrono::milliseconds(1000));
    if (!batch) {
      if (batch.error().code == "timeout") continue;
      return fail(batch.error(), "watch");
    }
    print_watch_batch(*batch, f.json_output);
    seen += std::int64_t(batch->events.size());
  }
  return 0;
}

void add_common(CLI::App* sub, KvFlags& f) {
  sub->add_option("--endpoints", f.endpoints, "[id=]host:port,... (default 127.0.0.1:2379)");
  sub->add_option("--timeout-ms", f.timeout_ms, "Per-attempt timeout");
  sub->add_flag("--json", f.json_output, "JSON output");
}

}  // namespace

void add_kv_command(CLI::App& app, int& exit_code) {
  auto* kv = app.add_subcommand("kv", "Key-value operations on the store (put, get, del, ...)");
  kv->require_subcommand(1);
  auto f = std::make_shared<KvFlags>();

  auto* put = kv->add_subcommand("put", "Put KEY VALUE");
  put->add_option("key", f->key, "Key")->required();
  put->add_option("value", f->value, "Value")->required();
  put->add_option("--lease", f->lease, "Attach to lease ID (hex, as lease grant prints it)");
  put->add_flag("--prev-kv", f->prev_kv, "Print the previous key-value");
  add_common(put, *f);
  put->callback([f, &exit_code] { exit_code = run_put(*f); });

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
