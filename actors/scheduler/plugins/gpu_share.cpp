// GpuShare: the per-node GPU table, the per-GPU Filter, and Reserve's record of the GPUs chosen.
#include "actors/scheduler/plugins/gpu_share.hpp"

#include <algorithm>
#include <map>

#include "actors/scheduler/framework/binding_annotations.hpp"

namespace craton::scheduler {

bool mask_has_room(const NodeGpus& gpus, const GpuRequest& request, GpuMask mask) {
  std::int32_t taken = 0;
  for (std::int32_t g = 0; g < gpus.count; ++g) {
    if (!(mask & (GpuMask{1} << g))) continue;
    if (gpus.free_of(g) < request.milli_per_gpu()) return false;
    ++taken;
  }
  std::int32_t wanted = request.whole > 0 ? request.whole : 1;
  return taken == wanted && (mask >> gpus.count) == 0;
}

std::string gpu_index_text(GpuMask mask) {
  std::string out;
  for (std::size_t g = 0; g < kGpusPerNodeMax; ++g) {
    if (!(mask & (GpuMask{1} << g))) continue;
    if (!out.empty()) out += ',';
    out += std::to_string(g);
  }
  return out;
}

std::optional<GpuMask> parse_gpu_index(std::string_view text) {
  GpuMask mask = 0;
  std::int64_t last = -1;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto part = text.substr(0, comma);
    if (part.empty() || part.size() > 3) return std::nullopt;
    std::int64_t g = 0;
    for (char ch : part) {
      if (ch < '0' || ch > '9') return std::nullopt;
      g = g * 10 + (ch - '0');
    }
    if (g <= last || g >= std::int64_t(kGpusPerNodeMax)) return std::nullopt;
    mask |= GpuMask{1} << g;
    last = g;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::nullopt;  // a trailing comma
  }
  if (mask == 0) return std::nullopt;
  return mask;
}

GpuShare::Entry GpuShare::derive(const NodeInfo& node) const {
  Entry out;
  out.generation = node.generation();
  out.gpus = empty_node_gpus(node, ids_);
  std::map<std::string_view, std::string_view> annotated;  // uid -> craton.io/gpu-index
  for (const auto& pod : node.pods()) {
    GpuRequest request = gpu_request_of(pod->requests, ids_);
    if (request.none() || !request.valid) continue;
    out.placements.push_back({pod->uid, request, 0});
    if (!pod->gpu_index.empty()) annotated[pod->uid] = pod->gpu_index;
  }
  std::sort(out.placements.begin(), out.placements.end(),
            [](const GpuPlacement& a, const GpuPlacement& b) { return a.uid < b.uid; });
  // Known GPUs first (the table's earlier entry, Reserve's records, the pod's annotation), in
  // uid order ...
  auto known = table_.find(node.name());
  std::vector<bool> placed(out.placements.size(), false);
  for (std::size_t i = 0; i < out.placements.size(); ++i) {
    GpuPlacement& p = out.placements[i];
    std::optional<GpuMask> mask;
    if (known != table_.end()) {
      const auto& before = known->second.placements;
      auto it = std::lower_bound(
          before.begin(), before.end(), p.uid,
          [](const GpuPlacement& e, const std::string& uid) { return e.uid < uid; });
      if (it != before.end() && it->uid == p.uid && it->request == p.request && it->mask != 0)
        mask = it->mask;
    }
    if (!mask)
      if (auto r = reserved_.find(p.uid); r != reserved_.end() && r->second.node == node.name())
        mask = r->second.mask;
    if (!mask)
      if (auto a = annotated.find(p.uid); a != annotated.end()) mask = parse_gpu_index(a->second);
    if (!mask || !mask_has_room(out.gpus, p.request, *mask)) continue;
    p.mask = *mask;
    out.gpus.take(p.request, p.mask, 0);
    placed[i] = true;
  }
  // ... then the others by the same rule as a new decision, in uid order.
  for (std::size_t i = 0; i < out.placements.size(); ++i) {
    if (placed[i]) continue;
    GpuPlacement& p = out.placements[i];
    if (auto mask = choose_gpus(out.gpus, p.request)) {
      p.mask = *mask;
      out.gpus.take(p.request, p.mask, 0);
    }
  }
  return out;
}

const GpuShare::Entry* GpuShare::current(const NodeInfo& node) const {
  auto it = by_generation_.find(node.generation());
  return it == by_generation_.end() ? nullptr : it->second;
}

NodeGpus GpuShare::node_gpus(const NodeInfo& node) const {
  if (const Entry* e = current(node)) return e->gpus;
  return derive(node).gpus;
}

std::vector<GpuPlacement> GpuShare::placements(const NodeInfo& node) const {
  if (const Entry* e = current(node)) return e->placements;
  return derive(node).placements;
}

Status GpuShare::pre_filter(CycleState& state, const PodInfo& pod,
                            std::span<const NodeInfo* const> nodes) {
  for (const NodeInfo* node : nodes) {
    if (node->allocatable().get(ids_.gpus) <= 0) continue;  // no GPUs: nothing to track
    if (current(*node)) continue;
    Entry fresh = derive(*node);
    for (const auto& p : fresh.placements) {  // Reserve's records are now in the table
      auto r = reserved_.find(p.uid);
      if (r != reserved_.end() && r->second.node == node->name()) reserved_.erase(r);
    }
    Entry& entry = table_[node->name()];
    by_generation_.erase(entry.generation);
    entry = std::move(fresh);
    by_generation_[entry.generation] = &entry;
  }
  if (table_.size() > 2 * nodes.size() + 16) {  // nodes left the cluster: drop their entries
    std::unordered_map<std::string, Entry> kept;
    for (const NodeInfo* node : nodes)
      if (auto it = table_.find(node->name()); it != table_.end())
        kept.emplace(it->first, std::move(it->second));
    table_ = std::move(kept);
    by_generation_.clear();
    for (const auto& [name, entry] : table_) by_generation_[entry.generation] = &entry;
  }
  GpuCycleData data{gpu_request_of(pod.requests, ids_), this};
  state.write(data);
  return data.request.none() ? Status::skip() : Status::success();
}

Status GpuShare::filter(const CycleState& state, const PodInfo& pod, const NodeInfo& node) const {
  const GpuCycleData* data = state.read<GpuCycleData>();
  GpuRequest request = data ? data->request : gpu_request_of(pod.requests, ids_);
  if (request.none()) return {};
  if (!request.valid) return Status::unresolvable(kInvalid);
  if (choose_gpus(node_gpus(node), request)) return {};
  return Status::unschedulable(request.share() ? kNoGpuForShare : kTooFewFreeGpus);
}

Status GpuShare::reserve(CycleState& state, const PodInfo& pod, std::string_view node_name) {
  const GpuCycleData* data = state.read<GpuCycleData>();
  GpuRequest request = data ? data->request : gpu_request_of(pod.requests, ids_);
  if (request.none() || !request.valid) return {};
  const NodeInfo* node = nullptr;
  for (const NodeInfo* n : state.all_nodes())
    if (n->name() == node_name) node = n;
  if (!node) return Status::error("GpuShare: the chosen node is not in the cycle's node list");
  NodeGpus gpus = node_gpus(*node);
  const GpuChooserRef* chooser = state.read<GpuChooserRef>();
  auto mask = chooser && chooser->chooser
                  ? chooser->chooser->choose(gpus, request, pod.requests.milli_cpu)
                  : choose_gpus(gpus, request);
  if (!mask) return Status::unschedulable(request.share() ? kNoGpuForShare : kTooFewFreeGpus);
  reserved_[pod.uid] = {std::string(node_name), *mask};
  add_binding_annotation(state, std::string(kGpuIndexAnnotation), gpu_index_text(*mask));
  return {};
}

void GpuShare::unreserve(CycleState&, const PodInfo& pod, std::string_view node_name) {
  if (auto r = reserved_.find(pod.uid); r != reserved_.end() && r->second.node == node_name)
    reserved_.erase(r);
  // Already in the table (the cache assumed it and a cycle ran): drop it so a pod that comes
  // back later is placed as new. The node's next generation derives the rest again.
  if (auto it = table_.find(std::string(node_name)); it != table_.end()) {
    auto& list = it->second.placements;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const GpuPlacement& p) { return p.uid == pod.uid; }),
               list.end());
    by_generation_.erase(it->second.generation);
    it->second.generation = 0;  // re-derive on next sight
  }
}

Result<std::unique_ptr<Plugin>> make_gpu_share(const PluginContext& context) {
  if (context.args) return Error{"bad_args", "GpuShare takes no arguments"};
  return std::unique_ptr<Plugin>(new GpuShare(context.resources));
}

Status gpu_score_input(const CycleState& state, const NodeInfo& node,
                       std::string_view missing_reason, GpuScoreInput& out) {
  out.data = state.read<GpuCycleData>();
  if (!out.data || !out.data->gpu_share) return Status::error(missing_reason);
  out.gpus = out.data->gpu_share->node_gpus(node);
  return {};
}

}  // namespace craton::scheduler
