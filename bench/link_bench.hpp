// The link benchmark (`craton bench link`): what our envelope, router and link cost compared
// with CAF's own remote messaging.
//
// It starts a peer process (`craton bench link-peer`, hidden) on loopback and, for each body
// size, measures two paths with the same pattern:
//   ours: driver -> router -> (our link transport: mutual TLS, or plain TCP with
//         --insecure-loopback) -> peer router -> echo -> peer router -> (transport) ->
//         router -> driver, carrying Ping/Pong envelopes;
//   caf:  driver -> (BASP) -> a plain echo actor -> (BASP) -> driver, carrying a
//         std::vector<uint8_t> of the same size.
// A third path, local (driver -> router -> echo -> router -> driver inside this process),
// and a codec timing show where our extra time goes.
// Throughput is measured pipelined with a bounded window; round-trip percentiles with one
// message in flight. The paths alternate, round after round, so that load from elsewhere on
// the machine hits both alike; each figure is the median over the rounds. All waits are
// bounded; the peer exits when we close its stdin.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "bench/pipeline_run.hpp"
#include "runtime/result.hpp"

namespace craton::bench {

struct LinkBenchOptions {
  std::vector<std::size_t> sizes{64, 4096};  ///< body bytes, each in [8, 1 MiB]
  std::uint64_t count = 20000;               ///< messages per throughput run
  std::uint64_t window = 64;                 ///< outstanding messages in throughput runs
  std::uint64_t latency_count = 2000;        ///< round trips per latency run (window 1)
  std::uint64_t rounds = 3;  ///< paths alternate in each round; figures are medians over rounds
  std::string peer_binary;   ///< the craton binary (normally /proc/self/exe)
  /// Plain TCP for our path; otherwise mutual TLS with a throwaway CA made for the run.
  bool insecure_loopback = false;
};

/// Checks sizes, count and window against their bounds.
Status validate_link_bench_options(const LinkBenchOptions& options);

struct LinkBenchRow {
  std::string path;  ///< "ours", "caf" or "local"
  std::size_t size = 0;
  RunFigures throughput;  ///< window = options.window
  RunFigures latency;     ///< window = 1
};

/// Cost of the envelope codec alone, single-threaded.
struct CodecFigures {
  std::size_t body_bytes = 0;
  std::size_t envelope_bytes = 0;
  double encode_us = 0;  ///< build + encode one Ping envelope
  double decode_us = 0;  ///< decode_envelope (full validation) of it
  double open_us = 0;    ///< open_envelope (no per-field walk) of it
};

struct LinkBenchReport {
  std::vector<LinkBenchRow> rows;  ///< paths "ours", "caf", "local" per size
  std::vector<CodecFigures> codec;
};

Result<LinkBenchReport> run_link_bench(const LinkBenchOptions& options);

/// A table, plus the ratio ours/caf of throughput per size.
void print_link_bench(const LinkBenchReport& report, std::ostream& out);

/// The hidden peer process: a node (with the echo actor) and a plain CAF echo actor published
/// on loopback, a link back to the parent node at `parent_port`, prints
/// "ready <node port> <caf port>" and runs until its stdin closes. Returns the exit code.
/// `certs_dir` empty: plain TCP.
int run_link_bench_peer(std::uint16_t parent_port, const std::string& certs_dir);

}  // namespace craton::bench
