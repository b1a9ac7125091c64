// Status: what a plugin answers at an extension point, as Kubernetes' framework.Status: a code
// (Success, Error, Unschedulable, UnschedulableAndUnresolvable, Wait, Skip), the reasons a user
// reads ("Insufficient cpu"), and the plugin that answered (filled in by the framework).
//
// A Status is a small trivially copyable value so that recording one per rejected node costs no
// heap allocation: reasons are string_views. Promise asked of plugins: a reason points at text
// that outlives the scheduling cycle (a string literal, text held by a NodeInfo, a PodInfo or
// ResourceNames, or text kept with CycleState::keep_text()). At most kStatusReasonsMax reasons.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace craton::scheduler {

enum class Code : std::uint8_t {
  success,
  error,                           ///< the cycle stops; nothing is decided
  unschedulable,                   ///< may fit after preemption or a cluster change
  unschedulable_and_unresolvable,  ///< preemption cannot help on this node
  wait,                            ///< Permit: hold the pod until allowed or timed out
  skip,                            ///< PreFilter/PreScore: skip this plugin's Filter/Score
};

std::string_view code_name(Code code);

inline constexpr std::size_t kStatusReasonsMax = 8;

class Status {
 public:
  Status() = default;  ///< success
  Status(Code code, std::initializer_list<std::string_view> reasons);

  static Status success() { return {}; }
  static Status skip() { return Status(Code::skip, {}); }
  static Status error(std::string_view reason) { return Status(Code::error, {reason}); }
  static Status unschedulable(std::string_view reason) {
    return Status(Code::unschedulable, {reason});
  }
  static Status unresolvable(std::string_view reason) {
    return Status(Code::unschedulable_and_unresolvable, {reason});
  }

  Code code() const { return code_; }
  bool is_success() const { return code_ == Code::success; }
  bool is_skip() const { return code_ == Code::skip; }
  /// Unschedulable or UnschedulableAndUnresolvable.
  bool is_rejected() const {
    return code_ == Code::unschedulable || code_ == Code::unschedulable_and_unresolvable;
  }
  std::span<const std::string_view> reasons() const { return {reasons_.items, count_}; }
  /// Adds a reason; asserts there is room (kStatusReasonsMax).
  void add_reason(std::string_view reason);
  std::string_view plugin() const { return plugin_; }
  void set_plugin(std::string_view plugin) { plugin_ = plugin; }
  /// The reasons joined by ", " (Kubernetes' Status.Message()).
  std::string message() const;

 private:
  /// Reason slots left unconstructed until used: a Status is made per node and plugin, and
  /// clearing 8 views each time was a visible share of a cycle.
  union Reasons {
    Reasons() {}
    std::string_view items[kStatusReasonsMax];
  };
  Code code_ = Code::success;
  std::uint8_t count_ = 0;
  std::string_view plugin_;
  Reasons reasons_;
};

}  // namespace craton::scheduler
