// Framework: building a profile's plugins and running one scheduling cycle.
#include "actors/scheduler/framework/framework.hpp"

#include <algorithm>
#include <map>

#include "actors/scheduler/framework/seeded_random.hpp"
#include "runtime/assert.hpp"

namespace craton::scheduler {

namespace {

/// The profile's plugins at one point, in running order (see Profile).
std::vector<PluginRef> plugins_at(const Profile& profile, ExtensionPoint point,
                                  const std::vector<std::unique_ptr<Plugin>>& owned,
                                  bool (*implements)(const Plugin&)) {
  auto i = static_cast<std::size_t>(point);
  const auto& disabled = profile.disabled[i];
  auto is_disabled = [&](const std::string& name) {
    return std::find(disabled.begin(), disabled.end(), "*") != disabled.end() ||
           std::find(disabled.begin(), disabled.end(), name) != disabled.end();
  };
  std::vector<PluginRef> out = profile.enabled[i];
  for (const auto& ref : profile.multi_point) {
    bool listed = std::any_of(out.begin(), out.end(), [&](auto& r) { return r.name == ref.name; });
    if (listed || is_disabled(ref.name)) continue;
    auto it =
        std::find_if(owned.begin(), owned.end(), [&](auto& p) { return p->name() == ref.name; });
    if (it != owned.end() && implements(**it)) out.push_back(ref);
  }
  return out;
}

template <class Interface>
bool implements(const Plugin& p) {
  return dynamic_cast<const Interface*>(&p) != nullptr;
}

/// `nodes` with `copy` in place of `original` (a dry run's view of the cluster); `copy` is added
/// when `original` is not listed.
std::vector<const NodeInfo*> with_replaced(std::span<const NodeInfo* const> nodes,
                                           const NodeInfo* original, const NodeInfo* copy) {
  std::vector<const NodeInfo*> out(nodes.begin(), nodes.end());
  auto it = std::find(out.begin(), out.end(), original);
  if (it == out.end()) out.push_back(copy);
  if (it != out.end()) *it = copy;
  return out;
}

/// The same Status with its reasons kept by `keeper`: a reason may point into a copy of a node
/// (a taint's text) that dies before the reasons are read.
Status kept_by(CycleState& keeper, const Status& s) {
  Status out(s.code(), {});
  for (auto reason : s.reasons()) out.add_reason(keeper.keep_text(std::string(reason)));
  out.set_plugin(s.plugin());
  return out;
}

}  // namespace

Result<std::unique_ptr<Framework>> Framework::create(const Registry& registry,
                                                     const Profile& profile,
                                                     ResourceNames& resources,
                                                     FrameworkHandle* handle) {
  std::unique_ptr<Framework> f(new Framework());
  f->profile_ = profile;
  f->handle_ = handle;
  auto added = f->add_plugins(registry, resources);
  if (!added) return added.error();
  return f;
}

Plugin* Framework::plugin_named(std::string_view name) const {
  for (const auto& p : owned_)
    if (p->name() == name) return p.get();
  return nullptr;
}

Result<Ok> Framework::add_plugins(const Registry& registry, ResourceNames& resources) {
  // Every name the profile mentions is instantiated once.
  std::vector<std::string> names;
  for (const auto& r : profile_.multi_point) names.push_back(r.name);
  for (const auto& point : profile_.enabled)
    for (const auto& r : point) names.push_back(r.name);
  for (const auto& name : names) {
    if (plugin_named(name)) continue;
    const auto* factory = registry.find(name);
    if (!factory) return Error{"unknown_plugin", "no plugin named " + name + " is registered"};
    auto args = profile_.plugin_args.find(name);
    PluginContext context{args == profile_.plugin_args.end() ? nullptr : &args->second, resources,
                          handle_, this};
    auto plugin = (*factory)(context);
    if (!plugin) return Error{plugin.error().code, name + ": " + plugin.error().message};
    CRATON_ASSERT(plugin.value()->name() == name, "a factory builds the plugin it is named for");
    owned_.push_back(std::move(plugin.value()));
  }

  Result<Ok> failure = Ok{};
  auto bind = [&]<class Interface>(ExtensionPoint point, std::vector<Interface*>& into,
                                   auto&& on_ref) {
    for (const auto& ref : plugins_at(profile_, point, owned_, &implements<Interface>)) {
      auto* typed = dynamic_cast<Interface*>(plugin_named(ref.name));
      if (!typed) {
        failure = Error{"bad_profile", ref.name + " does not implement " +
                                           std::string(extension_point_name(point))};
        return;
      }
      into.push_back(typed);
      on_ref(ref);
    }
  };
  auto none = [](const PluginRef&) {};
  std::vector<QueueSortPlugin*> queue_sort;
  bind(ExtensionPoint::queue_sort, queue_sort, none);
  bind(ExtensionPoint::pre_filter, pre_filter_, none);
  bind(ExtensionPoint::filter, filter_, none);
  bind(ExtensionPoint::post_filter, post_filter_, none);
  bind(ExtensionPoint::pre_score, pre_score_, none);
  std::vector<ScorePlugin*> scores;
  bind(ExtensionPoint::score, scores, [&](const PluginRef& ref) {
    score_.push_back({scores.back(), ref.weight == 0 ? 1 : ref.weight});
  });
  bind(ExtensionPoint::reserve, reserve_, none);
  bind(ExtensionPoint::permit, permit_, none);
  bind(ExtensionPoint::pre_bind, pre_bind_, none);
  bind(ExtensionPoint::bind, bind_, none);
  bind(ExtensionPoint::post_bind, post_bind_, none);
  if (!failure) return failure;
  if (queue_sort.size() != 1)
    return Error{"bad_profile", "a profile needs exactly one QueueSort plugin, it has " +
                                    std::to_string(queue_sort.size())};
  queue_sort_ = queue_sort.front();
  if (filter_.size() > kFilterPluginsMax)
    return Error{"bad_profile", "a profile has at most " + std::to_string(kFilterPluginsMax) +
                                    " Filter plugins, it has " + std::to_string(filter_.size())};
  for (const auto& s : score_)
    if (s.weight < 0) return Error{"bad_profile", "score weights must be positive"};
  return Ok{};
}

bool Framework::queue_less(const QueuedPodInfo& a, const QueuedPodInfo& b) const {
  return queue_sort_->less(a, b);
}

std::vector<std::string_view> Framework::plugin_names(ExtensionPoint point) const {
  std::vector<std::string_view> out;
  auto add = [&](const auto& list) {
    for (const auto* p : list) out.push_back(p->name());
  };
  switch (point) {
    case ExtensionPoint::queue_sort:
      out.push_back(queue_sort_->name());
      break;
    case ExtensionPoint::pre_filter:
      add(pre_filter_);
      break;
    case ExtensionPoint::filter:
      add(filter_);
      break;
    case ExtensionPoint::post_filter:
      add(post_filter_);
      break;
    case ExtensionPoint::pre_score:
      add(pre_score_);
      break;
    case ExtensionPoint::score:
      for (const auto& s : score_) out.push_back(s.plugin->name());
      break;
    case ExtensionPoint::reserve:
      add(reserve_);
      break;
    case ExtensionPoint::permit:
      add(permit_);
      break;
    case ExtensionPoint::pre_bind:
      add(pre_bind_);
      break;
    case ExtensionPoint::bind:
      add(bind_);
      break;
    case ExtensionPoint::post_bind:
      add(post_bind_);
      break;
  }
  return out;
}

std::map<std::string, std::vector<ClusterEvent>, std::less<>> Framework::events_to_register()
    const {
  std::map<std::string, std::vector<ClusterEvent>, std::less<>> out;
  for (const auto& p : owned_) {
    const auto* ext = dynamic_cast<const EnqueueExtensions*>(p.get());
    out.emplace(std::string(p->name()),
                ext ? ext->events_to_register() : std::vector<ClusterEvent>{ClusterEvent::any()});
  }
  return out;
}

ScheduleResult Framework::schedule(CycleState& state, const PodInfo& pod,
                                   std::span<const NodeInfo* const> nodes,
                                   const CycleOptions& options) {
  ScheduleResult result;
  state.set_all_nodes(nodes, options.node_changes);
  if (nodes.empty()) {
    result.code = Code::unschedulable;
    result.message = "no nodes available to schedule pods";
    return result;
  }
  if (!run_pre_filter(state, pod, nodes, result)) return result;
  find_feasible(state, pod, nodes, result);
  if (result.code == Code::error) return result;
  if (feasible_.empty()) {
    result.code = Code::unschedulable;
    result.message = failed_scheduling_message(nodes.size(), "", result.rejected, "");
    return result;
  }
  if (feasible_.size() == 1) {  // as Kubernetes: nothing to compare, no scoring
    result.suggested_node = feasible_index_.front();
    result.suggested_host = nodes[result.suggested_node]->name();
    return result;
  }
  if (!run_scores(state, pod, options, result)) return result;
  select_host(nodes, options.tie_seed, result);
  return result;
}

bool Framework::run_pre_filter(CycleState& state, const PodInfo& pod,
                               std::span<const NodeInfo* const> nodes, ScheduleResult& result) {
  skipped_filters_.clear();
  for (auto* p : pre_filter_) {
    Status s = p->pre_filter(state, pod, nodes);
    s.set_plugin(p->name());
    if (s.is_success()) continue;
    if (s.is_skip()) {
      skipped_filters_.push_back(p);
      continue;
    }
    if (s.code() == Code::error) {
      result.code = Code::error;
      result.message = "running PreFilter plugin " + std::string(p->name()) + ": " + s.message();
      return false;
    }
    // Rejected outright: every node carries the PreFilter's status, as in Kubernetes.
    result.code = Code::unschedulable;
    result.unschedulable_plugins.emplace_back(p->name());
    result.rejected.reserve(nodes.size());
    for (std::uint32_t i = 0; i < nodes.size(); ++i) result.rejected.push_back({i, s});
    result.message = failed_scheduling_message(nodes.size(), s.message(), result.rejected, "");
    return false;
  }
  // The Filter plugins of this cycle, decided once rather than per node.
  active_filters_.clear();
  for (auto* p : filter_) {
    const Plugin* plugin = p;
    if (std::find(skipped_filters_.begin(), skipped_filters_.end(), plugin) ==
        skipped_filters_.end())
      active_filters_.push_back(p);
  }
  state.set_skipped_filters(skipped_filter_mask());  // for dry runs on clones of this state
  return true;
}

Status Framework::run_filters(const CycleState& state, const PodInfo& pod,
                              const NodeInfo& node) const {
  for (const auto* p : active_filters_) {
    Status s = p->filter(state, pod, node);
    if (!s.is_success()) {
      s.set_plugin(p->name());
      return s;
    }
  }
  return {};
}

int Framework::filter_index_of(const Plugin* plugin) const {
  for (std::size_t i = 0; i < filter_.size(); ++i)
    if (static_cast<const Plugin*>(filter_[i]) == plugin) return static_cast<int>(i);
  return -1;
}

std::uint64_t Framework::skipped_filter_mask() const {
  std::uint64_t mask = 0;
  for (const Plugin* p : skipped_filters_) {
    int i = filter_index_of(p);
    if (i >= 0) mask |= std::uint64_t{1} << i;
  }
  return mask;
}

Status Framework::run_filters_on(const CycleState& state, const PodInfo& pod,
                                 const NodeInfo& node) const {
  std::uint64_t skipped = state.skipped_filters();
  for (std::size_t i = 0; i < filter_.size(); ++i) {
    if ((skipped >> i) & 1) continue;
    Status s = filter_[i]->filter(state, pod, node);
    if (!s.is_success()) {
      s.set_plugin(filter_[i]->name());
      return s;
    }
  }
  return {};
}

Status Framework::run_pre_filter_changes(CycleState& state, const PodInfo& pod,
                                         const NodeInfo& node, std::span<const PodChange> changes) {
  if (changes.empty()) return {};
  std::uint64_t skipped = state.skipped_filters();
  for (auto* p : pre_filter_) {
    int index = filter_index_of(p);
    std::uint64_t bit = index < 0 ? 0 : std::uint64_t{1} << index;
    Status s;
    if (const auto* extensions = p->pre_filter_extensions()) {
      if (skipped & bit) continue;  // its Filter does not run: nothing to keep up to date
      for (const auto& c : changes) {
        s = c.added ? extensions->add_pod(state, pod, *c.pod, node)
                    : extensions->remove_pod(state, pod, *c.pod, node);
        if (!s.is_success()) break;
      }
    } else {
      // Without extensions the plugin's data may come from any node (topology counts), and the
      // plugin cannot be told what changed: it computes it again from the nodes as they are now.
      s = p->pre_filter(state, pod, state.all_nodes());
      if (s.is_skip()) {
        skipped |= bit;
        continue;
      }
      if (s.is_success()) skipped &= ~bit;
    }
    if (!s.is_success()) {
      s.set_plugin(p->name());
      state.set_skipped_filters(skipped);
      return s;
    }
  }
  state.set_skipped_filters(skipped);
  return {};
}

Status Framework::run_filters_with_nominated_pods(CycleState& state, const PodInfo& pod,
                                                  const NodeInfo& node) {
  if (handle_ != nullptr && handle_->any_nominated_pods()) {
    // Only pods that may not yield to this one: it must not take the room freed for them; the
    // room freed for lower-priority pods it may take (kube's addGENominatedPods).
    std::vector<std::shared_ptr<const PodInfo>> ahead;
    for (auto& p : handle_->nominated_pods(node.name()))
      if (p->priority >= pod.priority && p->uid != pod.uid) ahead.push_back(std::move(p));
    if (!ahead.empty()) {
      Status s = run_filters_with_added(state, pod, node, ahead);
      if (!s.is_success()) return s;
    }
  }
  // Also without them: they may never come, and a pod they would attract (pod affinity) must
  // not count on them.
  return run_filters_on(state, pod, node);
}

Status Framework::run_filters_with_added(CycleState& state, const PodInfo& pod,
                                         const NodeInfo& node,
                                         std::span<const std::shared_ptr<const PodInfo>> ahead) {
  NodeInfo with(node);
  CycleState with_state = state.clone();
  auto nodes = with_replaced(state.all_nodes(), &node, &with);
  with_state.set_all_nodes(nodes);
  std::vector<PodChange> changes;
  for (const auto& p : ahead) {
    with.add_pod(p);
    changes.push_back({true, p.get()});
  }
  Status s = run_pre_filter_changes(with_state, pod, with, changes);
  // A PreFilter run again over the changed nodes may reject (kube's AddPod extensions never
  // do): the pod does not fit beside the nominated pods. A failure is an Error, as in kube.
  if (s.code() == Code::error)
    return Status::error(state.keep_text("adding the pods nominated to node " + node.name() +
                                         ": PreFilter of " + std::string(s.plugin()) + ": " +
                                         s.message()));
  if (s.is_success()) s = run_filters_on(with_state, pod, with);
  return s.is_success() ? s : kept_by(state, s);
}

void Framework::find_feasible(CycleState& state, const PodInfo& pod,
                              std::span<const NodeInfo* const> nodes, ScheduleResult& result) {
  // Asked once per cycle: without nominated pods every node takes the one-pass path.
  bool nominated = handle_ != nullptr && handle_->any_nominated_pods();
  auto all = static_cast<std::uint32_t>(nodes.size());
  std::uint32_t wanted =
      num_feasible_nodes_to_find(all, profile_.percentage_of_nodes_to_score.value_or(0));
  feasible_.clear();
  feasible_index_.clear();
  std::uint32_t start = next_start_node_index_ % all;
  std::uint32_t processed = 0;
  for (; processed < all && feasible_.size() < wanted; ++processed) {
    std::uint32_t i = (start + processed) % all;
    Status s = nominated ? run_filters_with_nominated_pods(state, pod, *nodes[i])
                         : run_filters(state, pod, *nodes[i]);
    if (s.is_success()) {
      feasible_.push_back(nodes[i]);
      feasible_index_.push_back(i);
      continue;
    }
    if (s.code() == Code::error) {
      result.code = Code::error;
      result.message = "running Filter plugin " + std::string(s.plugin()) + " on node " +
                       nodes[i]->name() + ": " + s.message();
      return;
    }
    // One allocation, not a doubling chain: a rejected node's Status is ~150 bytes and a zonal
    // affinity pod can be refused by 90% of 5,000 nodes (that chain was 25% of such a cycle).
    if (result.rejected.empty()) result.rejected.reserve(all - processed);
    result.rejected.push_back({i, s});
    auto& names = result.unschedulable_plugins;
    if (std::find(names.begin(), names.end(), s.plugin()) == names.end())
      names.emplace_back(s.plugin());
  }
  std::sort(result.unschedulable_plugins.begin(), result.unschedulable_plugins.end());
  next_start_node_index_ = (start + processed) % all;
  result.evaluated_nodes = processed;
  result.feasible_nodes = static_cast<std::uint32_t>(feasible_.size());
}

bool Framework::run_scores(CycleState& state, const PodInfo& pod, const CycleOptions& options,
                           ScheduleResult& result) {
  skipped_scores_.clear();
  for (auto* p : pre_score_) {
    Status s = p->pre_score(state, pod, feasible_);
    if (s.is_skip()) {
      skipped_scores_.push_back(p);
    } else if (!s.is_success()) {
      result.code = Code::error;
      result.message = "running PreScore plugin " + std::string(p->name()) + ": " + s.message();
      return false;
    }
  }
  result.scores.resize(feasible_.size());
  for (std::size_t n = 0; n < feasible_.size(); ++n) {
    result.scores[n].node = feasible_index_[n];
    if (options.explain) result.scores[n].by_plugin.assign(score_.size(), 0);
  }
  for (std::size_t k = 0; k < score_.size(); ++k) {
    const ScorePlugin* p = score_[k].plugin;
    if (std::find(skipped_scores_.begin(), skipped_scores_.end(), p) != skipped_scores_.end())
      continue;
    plugin_scores_.resize(feasible_.size());
    for (std::uint32_t n = 0; n < feasible_.size(); ++n) {
      plugin_scores_[n] = {n, 0};
      Status s = p->score(state, pod, *feasible_[n], plugin_scores_[n].score);
      if (!s.is_success()) {
        result.code = Code::error;
        result.message = "running Score plugin " + std::string(p->name()) + ": " + s.message();
        return false;
      }
    }
    if (p->has_normalize_score()) {
      Status s = p->normalize_score(state, pod, plugin_scores_);
      if (!s.is_success()) {
        result.code = Code::error;
        result.message = "running NormalizeScore of " + std::string(p->name()) + ": " + s.message();
        return false;
      }
    }
    for (std::uint32_t n = 0; n < feasible_.size(); ++n) {
      std::int64_t score = plugin_scores_[n].score;
      if (score < kMinNodeScore || score > kMaxNodeScore) {
        result.code = Code::error;
        result.message = "plugin " + std::string(p->name()) + " returns an invalid score " +
                         std::to_string(score) +
                         ", it should in the range of [0, 100] after "
                         "normalizing";
        return false;
      }
      std::int64_t weighted = score * score_[k].weight;
      result.scores[n].total += weighted;
      if (options.explain) result.scores[n].by_plugin[k] = weighted;
    }
  }
  return true;
}

void Framework::select_host(std::span<const NodeInfo* const> nodes, std::uint64_t tie_seed,
                            ScheduleResult& result) const {
  CRATON_ASSERT(!result.scores.empty(), "a host is chosen among scored nodes");
  // Reservoir sampling over the best-scored nodes, as Kubernetes' selectHost, with the caller's
  // seed: each of k equally best nodes is chosen with probability 1/k.
  std::uint64_t rng = tie_seed;
  std::int64_t best = result.scores.front().total;
  std::uint32_t chosen = result.scores.front().node;
  std::uint64_t ties = 1;
  for (std::size_t n = 1; n < result.scores.size(); ++n) {
    const auto& s = result.scores[n];
    if (s.total > best) {
      best = s.total;
      chosen = s.node;
      ties = 1;
    } else if (s.total == best) {
      ++ties;
      if (next_random(rng) % ties == 0) chosen = s.node;
    }
  }
  result.suggested_node = chosen;
  result.suggested_host = nodes[chosen]->name();
}

PostFilterResult Framework::run_post_filter(CycleState& state, const PodInfo& pod,
                                            const NodeStatuses& filtered) {
  PostFilterResult last;
  last.status = Status::unschedulable("no PostFilter plugin nominated a node");
  for (auto* p : post_filter_) {
    auto r = p->post_filter(state, pod, filtered);
    r.status.set_plugin(p->name());
    if (r.status.is_success() || r.status.code() == Code::error) return r;
    last = r;
  }
  return last;
}

Status Framework::run_reserve(CycleState& state, const PodInfo& pod, std::string_view node) {
  for (std::size_t i = 0; i < reserve_.size(); ++i) {
    Status s = reserve_[i]->reserve(state, pod, node);
    if (s.is_success()) continue;
    s.set_plugin(reserve_[i]->name());
    for (std::size_t j = i + 1; j-- > 0;) reserve_[j]->unreserve(state, pod, node);
    return s;
  }
  return {};
}

void Framework::run_unreserve(CycleState& state, const PodInfo& pod, std::string_view node) {
  for (auto it = reserve_.rbegin(); it != reserve_.rend(); ++it) (*it)->unreserve(state, pod, node);
}

PermitResult Framework::run_permit(CycleState& state, const PodInfo& pod, std::string_view node) {
  PermitResult out;
  for (auto* p : permit_) {
    auto d = p->permit(state, pod, node);
    d.status.set_plugin(p->name());
    if (d.status.is_success()) continue;
    if (d.status.code() != Code::wait) {  // a rejection or an error: the later plugins are moot
      out.status = d.status;
      out.waits.clear();
      return out;
    }
    std::int64_t timeout_ms = std::clamp<std::int64_t>(d.timeout_ms, 0, kPermitWaitMaxMs);
    out.waits.push_back({std::string(p->name()), timeout_ms});
  }
  if (!out.waits.empty())
    out.status = Status(Code::wait, {state.keep_text("one or more plugins asked to wait and no "
                                                     "plugin rejected pod \"" +
                                                     pod.name + "\"")});
  return out;
}

Status Framework::run_pre_bind(CycleState& state, const PodInfo& pod, std::string_view node) {
  for (auto* p : pre_bind_) {
    Status s = p->pre_bind(state, pod, node);
    if (s.is_success()) continue;
    s.set_plugin(p->name());
    return s;
  }
  return {};
}

Status Framework::run_bind(CycleState& state, const PodInfo& pod, std::string_view node) {
  for (auto* p : bind_) {
    Status s = p->bind(state, pod, node);
    if (s.is_skip()) continue;
    s.set_plugin(p->name());
    return s;
  }
  return Status::skip();  // no binder took the pod
}

void Framework::run_post_bind(CycleState& state, const PodInfo& pod, std::string_view node) {
  for (auto* p : post_bind_) p->post_bind(state, pod, node);
}

std::string failed_scheduling_message(std::size_t all_nodes, std::string_view pre_filter_message,
                                      std::span<const RejectedNode> rejected,
                                      std::string_view post_filter_message) {
  std::string out = "0/" + std::to_string(all_nodes) + " nodes are available:";
  if (!pre_filter_message.empty()) {
    out += " ";
    out += pre_filter_message;
    out += ".";
  } else {
    std::map<std::string_view, std::size_t> counts;
    for (const auto& r : rejected)
      for (auto reason : r.status.reasons()) ++counts[reason];
    std::vector<std::string> lines;
    lines.reserve(counts.size());
    for (const auto& [reason, count] : counts)
      lines.push_back(std::to_string(count) + " " + std::string(reason));
    std::sort(lines.begin(), lines.end());  // as strings: "10 x" sorts before "2 y", as kube's
    if (!lines.empty()) {
      out += " ";
      for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? ", " : "") + lines[i];
      out += ".";
    }
  }
  if (!post_filter_message.empty()) {
    out += " ";
    out += post_filter_message;
  }
  return out;
}

}  // namespace craton::scheduler
