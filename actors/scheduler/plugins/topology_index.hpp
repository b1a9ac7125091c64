// TopologyIndex: counts of existing pods per topology domain, kept current from one scheduling
// cycle to the next instead of recounted from every pod in every cycle (which made
// InterPodAffinity and PodTopologySpread cost O(all pods) per pod: ~3k pods/s at 2,000 pods).
//
// It answers two questions over the nodes it was last synced with:
// - count_selected(terms, key): per domain of `key`, the pods that every term selects (namespace
//   and label selector); e.g. the pods an incoming pod's required anti-affinity term selects.
//   A query is counted over every pod once, when first asked, and kept current after.
// - existing_terms(): the distinct pod (anti-)affinity terms existing pods carry, each with the
//   number of pods carrying it per domain of its topology key; e.g. to find the existing pods
//   whose required anti-affinity selects the incoming pod, test each distinct term once.
//
// How it stays current: sync(nodes) compares each position's NodeInfo address and generation
// with what it counted last (generations are process-wide unique per content, node_info.hpp)
// and recounts only the nodes that changed: O(nodes) comparisons plus O(changed nodes' pods x
// queries) per cycle, typically one node (the last pod's). Given the list's NodeListChanges
// (the scheduler's snapshot), it compares only the positions the list says changed since the
// last sync: O(changed nodes) per cycle. Bounded: at most kQueriesMax queries
// (the least recently used is dropped, never one asked since the last sync); when more than
// kStaleTermsMax distinct terms have no pod left the index rebuilds itself.
//
// Dry runs (preemption): a PreFilter run again over another node list (a node copy with
// victims removed) re-syncs the index. The tables a CycleState took before are shared
// copy-on-write (SharedDomainTable): the sync changes copies, so an older state (or the
// original of a clone) keeps reading the counts of the list it was computed over.
//
// Promises: every count equals what a walk over every pod of the synced nodes would give
// (tests/scheduler/topology_index_test.cpp checks it against that walk); the tables it hands out
// (DomainLookup) never change afterwards; other references stay valid until the next sync().
// Not thread-safe; one per plugin instance.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/scheduler/framework/node_info.hpp"
#include "actors/scheduler/framework/node_list_changes.hpp"
#include "actors/scheduler/plugins/topology_counts.hpp"

namespace craton::scheduler {

/// How a plugin counts existing pods per domain: from its TopologyIndex (the default), or by
/// walking every pod in every cycle (the slow reference the benchmark compares against).
enum class PodCounting : std::uint8_t { indexed, every_pod };

/// Which list of an existing pod a term comes from.
enum class TermKind : std::uint8_t {
  required_affinity,
  required_anti_affinity,
  preferred_affinity,
  preferred_anti_affinity,
};

/// One distinct term existing pods carry (kind, weight, selector, namespaces, topology key).
struct ExistingTerm {
  TermKind kind = TermKind::required_affinity;
  PodAffinityTerm term;
  SharedDomainTable pods{""};   ///< carriers per domain of term.topology_key
  std::int64_t carriers = 0;    ///< pods carrying it, on nodes with or without the key
  std::int64_t in_domains = 0;  ///< the sum of `pods`
};

class TopologyIndex {
 public:
  static constexpr std::size_t kQueriesMax = 256;
  static constexpr std::size_t kStaleTermsMax = 4096;

  TopologyIndex();
  ~TopologyIndex();
  TopologyIndex(const TopologyIndex&) = delete;
  TopologyIndex& operator=(const TopologyIndex&) = delete;

  /// Brings every count up to date with `nodes` (the cycle's node list, in any order; a
  /// position whose address or generation changed is recounted). With `changes` (what the
  /// list says changed, CycleState::node_changes()) and the same list and layout as the last
  /// sync, only the positions changed since are looked at; else every position. Call it first
  /// in every cycle: the calls below read the nodes of the last sync, which must still be alive.
  void sync(std::span<const NodeInfo* const> nodes, const NodeListChanges* changes = nullptr);

  /// Per domain of `topology_key`, the pods on the synced nodes that every one of `terms`
  /// selects (their selectors and namespaces; their own topology keys and weights are ignored).
  /// Empty `terms` select no pod. `total` of the answer is the sum over domains. The answer's
  /// table is the reader's: later syncs do not change it.
  DomainLookup count_selected(std::span<const PodAffinityTerm> terms,
                              const std::string& topology_key);

  /// Per domain of `topology_key`, the synced nodes carrying it (every domain that exists). The
  /// table is the reader's, as count_selected's.
  std::shared_ptr<const DomainTable> nodes_per_domain(const std::string& topology_key);

  /// The distinct terms existing pods carry (entries whose carriers fell to 0 may remain).
  const std::vector<std::unique_ptr<ExistingTerm>>& existing_terms() const;

  std::size_t queries() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::vector<std::size_t> changed_;  ///< sync's scratch
};

}  // namespace craton::scheduler
