#include "actors/api/meta/field_selector.hpp"

#include "actors/api/meta/label_selector.hpp"  // the shared bounds

namespace craton::api {
namespace {

// Splits on unescaped `sep`, keeping escapes for the next step.
std::vector<std::string> split_unescaped(std::string_view text, char sep) {
  std::vector<std::string> out(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out.back() += text.substr(i, 2);
      ++i;
    } else if (text[i] == sep) {
      out.emplace_back();
    } else {
      out.back() += text[i];
    }
  }
  return out;
}

Result<std::string> unescape(std::string_view text, std::string_view whole) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      if (text[i] == '=' || text[i] == ',')
        return Error{"invalid", "invalid field selector: unescaped '" + std::string(1, text[i]) +
                                    "' in '" + std::string(whole) + "'"};
      out += text[i];
      continue;
    }
    if (i + 1 == text.size() || (text[i + 1] != '\\' && text[i + 1] != ',' && text[i + 1] != '='))
      return Error{"invalid", "invalid field selector: invalid escape sequence in '" +
                                  std::string(whole) + "'"};
    out += text[++i];
  }
  return out;
}

std::string trim(std::string s) {
  auto first = s.find_first_not_of(" \t");
  auto last = s.find_last_not_of(" \t");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

}  // namespace

Result<FieldSelector> FieldSelector::parse(std::string_view text) {
  if (text.size() > kSelectorBytesMax)
    return Error{"invalid",
                 "field selector longer than " + std::to_string(kSelectorBytesMax) + " bytes"};
  FieldSelector s;
  if (trim(std::string(text)).empty()) return s;
  for (auto& part : split_unescaped(text, ',')) {
    if (s.requirements_.size() == kSelectorRequirementsMax)
      return Error{"invalid", "field selector: more than " +
                                  std::to_string(kSelectorRequirementsMax) + " requirements"};
    // The first unescaped operator splits field from value: != before == before =.
    std::size_t op = std::string::npos, op_len = 0;
    bool equals = true;
    for (std::size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '\\') {
        ++i;
        continue;
      }
      if (part.compare(i, 2, "!=") == 0) {
        op = i, op_len = 2, equals = false;
        break;
      }
      if (part.compare(i, 2, "==") == 0) {
        op = i, op_len = 2;
        break;
      }
      if (part[i] == '=') {
        op = i, op_len = 1;
        break;
      }
    }
    if (op == std::string::npos)
      return Error{"invalid", "invalid selector: '" + std::string(text) + "'; can't understand '" +
                                  part + "'"};
    auto field = trim(part.substr(0, op));
    auto value = unescape(trim(part.substr(op + op_len)), text);
    if (!value) return value.error();
    if (field.empty())
      return Error{"invalid", "invalid selector: '" + std::string(text) + "': empty field"};
    s.requirements_.push_back({field, equals, *value});
  }
  return s;
}

Status FieldSelector::supported_by(const std::set<std::string>& fields) const {
  for (const auto& r : requirements_)
    if (!fields.count(r.field))
      return Error{"bad_request", "field label not supported: " + r.field};
  return Ok{};
}

bool FieldSelector::matches(
    const std::function<std::optional<std::string>(const std::string&)>& value_of) const {
  for (const auto& r : requirements_) {
    auto v = value_of(r.field).value_or("");
    if ((v == r.value) != r.equals) return false;
  }
  return true;
}

}  // namespace craton::api
