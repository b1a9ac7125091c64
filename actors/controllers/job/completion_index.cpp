// Indexed Jobs' completion indexes: the range syntax and the indexed pod template.
#include "actors/controllers/job/completion_index.hpp"

#include <charconv>
#include <map>
#include <vector>

namespace craton::controllers {
namespace k8s = schema::k8s;
namespace {

std::optional<std::int32_t> parse_index(std::string_view text) {
  std::int32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

// StringMap entries stay sorted by key with unique keys (api_meta.capnp's promise).
void set_entry(k8s::StringMap::Builder map, const std::string& key, const std::string& value) {
  std::map<std::string, std::string> entries;
  for (auto e : map.asReader().getEntries()) entries[e.getKey()] = e.getValue();
  entries[key] = value;
  auto list = map.initEntries(unsigned(entries.size()));
  unsigned i = 0;
  for (const auto& [k, v] : entries) {
    list[i].setKey(k);
    list[i].setValue(v);
    ++i;
  }
}

void add_index_variable(capnp::List<k8s::Container>::Builder containers) {
  for (auto container : containers) {
    auto old = container.asReader().getEnv();
    bool defined = false;
    for (auto e : old) defined = defined || e.getName() == kJobCompletionIndexEnv;
    if (defined) continue;
    auto orphan =
        capnp::Orphanage::getForMessageContaining(container).newOrphan<capnp::List<k8s::EnvVar>>(
            old.size() + 1);
    for (unsigned i = 0; i < old.size(); ++i) orphan.get().setWithCaveats(i, old[i]);
    auto variable = orphan.get()[old.size()];
    variable.setName(kJobCompletionIndexEnv);
    auto field = variable.initValueFrom().initFieldRef();
    field.setApiVersion("v1");
    field.setFieldPath(std::string("metadata.annotations['") + kJobCompletionIndex + "']");
    container.adoptEnv(std::move(orphan));
  }
}

}  // namespace

std::set<std::int32_t> parse_completed_indexes(std::string_view text, std::int32_t completions) {
  std::set<std::int32_t> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    auto dash = part.find('-');
    auto first = parse_index(part.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_index(part.substr(dash + 1));
    if (!first || !last || *first > *last) continue;
    for (auto i = *first; i <= *last && i < completions; ++i) out.insert(i);
  }
  return out;
}

std::string format_completed_indexes(const std::set<std::int32_t>& indexes) {
  std::string out;
  for (auto it = indexes.begin(); it != indexes.end();) {
    auto first = *it, last = *it;
    while (++it != indexes.end() && *it == last + 1) last = *it;
    if (!out.empty()) out += ',';
    out += std::to_string(first);
    if (last != first) out += '-' + std::to_string(last);
  }
  return out;
}

std::optional<std::int32_t> completion_index(k8s::ObjectMeta::Reader meta,
                                             std::int32_t completions) {
  std::optional<std::string_view> text;
  for (auto e : meta.getLabels().getEntries())
    if (e.getKey() == kJobCompletionIndex) text = std::string_view(e.getValue().cStr());
  for (auto e : meta.getAnnotations().getEntries())
    if (e.getKey() == kJobCompletionIndex) text = std::string_view(e.getValue().cStr());
  if (!text) return std::nullopt;
  auto index = parse_index(*text);
  if (!index || *index >= completions) return std::nullopt;
  return index;
}

void make_indexed(k8s::PodTemplateSpec::Builder pod_template, const std::string& job_name,
                  std::int32_t index) {
  auto value = std::to_string(index);
  auto meta = pod_template.getMetadata();
  set_entry(meta.getAnnotations(), kJobCompletionIndex, value);
  set_entry(meta.getLabels(), kJobCompletionIndex, value);
  auto spec = pod_template.getSpec();
  add_index_variable(spec.getContainers());
  add_index_variable(spec.getInitContainers());
  spec.setHostname(job_name + "-" + value);
}

}  // namespace craton::controllers
