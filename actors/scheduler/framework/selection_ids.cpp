// SelectionIds: the text of a selection and the process-wide numbering (see the header).
#include "actors/scheduler/framework/selection_ids.hpp"

#include <atomic>

namespace craton::scheduler {

namespace {
std::uint64_t next_selection_id() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace

std::uint64_t SelectionIds::id_of(const std::string& namespace_,
                                  const api::LabelSelector& selector) {
  // A namespace name holds no newline, so the split between the two parts is unambiguous.
  auto text = namespace_ + "\n" + selector.to_string();
  auto found = ids_.find(text);
  if (found != ids_.end()) return found->second;
  if (ids_.size() >= kTextsMax) ids_.clear();
  return ids_.emplace(std::move(text), next_selection_id()).first->second;
}

}  // namespace craton::scheduler
