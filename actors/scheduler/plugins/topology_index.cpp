// TopologyIndex: per-domain pod counts kept current across cycles by node generation.
#include "actors/scheduler/plugins/topology_index.hpp"

#include <algorithm>
#include <optional>

#include "runtime/assert.hpp"

namespace craton::scheduler {

namespace {

/// What selects a pod in a term: selector and namespaces (not the topology key or weight).
std::string matcher_signature(const PodAffinityTerm& t) {
  std::string out = t.selector ? t.selector->to_string() : std::string("\x01none");
  out += t.all_namespaces ? "\x1f*" : "\x1f";
  if (t.namespace_selector) out += "\x1a" + t.namespace_selector->to_string();
  for (const auto& ns : t.namespaces) out += "\x1e" + ns;
  return out;
}

bool selected_by_all(std::span<const PodAffinityTerm> terms, const PodInfo& pod) {
  for (const auto& t : terms)
    if (!t.selects(pod)) return false;
  return true;
}

void add_to(DomainCounts& counts, const std::string& domain, std::int64_t amount) {
  if (amount == 0) return;
  auto it = counts.try_emplace(domain, 0).first;
  it->second += amount;
  if (it->second == 0) counts.erase(it);
}

/// The same on a shared table: copied first only when a reader holds it and something changes.
void add_to(SharedDomainTable& table, const std::string& domain, std::int64_t amount) {
  if (amount != 0) add_to(table.writable(), domain, amount);
}

}  // namespace

struct TopologyIndex::State {
  struct Key {
    std::string name;
    LabelKey label;  ///< name, hashed
    std::vector<std::optional<std::string>> domain_by_slot;
    SharedDomainTable nodes_per_domain{""};
  };
  struct Query {
    std::vector<PodAffinityTerm> terms;
    Key* key = nullptr;
    std::vector<std::int64_t> by_slot;
    SharedDomainTable counts{""};
    std::int64_t total = 0;
    std::uint64_t last_used = 0;
    std::string signature;
  };
  struct Slot {
    const NodeInfo* node = nullptr;  ///< as counted; may since be freed: never dereferenced
    std::uint64_t generation = 0;
    std::vector<std::pair<std::uint32_t, std::int64_t>> term_carriers;  ///< (term, pods)
  };

  std::vector<Slot> slots;
  std::vector<std::unique_ptr<Key>> keys;
  std::unordered_map<std::string, Key*, StringHash, std::equal_to<>> key_by_name;
  std::vector<std::unique_ptr<Query>> queries;
  std::unordered_map<std::string, Query*, StringHash, std::equal_to<>> query_by_signature;
  std::vector<std::unique_ptr<ExistingTerm>> terms;
  std::vector<Key*> term_keys;  ///< by term index
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> term_by_signature;
  std::size_t stale_terms = 0;  ///< terms with no carrier left
  std::uint64_t epoch = 0;
  /// The list of the last sync when it came with its NodeListChanges: its first element's
  /// address, its layout and its newest generation then (0: no such list).
  const NodeInfo* const* synced_list = nullptr;
  std::uint64_t synced_layout = 0;
  std::uint64_t synced_generation = 0;

  Key& key(const std::string& name) {
    if (auto it = key_by_name.find(name); it != key_by_name.end()) return *it->second;
    auto k = std::make_unique<Key>();
    k->name = name;
    k->label = LabelKey(name);
    k->nodes_per_domain = SharedDomainTable(name);
    k->domain_by_slot.resize(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
      if (!slots[i].node) continue;
      auto label = slots[i].node->label(k->label);
      if (!label) continue;
      k->domain_by_slot[i] = std::string(label->text);
      add_to(k->nodes_per_domain, *k->domain_by_slot[i], 1);
    }
    Key* raw = k.get();
    keys.push_back(std::move(k));
    key_by_name.emplace(name, raw);
    return *raw;
  }

  static std::int64_t count_on(const Query& q, const NodeInfo& node) {
    std::int64_t n = 0;
    for (const auto& pod : node.pods())
      if (selected_by_all(q.terms, *pod)) ++n;
    return n;
  }

  void add_query_slot(Query& q, std::size_t i, std::int64_t sign) {
    const auto& domain = q.key->domain_by_slot[i];
    if (!domain) return;
    add_to(q.counts, *domain, sign * q.by_slot[i]);
    q.total += sign * q.by_slot[i];
  }

  std::uint32_t term_id(TermKind kind, const PodAffinityTerm& t) {
    std::string signature = matcher_signature(t);
    signature += "\x1d" + std::to_string(static_cast<int>(kind)) + "\x1d" +
                 std::to_string(t.weight) + "\x1d" + t.topology_key;
    if (auto it = term_by_signature.find(signature); it != term_by_signature.end())
      return it->second;
    auto e = std::make_unique<ExistingTerm>();
    e->kind = kind;
    e->term = t;
    e->pods = SharedDomainTable(t.topology_key);
    auto id = static_cast<std::uint32_t>(terms.size());
    terms.push_back(std::move(e));
    term_keys.push_back(&key(t.topology_key));
    term_by_signature.emplace(std::move(signature), id);
    ++stale_terms;  // no carrier yet
    return id;
  }

  void add_term_carriers(std::uint32_t id, std::size_t slot, std::int64_t n) {
    ExistingTerm& e = *terms[id];
    if (e.carriers == 0 && n > 0) --stale_terms;
    e.carriers += n;
    if (e.carriers == 0) ++stale_terms;
    const auto& domain = term_keys[id]->domain_by_slot[slot];
    if (!domain) return;
    add_to(e.pods, *domain, n);
    e.in_domains += n;
  }

  void collect_terms(const NodeInfo& node, Slot& slot) {
    auto note = [&](TermKind kind, const std::vector<PodAffinityTerm>& list) {
      for (const auto& t : list) {
        auto id = term_id(kind, t);
        auto it = std::find_if(slot.term_carriers.begin(), slot.term_carriers.end(),
                               [&](const auto& tc) { return tc.first == id; });
        if (it == slot.term_carriers.end())
          slot.term_carriers.emplace_back(id, 1);
        else
          ++it->second;
      }
    };
    for (const PodInfo* pod : node.pods_with_affinity()) {
      note(TermKind::required_affinity, pod->pod_affinity_required);
      note(TermKind::required_anti_affinity, pod->pod_anti_affinity_required);
      note(TermKind::preferred_affinity, pod->pod_affinity_preferred);
      note(TermKind::preferred_anti_affinity, pod->pod_anti_affinity_preferred);
    }
  }

  /// Takes slot i's counts out, from what was recorded (the old node is not read).
  void unaccount(std::size_t i) {
    Slot& slot = slots[i];
    if (!slot.node) return;
    for (auto& q : queries) add_query_slot(*q, i, -1);
    for (const auto& [id, n] : slot.term_carriers) add_term_carriers(id, i, -n);
    slot.term_carriers.clear();
    for (auto& k : keys) {
      auto& domain = k->domain_by_slot[i];
      if (domain) add_to(k->nodes_per_domain, *domain, -1);
      domain.reset();
    }
    slot.node = nullptr;
    slot.generation = 0;
  }

  /// Counts `node` into slot i (empty before).
  void account(std::size_t i, const NodeInfo* node) {
    Slot& slot = slots[i];
    slot.node = node;
    slot.generation = node->generation();
    for (auto& k : keys) {
      auto label = node->label(k->label);
      if (!label) continue;
      k->domain_by_slot[i] = std::string(label->text);
      add_to(k->nodes_per_domain, *k->domain_by_slot[i], 1);
    }
    for (auto& q : queries) {
      q->by_slot[i] = count_on(*q, *node);
      add_query_slot(*q, i, 1);
    }
    collect_terms(*node, slot);
    for (const auto& [id, n] : slot.term_carriers) add_term_carriers(id, i, n);
  }

  void resize(std::size_t n) {
    for (std::size_t i = n; i < slots.size(); ++i) unaccount(i);
    slots.resize(n);
    for (auto& k : keys) k->domain_by_slot.resize(n);
    for (auto& q : queries) q->by_slot.resize(n, 0);
  }

  void evict_one_query() {
    auto oldest = queries.end();
    for (auto it = queries.begin(); it != queries.end(); ++it)
      if ((*it)->last_used < epoch &&
          (oldest == queries.end() || (*it)->last_used < (*oldest)->last_used))
        oldest = it;
    if (oldest == queries.end()) return;  // all asked this cycle: keep them, bound exceeded once
    query_by_signature.erase((*oldest)->signature);
    queries.erase(oldest);
  }
};

TopologyIndex::TopologyIndex() : state_(std::make_unique<State>()) {}
TopologyIndex::~TopologyIndex() = default;

void TopologyIndex::sync(std::span<const NodeInfo* const> nodes, const NodeListChanges* changes) {
  std::uint64_t epoch = state_->epoch + 1;
  if (state_->stale_terms > kStaleTermsMax) state_ = std::make_unique<State>();  // recount all
  State& s = *state_;
  s.epoch = epoch;
  // The same list in the same layout as the last sync: only the positions it says changed
  // since then can differ (NodeListChanges' promise). Anything else: every position is looked at.
  bool same_list = changes != nullptr && s.synced_list == nodes.data() &&
                   s.synced_layout == changes->layout() && nodes.size() == s.slots.size();
  if (nodes.size() != s.slots.size()) s.resize(nodes.size());
  // Two passes: every changed slot is emptied before any is counted again, so registering a
  // key or a term while counting never reads a node that may have been freed.
  changed_.clear();
  auto look = [&](std::size_t i) {
    CRATON_ASSERT(nodes[i] != nullptr, "a node to index");
    const auto& slot = s.slots[i];
    if (slot.node == nodes[i] && slot.generation == nodes[i]->generation()) return;
    s.unaccount(i);
    changed_.push_back(i);
  };
  if (same_list) {
    changes->changed_after(s.synced_generation, look);
  } else {
    for (std::size_t i = 0; i < nodes.size(); ++i) look(i);
  }
  for (auto i : changed_) s.account(i, nodes[i]);
  s.synced_list = changes != nullptr ? nodes.data() : nullptr;
  s.synced_layout = changes != nullptr ? changes->layout() : 0;
  s.synced_generation = changes != nullptr ? changes->newest_generation() : 0;
}

DomainLookup TopologyIndex::count_selected(std::span<const PodAffinityTerm> terms,
                                           const std::string& topology_key) {
  State& s = *state_;
  State::Key& key = s.key(topology_key);
  if (terms.empty())
    return {std::make_shared<const DomainTable>(DomainTable{LabelKey(key.name), {}}), 1, 0};
  std::string signature;
  for (const auto& t : terms) signature += matcher_signature(t) + "\x1c";
  signature += topology_key;
  State::Query* q = nullptr;
  if (auto it = s.query_by_signature.find(signature); it != s.query_by_signature.end()) {
    q = it->second;
  } else {
    if (s.queries.size() >= kQueriesMax) s.evict_one_query();
    auto fresh = std::make_unique<State::Query>();
    fresh->terms.assign(terms.begin(), terms.end());
    fresh->key = &key;
    fresh->counts = SharedDomainTable(key.name);
    fresh->signature = signature;
    fresh->by_slot.assign(s.slots.size(), 0);
    for (std::size_t i = 0; i < s.slots.size(); ++i) {
      if (!s.slots[i].node) continue;
      fresh->by_slot[i] = State::count_on(*fresh, *s.slots[i].node);
      s.add_query_slot(*fresh, i, 1);
    }
    q = fresh.get();
    s.queries.push_back(std::move(fresh));
    s.query_by_signature.emplace(std::move(signature), q);
  }
  q->last_used = s.epoch;
  return {q->counts.share(), 1, q->total};
}

std::shared_ptr<const DomainTable> TopologyIndex::nodes_per_domain(
    const std::string& topology_key) {
  return state_->key(topology_key).nodes_per_domain.share();
}

const std::vector<std::unique_ptr<ExistingTerm>>& TopologyIndex::existing_terms() const {
  return state_->terms;
}

std::size_t TopologyIndex::queries() const {
  return state_->queries.size();
}

}  // namespace craton::scheduler
