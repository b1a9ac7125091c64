#include "sim/linearizability/state_space.hpp"

#include <algorithm>
#include <stdexcept>

namespace craton::linearizability {
namespace {

Error unfit(const Operation& op, const std::string& what) {
  std::string where = op.invoke_line != 0 ? "line " + std::to_string(op.invoke_line)
                                          : "event " + std::to_string(op.invoke_pos);
  return Error{"malformed", where + ": " + what};
}

}  // namespace

Result<Model> parse_model(std::string_view name) {
  if (name == "register") return Model::register_model;
  if (name == "kv") return Model::kv;
  return Error{"usage", "unknown model \"" + std::string(name) + "\" (use register or kv)"};
}

const char* to_string(Model model) {
  return model == Model::kv ? "kv" : "register";
}

StateSpace::StateSpace(Model model) : model_(model) {
  const Value start = model == Model::kv ? Value::string("") : Value::null_value();
  initial_ = intern_node(kWhole, intern_value(start));
}

Result<StateSpace::Step> StateSpace::prepare(const Operation& op) {
  Step step;
  step.f = op.f;
  if (model_ == Model::register_model) {
    if (op.f == OpKind::append) return unfit(op, "the register model has no append (use kv)");
    step.value = intern_value(op.value);
    step.expected = intern_value(op.expected);
    return step;
  }
  if (!op.key) return unfit(op, "the kv model needs a \"key\" on every invocation");
  // kv: a missing key reads as "", so a null read or a null cas expectation means "".
  auto as_kv = [](const Value& v) { return v.is_null() ? Value::string("") : v; };
  const Value value = op.f == OpKind::read ? as_kv(op.value) : op.value;
  const Value expected = as_kv(op.expected);
  if (value.kind != Value::Kind::string || expected.kind != Value::Kind::string)
    return unfit(op, "kv values must be strings");
  step.value = intern_value(value);
  step.expected = intern_value(expected);
  return step;
}

std::optional<StateSpace::StateId> StateSpace::apply(StateId state, const Step& step) {
  switch (step.f) {
    case OpKind::read:
      if (!holds(state, step.value)) return std::nullopt;
      return state;
    case OpKind::write:
      return intern_node(kWhole, step.value);
    case OpKind::append:
      return intern_node(state, step.value);
    case OpKind::cas:
      if (!holds(state, step.expected)) return std::nullopt;
      return intern_node(kWhole, step.value);
  }
  return std::nullopt;
}

Value StateSpace::value_of(StateId state) const {
  const Node& node = nodes_.at(state);
  if (node.parent == kWhole) return values_[node.piece];
  return Value::string(contents(state));
}

std::uint32_t StateSpace::intern_value(const Value& value) {
  std::string tag(1, static_cast<char>('0' + static_cast<int>(value.kind)));
  tag += value.text;
  auto [it, inserted] = value_ids_.try_emplace(std::move(tag), values_.size());
  if (inserted) values_.push_back(value);
  return it->second;
}

StateSpace::StateId StateSpace::intern_node(StateId parent, std::uint32_t piece) {
  const std::uint64_t key = (std::uint64_t{parent} << 32) | piece;
  auto [it, inserted] = node_ids_.try_emplace(key, static_cast<StateId>(nodes_.size()));
  if (inserted) {
    if (nodes_.size() == kWhole) throw std::length_error("linearizability: too many states");
    const std::uint64_t base = parent == kWhole ? 0 : nodes_[parent].length;
    nodes_.push_back(Node{parent, piece, base + values_[piece].text.size()});
  }
  return it->second;
}

bool StateSpace::holds(StateId state, std::uint32_t value) const {
  const Node& node = nodes_[state];
  if (node.parent == kWhole) return node.piece == value;  // interned: same id, same value
  const Value& v = values_[value];
  if (v.kind != Value::Kind::string || v.text.size() != node.length) return false;
  return contents(state) == v.text;
}

std::string StateSpace::contents(StateId state) const {
  std::vector<std::uint32_t> pieces;
  for (StateId s = state; s != kWhole; s = nodes_[s].parent) pieces.push_back(nodes_[s].piece);
  std::string out;
  out.reserve(nodes_[state].length);
  for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) out += values_[*it].text;
  return out;
}

}  // namespace craton::linearizability
