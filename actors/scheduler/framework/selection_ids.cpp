// SelectionIds: the text of a selection and the process-wide numbering (see the header).
#include "actors/scheduler/framework/selection_ids.hpp"

#include <atomic>

#include "runtime/stable_hash.hpp"

namespace craton::scheduler {

namespace {
std::uint64_t next_selection_id() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace

std::uint64_t label_hash(std::string_view key, std::string_view value) {
  StableHash h;
  h.add(key);
  h.add(std::string_view("\0", 1));  // no label key holds a NUL: "a" + "bc" differs from "ab" + "c"
  h.add(value);
  return h.value();
}

std::shared_ptr<const Selection> SelectionIds::selection_of(const std::string& namespace_,
                                                            const api::LabelSelector& selector) {
  // A namespace name holds no newline, so the split between the two parts is unambiguous.
  auto text = namespace_ + "\n" + selector.to_string();
  auto found = selections_.find(text);
  if (found != selections_.end()) return found->second;
  if (selections_.size() >= kTextsMax) selections_.clear();
  Selection made{next_selection_id(), namespace_, selector, {}};
  for (const auto& r : selector.requirements()) {
    bool single =
        r.op == api::SelectorOp::equals || (r.op == api::SelectorOp::in && r.values.size() == 1);
    if (single) made.required_labels.push_back(label_hash(r.key, r.values.front()));
  }
  return selections_.emplace(std::move(text), std::make_shared<const Selection>(std::move(made)))
      .first->second;
}

}  // namespace craton::scheduler
