// CycleState: the data plugins keep for one pod's scheduling cycle (what PreFilter computed for
// Filter, what PreScore computed for Score), typed rather than keyed by strings: a plugin writes
// a value of its own struct type and reads it back by that type; nobody else can mistake it.
// Also a place to keep text a plugin formats during the cycle (reasons must outlive it, see
// status.hpp), and the cycle's list of every node. One CycleState per cycle; not shared between
// threads while written; clone() copies it for a dry run (preemption).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace craton::scheduler {

class NodeInfo;
class NodeListChanges;

class CycleState {
 public:
  /// Every node of the cycle's snapshot (set by the framework before PreFilter), for plugins
  /// that count what other nodes hold (pod affinity, topology spread) while Filter and Score
  /// see one node.
  std::span<const NodeInfo* const> all_nodes() const { return all_nodes_; }
  /// What changed in that list since earlier cycles, when the list can say (a snapshot's);
  /// nullptr otherwise (a dry run's copy of the list).
  const NodeListChanges* node_changes() const { return node_changes_; }
  void set_all_nodes(std::span<const NodeInfo* const> nodes,
                     const NodeListChanges* changes = nullptr) {
    all_nodes_ = nodes;
    node_changes_ = changes;
  }

  /// Stores `value` as the cycle's T, replacing an earlier one.
  template <class T>
  T& write(T value) {
    for (auto& slot : slots_)
      if (slot.tag == tag<T>()) {
        slot.data = std::make_shared<Holder<T>>(std::move(value));
        return static_cast<Holder<T>&>(*slot.data).value;
      }
    slots_.push_back({tag<T>(), std::make_shared<Holder<T>>(std::move(value))});
    return static_cast<Holder<T>&>(*slots_.back().data).value;
  }

  /// The cycle's T, or nullptr when nobody wrote one.
  template <class T>
  const T* read() const {
    for (const auto& slot : slots_)
      if (slot.tag == tag<T>()) return &static_cast<const Holder<T>&>(*slot.data).value;
    return nullptr;
  }

  /// Keeps `text` until the cycle ends and returns a view of it (for Status reasons).
  std::string_view keep_text(std::string text) {
    texts_.push_back(std::move(text));
    return texts_.back();
  }

  /// A copy for a dry run (Kubernetes' CycleState.Clone): writes to the copy never show in this
  /// state. Cheap: what plugins wrote is shared, which is safe because read() hands out const
  /// values and write() replaces a value rather than changing it. Text the copy keeps dies with
  /// the copy; the copy's all_nodes() is this state's list until set_all_nodes.
  CycleState clone() const { return *this; }

  /// Which of the profile's Filter plugins (bit i: the i-th) PreFilter made Skip this cycle;
  /// written by the framework after PreFilter, read by Framework::run_filters_on.
  std::uint64_t skipped_filters() const { return skipped_filters_; }
  void set_skipped_filters(std::uint64_t mask) { skipped_filters_ = mask; }

 private:
  struct Base {
    virtual ~Base() = default;
  };
  template <class T>
  struct Holder : Base {
    explicit Holder(T v) : value(std::move(v)) {}
    T value;
  };
  struct Slot {
    const void* tag;
    std::shared_ptr<Base> data;
  };
  template <class T>
  static const void* tag() {
    static const char unique = 0;
    return &unique;
  }

  std::span<const NodeInfo* const> all_nodes_;
  const NodeListChanges* node_changes_ = nullptr;
  std::vector<Slot> slots_;
  std::deque<std::string> texts_;
  std::uint64_t skipped_filters_ = 0;
};

}  // namespace craton::scheduler
