// LabelSelector: a small lexer and a recursive-descent parser over the selector grammar.
#include "actors/api/meta/label_selector.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "actors/api/meta/names.hpp"

namespace craton::api {
namespace {

enum class Tok { end, ident, comma, equals, double_equals, not_equals, bang, open, close, gt, lt };

struct Token {
  Tok kind = Tok::end;
  std::string text;
  std::size_t at = 0;
};

// Every operator token and its text; the lexer tries them in this order.
constexpr std::pair<std::string_view, Tok> kOperators[] = {
    {"==", Tok::double_equals}, {"!=", Tok::not_equals}, {",", Tok::comma},
    {"=", Tok::equals},         {"!", Tok::bang},        {"(", Tok::open},
    {")", Tok::close},          {">", Tok::gt},          {"<", Tok::lt},
};

bool special(char c) {
  return c == ',' || c == '=' || c == '!' || c == '(' || c == ')' || c == '<' || c == '>' ||
         c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::optional<std::int64_t> as_integer(const std::string& s) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return n;
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Token next() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
    Token t;
    t.at = pos_;
    if (pos_ == text_.size()) return t;
    // Two-character operators first, so that "==" is not "=" twice.
    for (const auto& [text, kind] : kOperators) {
      if (text_.substr(pos_, text.size()) != text) continue;
      pos_ += text.size();
      t.kind = kind;
      return t;
    }
    while (pos_ < text_.size() && !special(text_[pos_])) ++pos_;
    t.kind = Tok::ident;
    t.text = std::string(text_.substr(t.at, pos_ - t.at));
    return t;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) { advance(); }

  Result<std::vector<Requirement>> parse() {
    std::vector<Requirement> out;
    if (token_.kind == Tok::end) return out;
    for (;;) {
      auto r = requirement();
      if (!r) return r.error();
      out.push_back(std::move(*r));
      if (out.size() > kSelectorRequirementsMax)
        return Error{"invalid", "label selector: more than " +
                                    std::to_string(kSelectorRequirementsMax) + " requirements"};
      if (token_.kind == Tok::end) return out;
      if (token_.kind != Tok::comma) return unexpected("',' or the end");
      advance();
    }
  }

 private:
  void advance() { token_ = lexer_.next(); }

  Error unexpected(const std::string& wanted) const {
    std::string found = token_.kind == Tok::end ? "the end" : "'" + token_text() + "'";
    return Error{"invalid", "unable to parse requirement: found " + found + " at position " +
                                std::to_string(token_.at) + " of '" + std::string(text_) +
                                "', expected " + wanted};
  }

  std::string token_text() const {
    if (token_.kind == Tok::ident) return token_.text;
    for (const auto& [text, kind] : kOperators)
      if (kind == token_.kind) return std::string(text);
    return "";
  }

  Result<std::string> key() {
    if (token_.kind != Tok::ident) return unexpected("a label key");
    std::string k = token_.text;
    if (auto problems = check_qualified_name(k); !problems.empty())
      return Error{"invalid", "invalid label key \"" + k + "\": " + problems.front()};
    advance();
    return k;
  }

  // A value after = or != (may be empty), or inside ( ).
  Result<std::string> value() {
    std::string v;
    if (token_.kind == Tok::ident) {
      v = token_.text;
      advance();
    }
    if (auto problems = check_label_value(v); !problems.empty())
      return Error{"invalid", "invalid label value: \"" + v + "\": " + problems.front()};
    return v;
  }

  Result<Requirement> requirement() {
    Requirement r;
    if (token_.kind == Tok::bang) {
      advance();
      auto k = key();
      if (!k) return k.error();
      r.key = *k;
      r.op = SelectorOp::does_not_exist;
      return r;
    }
    auto k = key();
    if (!k) return k.error();
    r.key = *k;
    switch (token_.kind) {
      case Tok::end:
      case Tok::comma:
        r.op = SelectorOp::exists;
        return r;
      case Tok::equals:
      case Tok::double_equals:
      case Tok::not_equals: {
        r.op = token_.kind == Tok::not_equals ? SelectorOp::not_equals : SelectorOp::equals;
        advance();
        auto v = value();
        if (!v) return v.error();
        r.values = {*v};
        return r;
      }
      case Tok::gt:
      case Tok::lt: {
        r.op = token_.kind == Tok::gt ? SelectorOp::greater : SelectorOp::less;
        advance();
        if (token_.kind != Tok::ident) return unexpected("an integer");
        if (!as_integer(token_.text))
          return Error{"invalid", "for 'Gt', 'Lt' operators, the value must be an integer: '" +
                                      token_.text + "'"};
        r.values = {token_.text};
        advance();
        return r;
      }
      case Tok::ident:
        if (token_.text == "in" || token_.text == "notin") {
          r.op = token_.text == "in" ? SelectorOp::in : SelectorOp::not_in;
          advance();
          return set_values(std::move(r));
        }
        [[fallthrough]];
      default:
        return unexpected("'=', '!=', '==', 'in', 'notin', '<', '>', ',' or the end");
    }
  }

  Result<Requirement> set_values(Requirement r) {
    if (token_.kind != Tok::open) return unexpected("'('");
    advance();
    for (;;) {
      auto v = value();
      if (!v) return v.error();
      r.values.push_back(*v);
      if (r.values.size() > kSelectorRequirementsMax)
        return Error{"invalid", "label selector: too many values for " + r.key};
      if (token_.kind == Tok::close) break;
      if (token_.kind != Tok::comma) return unexpected("',' or ')'");
      advance();
    }
    advance();
    std::sort(r.values.begin(), r.values.end());
    r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
    return r;
  }

  std::string_view text_;
  Lexer lexer_;
  Token token_;
};

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

}  // namespace

bool Requirement::matches(const Labels& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  auto in_values = [&] {
    return has && std::binary_search(values.begin(), values.end(), it->second);
  };
  switch (op) {
    case SelectorOp::equals:
    case SelectorOp::in:
      return in_values();
    case SelectorOp::not_equals:
    case SelectorOp::not_in:
      return !in_values();
    case SelectorOp::exists:
      return has;
    case SelectorOp::does_not_exist:
      return !has;
    case SelectorOp::greater:
    case SelectorOp::less: {
      if (!has || values.empty()) return false;
      auto mine = as_integer(it->second);
      auto bound = as_integer(values.front());
      if (!mine || !bound) return false;
      return op == SelectorOp::greater ? *mine > *bound : *mine < *bound;
    }
  }
  return false;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  if (text.size() > kSelectorBytesMax)
    return Error{"invalid",
                 "label selector longer than " + std::to_string(kSelectorBytesMax) + " bytes"};
  auto requirements = Parser(text).parse();
  if (!requirements) return requirements.error();
  return from_requirements(std::move(*requirements));
}

LabelSelector LabelSelector::from_requirements(std::vector<Requirement> requirements) {
  LabelSelector s;
  for (auto& r : requirements) std::sort(r.values.begin(), r.values.end());
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  s.requirements_ = std::move(requirements);
  return s;
}

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& r : requirements_)
    if (!r.matches(labels)) return false;
  return true;
}

std::string LabelSelector::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ",";
    switch (r.op) {
      case SelectorOp::equals:
        out += r.key + "=" + r.values.front();
        break;
      case SelectorOp::not_equals:
        out += r.key + "!=" + r.values.front();
        break;
      case SelectorOp::in:
        out += r.key + " in (" + join(r.values) + ")";
        break;
      case SelectorOp::not_in:
        out += r.key + " notin (" + join(r.values) + ")";
        break;
      case SelectorOp::exists:
        out += r.key;
        break;
      case SelectorOp::does_not_exist:
        out += "!" + r.key;
        break;
      case SelectorOp::greater:
        out += r.key + ">" + r.values.front();
        break;
      case SelectorOp::less:
        out += r.key + "<" + r.values.front();
        break;
    }
  }
  return out;
}

}  // namespace craton::api
