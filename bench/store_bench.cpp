#include "bench/store_bench.hpp"

#include <memory>

#include "bench/store_load.hpp"

namespace craton::bench {
namespace {

constexpr std::uint64_t kClientsMax = 10000;
constexpr std::uint64_t kConnsMax = 64;
constexpr std::uint64_t kTotalMax = 100'000'000;
constexpr std::uint64_t kValueBytesMax = 1536 * 1024;
constexpr std::uint64_t kTxnPutsMax = 128;  // the store's operations per txn

std::function<WireEnvelope(std::uint64_t)> request_builder(const StoreBenchOptions& options) {
  if (options.mode == StoreBenchMode::range) {
    store::ReadRequest read;
    read.range.key = store_bench_key(options, 0);
    read.serializable = options.serializable;
    auto bytes = flat_store_request(read);
    return [bytes](std::uint64_t) { return WireEnvelope{bytes}; };
  }
  auto value = std::make_shared<std::string>(options.value_bytes, 'v');
  if (options.mode == StoreBenchMode::fill)  // request n puts keys [n * batch, (n + 1) * batch)
    return [options, value](std::uint64_t n) {
      storage::TxnRequest txn;
      auto end = std::min(options.total, (n + 1) * options.batch);
      for (auto k = n * options.batch; k < end; ++k)
        txn.success.push_back(storage::PutRequest{store_bench_key(options, k), *value, 0, false});
      return WireEnvelope{flat_store_request(storage::WriteRequest{std::move(txn)})};
    };
  return [options, value](std::uint64_t n) {
    storage::PutRequest put{store_bench_key(options, n), *value, 0, false};
    return WireEnvelope{flat_store_request(storage::WriteRequest{std::move(put)})};
  };
}

std::vector<StoreBenchMember> member_figures(store::StoreClient& admin,
                                             const LocalStoreCluster* cluster) {
  std::vector<StoreBenchMember> members;
  auto statuses = admin.status_all();
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    auto& [ep, status] = statuses[i];
    StoreBenchMember m;
    m.id = ep.id;
    if (status) {
      m.role = status->role;
      m.db_size_bytes = status->db_size_bytes;
    } else {
      m.role = "unreachable";
    }
    if (cluster && i < cluster->size()) {
      m.rss_bytes = cluster->rss_bytes(i);
      m.disk_bytes = cluster->data_bytes(i);
    }
    members.push_back(m);
  }
  return members;
}

const char* mode_name(StoreBenchMode mode) {
  switch (mode) {
    case StoreBenchMode::put:
      return "put";
    case StoreBenchMode::range:
      return "range";
    case StoreBenchMode::fill:
      return "fill";
  }
  return "?";
}

}  // namespace

std::string store_bench_key(const StoreBenchOptions& options, std::uint64_t n) {
  // splitmix64's finalizer: a bijection on 64-bit numbers, so distinct n give distinct keys.
  std::uint64_t z = n + options.seed * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  std::string key = options.key_prefix;
  for (std::uint64_t i = 0; i < options.key_bytes; ++i)
    key.push_back(char((z >> (8 * (7 - i % 8))) & 0xff));
  return key;
}

Status validate_store_bench_options(const StoreBenchOptions& o) {
  auto bad = [](const std::string& message) { return Status(Error{"bad_flag", message}); };
  if (o.clients == 0 || o.clients > kClientsMax) return bad("--clients must be in 1..10000");
  if (o.conns == 0 || o.conns > kConnsMax) return bad("--conns must be in 1..64");
  if (o.conns > o.clients) return bad("--conns must not exceed --clients");
  if (o.key_bytes == 0 || o.key_prefix.size() + o.key_bytes > 4096)
    return bad("--key-bytes must be >= 1 and the key (prefix included) at most 4096 bytes");
  if (o.value_bytes > kValueBytesMax) return bad("--value-bytes must be at most 1572864");
  if (o.total == 0 || o.total > kTotalMax) return bad("--total must be in 1..100000000");
  if (o.batch == 0 || o.batch > kTxnPutsMax) return bad("--batch must be in 1..128");
  if (!(o.rate >= 0) || o.rate > 1e7) return bad("--rate must be in 0..10000000");
  if (!(o.duration_s >= 0) || o.duration_s > 86400) return bad("--duration-s must be in 0..86400");
  if (o.timeout_ms < 1 || o.timeout_ms > 600'000) return bad("--timeout-ms must be in 1..600000");
  if (!(o.run_limit_s > 0)) return bad("--run-limit-s must be positive");
  if (o.endpoints.empty() && o.binary.empty()) return bad("no craton binary for a local cluster");
  return Ok{};
}

Result<StoreBenchReport> run_store_bench(const StoreBenchOptions& options) {
  if (auto s = validate_store_bench_options(options); !s) return s.error();
  auto target = open_store_bench_target(options);
  if (!target) return target.error();
  if (options.mode == StoreBenchMode::range) {  // the key every read asks for
    storage::PutRequest put{store_bench_key(options, 0), std::string(options.value_bytes, 'v')};
    if (auto r = target->admin->call(storage::WriteRequest{put}); !r) return r.error();
  }
  std::vector<BenchConnection> conns;
  for (std::uint64_t i = 0; i < options.conns; ++i) {
    auto c = connect_bench_connection(target->members, i, options.timeout_ms, target->security);
    if (!c) return c.error();
    conns.push_back(std::move(*c));
  }
  auto runs = plan_store_runs(options, target->members, target->leader, request_builder(options));
  auto stats = run_store_load(options.run_limit_s, conns, runs);
  for (auto& c : conns) c.host->stop();
  if (!stats) return stats.error();
  StoreBenchReport report{mode_name(options.mode), options, target->endpoints, *stats, {}};
  if (options.mode == StoreBenchMode::fill)
    report.members = member_figures(*target->admin, target->cluster.get());
  return report;
}

}  // namespace craton::bench
