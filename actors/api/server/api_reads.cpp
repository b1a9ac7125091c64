// GET, LIST and WATCH, all from the watch cache.
#include <charconv>
#include <set>

#include "actors/api/server/api_errors.hpp"
#include "actors/api/server/api_internal.hpp"
#include "actors/api/server/table.hpp"

namespace craton::api {
namespace {

constexpr std::int64_t kListLimitMax = 100000;

struct Selectors {
  LabelSelector labels;
  FieldSelector fields;
};

// A field selector naming one object (metadata.name=X) narrows the keys scanned, when the
// collection is one namespace or cluster-scoped, to those starting with that name (the
// selector still filters: another name may start with X). A controller or benchmark watching
// one pod among 10,000 then costs one key, not 10,000 decodes, per watch and per change.
std::string scan_prefix(std::string prefix, bool one_scope, const FieldSelector& fields) {
  if (!one_scope) return prefix;
  for (const auto& f : fields.requirements())
    if (f.field == "metadata.name" && f.equals) return prefix + f.value;
  return prefix;
}

Result<Selectors> parse_selectors(const Kind& kind, const std::string& label_text,
                                  const std::string& field_text) {
  auto labels = LabelSelector::parse(label_text);
  if (!labels)
    return Error{"bad_request", "unable to parse requirement: " + labels.error().message};
  auto fields = FieldSelector::parse(field_text);
  if (!fields) return Error{"bad_request", fields.error().message};
  std::set<std::string> supported{"metadata.name", "metadata.namespace"};
  for (const auto& [f, _] : kind.fields) supported.insert(f);
  if (auto s = fields->supported_by(supported); !s) return Error{"bad_request", s.error().message};
  return Selectors{std::move(*labels), std::move(*fields)};
}

std::string hex(const std::string& raw) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::optional<std::string> unhex(const std::string& text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    auto v = std::stoi(text.substr(i, 2), nullptr, 16);
    out += char(v);
  }
  return out;
}

// A continue token: the list's revision and the last key returned, opaque to clients.
std::string continue_token(std::int64_t revision, const std::string& key) {
  return hex(nlohmann::json{{"rv", revision}, {"start", key}}.dump());
}

std::optional<std::pair<std::int64_t, std::string>> read_continue(const std::string& token) {
  for (char c : token)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
  auto raw = unhex(token);
  if (!raw) return std::nullopt;
  auto j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object() || !j.contains("rv") || !j["rv"].is_number_integer() || !j.contains("start") ||
      !j["start"].is_string())
    return std::nullopt;
  return std::pair{j["rv"].get<std::int64_t>(), j["start"].get<std::string>()};
}

Result<std::int64_t> parse_revision(const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < 0)
    return Error{"bad_request", "invalid resource version \"" + text + "\""};
  return v;
}

HttpResponse expired(const std::string& message) {
  return status_error(410, "Expired", message);
}

}  // namespace

Task<HttpResponse> ApiService::get(const Request& r) {
  auto rv_text = r.param("resourceVersion");
  std::int64_t at = 0;
  if (rv_text.empty()) {
    at = written_revision();  // read your own writes (see the header)
  } else if (rv_text != "0") {
    auto rv = parse_revision(rv_text);
    if (!rv) co_return bad_request(rv.error().message);
    at = *rv;
  }
  if (auto s = co_await cache_at(at); !s) co_return from_error(s.error(), *r.kind, r.path.name);
  std::optional<CachedObject> found;
  {
    std::lock_guard lock(mutex_);
    found = cache_for(r.kind->info.plural)->get(r.key());
  }
  if (!found) co_return not_found(*r.kind, r.path.name);
  if (r.native) {
    ApiReply reply;
    reply.code = 200;
    reply.object = ApiObjectBytes{found->value, found->mod_revision};
    co_return native_response(200, reply);
  }
  if (!r.table) {  // the version's kept JSON (made now if no one has needed it yet)
    auto text = json_of(*r.kind, found->value, found->mod_revision);
    if (!text) co_return from_error(text.error(), *r.kind, r.path.name);
    co_return HttpResponse{200, "application/json", **text};
  }
  auto object = object_from_bytes(*r.kind, found->value);
  if (!object) co_return from_error(object.error(), *r.kind, r.path.name);
  auto j = object_to_json(codec_, *object, found->mod_revision);
  nlohmann::json table{{"kind", "Table"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", {{"resourceVersion", std::to_string(found->mod_revision)}}},
                       {"columnDefinitions", table_columns(*r.kind)},
                       {"rows", nlohmann::json::array({table_row(*r.kind, object->root().asReader(),
                                                                 j["metadata"], now_s())})}};
  co_return json_response(200, table);
}

Task<HttpResponse> ApiService::list(const Request& r) {
  const Kind& kind = *r.kind;
  auto selectors = parse_selectors(kind, r.param("labelSelector"), r.param("fieldSelector"));
  if (!selectors) co_return bad_request(selectors.error().message);
  std::int64_t limit = 0;
  if (auto text = r.param("limit"); !text.empty()) {
    auto v = parse_revision(text);
    if (!v) co_return bad_request("invalid limit \"" + text + "\"");
    limit = std::min(*v, kListLimitMax);
  }
  ListMode mode = ListMode::latest;
  std::int64_t revision = 0;
  std::string start;
  auto rv_text = r.param("resourceVersion");
  auto match = r.param("resourceVersionMatch");
  if (auto token = r.param("continue"); !token.empty()) {
    auto c = read_continue(token);
    if (!c) co_return bad_request("continue key is not valid");
    mode = ListMode::exact;
    revision = c->first;
    start = c->second;
  } else if (rv_text.empty()) {
    revision = written_revision();  // read your own writes (see the header)
  } else if (rv_text != "0" || !match.empty()) {
    auto rv = parse_revision(rv_text);
    if (!rv) co_return bad_request(rv.error().message);
    revision = *rv;
    if (match.empty() || match == "NotOlderThan") {
      mode = ListMode::not_older_than;
    } else if (match == "Exact") {
      mode = ListMode::exact;
    } else {
      co_return bad_request("resourceVersionMatch: unsupported value \"" + match +
                            "\": supported values: \"Exact\", \"NotOlderThan\"");
    }
  }
  if (auto s = co_await cache_at(revision); !s)
    co_return status_error(504, "Timeout",
                           "Too large resource version: " + std::to_string(revision));
  Result<std::pair<std::int64_t, std::vector<CachedObject>>> listed = Error{"", ""};
  {
    std::lock_guard lock(mutex_);
    listed = cache_for(kind.info.plural)
                 ->list(scan_prefix(r.prefix(), r.one_scope(), selectors->fields), mode, revision);
  }
  if (!listed) {
    if (listed.error().code == "gone")
      co_return expired(r.param("continue").empty()
                            ? listed.error().message
                            : "The provided continue parameter is too old to display a consistent "
                              "list result. You can start a new list without the continue "
                              "parameter.");
    co_return status_error(504, "Timeout", listed.error().message);
  }
  auto& [at, objects] = *listed;
  bool filtered = !selectors->labels.empty() || !selectors->fields.empty();
  if (r.native)
    co_return native_list(r, selectors->labels, selectors->fields, at, objects, start, limit);
  // The page is chosen first, then answered as its head and the objects' kept JSON texts.
  std::vector<const CachedObject*> chosen;
  auto rows = nlohmann::json::array();
  std::size_t count = 0;
  std::string last_key;
  std::int64_t remaining = 0;
  bool more = false;
  for (const auto& cached : objects) {
    if (!start.empty() && cached.key <= start) continue;
    if (more) {
      ++remaining;
      continue;
    }
    std::optional<Object> object;
    if (filtered || r.table) {
      auto decoded = object_from_bytes(kind, cached.value);
      if (!decoded) co_return from_error(decoded.error(), kind, "");
      object = std::move(*decoded);
    }
    if (filtered && !selected(selectable(kind, object->root().asReader()), selectors->labels,
                              selectors->fields))
      continue;
    if (limit > 0 && std::int64_t(count) >= limit) {
      more = true;
      ++remaining;
      continue;
    }
    ++count;
    last_key = cached.key;
    if (r.table) {
      auto j = object_to_json(codec_, *object, cached.mod_revision);
      rows.push_back(table_row(kind, object->root().asReader(), j["metadata"], now_s()));
      continue;
    }
    chosen.push_back(&cached);
  }
  nlohmann::json meta{{"resourceVersion", std::to_string(at)}};
  if (more) {
    meta["continue"] = continue_token(at, last_key);
    if (!filtered) meta["remainingItemCount"] = remaining;
  }
  if (r.table)
    co_return json_response(200, {{"kind", "Table"},
                                  {"apiVersion", "meta.k8s.io/v1"},
                                  {"metadata", meta},
                                  {"columnDefinitions", table_columns(kind)},
                                  {"rows", rows}});
  nlohmann::json head{{"kind", kind.info.kind + "List"},
                      {"apiVersion", kind.info.group_version()},
                      {"metadata", meta}};
  // The items are the cached objects' JSON texts as they are kept, sent one after the other.
  static const auto comma = std::make_shared<const std::string>(",");
  static const auto tail = std::make_shared<const std::string>("]}");
  HttpResponse response{200, "application/json", head.dump()};
  response.body.pop_back();  // the closing brace: items follow
  response.body += ",\"items\":[";
  response.pieces.reserve(2 * chosen.size() + 1);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    auto text = json_of(kind, chosen[i]->value, chosen[i]->mod_revision);
    if (!text) co_return from_error(text.error(), kind, "");
    if (i > 0) response.pieces.push_back(comma);
    response.pieces.push_back(std::move(*text));
  }
  response.pieces.push_back(tail);
  co_return response;
}

// A page of stored objects as they are. A page also ends before kNativePageBytesMax, so that
// it fits in one envelope (runtime/envelope_codec.hpp bounds them at 4 MiB): the client
// follows `continue` as it would after `limit`.
HttpResponse ApiService::native_list(const Request& r, const LabelSelector& labels,
                                     const FieldSelector& fields, std::int64_t at,
                                     const std::vector<CachedObject>& objects,
                                     const std::string& start, std::int64_t limit) {
  constexpr std::size_t kNativePageBytesMax = 3 << 20;
  const Kind& kind = *r.kind;
  bool filtered = !labels.empty() || !fields.empty();
  ApiReply reply;
  reply.code = 200;
  reply.list_revision = at;
  std::size_t bytes = 0;
  std::string last_key;
  bool more = false;
  std::int64_t remaining = 0;
  for (const auto& cached : objects) {
    if (!start.empty() && cached.key <= start) continue;
    if (filtered) {
      auto object = object_from_bytes(kind, cached.value);
      if (!object) return from_error(object.error(), kind, "");
      if (!selected(selectable(kind, object->root().asReader()), labels, fields)) continue;
    }
    if (more || (limit > 0 && std::int64_t(reply.items.size()) >= limit) ||
        (!reply.items.empty() && bytes + cached.value.size() > kNativePageBytesMax)) {
      more = true;
      ++remaining;
      continue;
    }
    bytes += cached.value.size();
    last_key = cached.key;
    reply.items.push_back(ApiObjectBytes{cached.value, cached.mod_revision});
  }
  if (more) {
    reply.continue_token = continue_token(at, last_key);
    if (!filtered) reply.remaining_items = remaining;
  }
  return native_response(200, reply);
}

Task<Result<std::vector<std::string>>> ApiService::selected_names(const Request& r) {
  const Kind& kind = *r.kind;
  auto selectors = parse_selectors(kind, r.param("labelSelector"), r.param("fieldSelector"));
  if (!selectors) co_return selectors.error();
  if (auto s = co_await cache_at(written_revision()); !s) co_return s.error();
  std::vector<CachedObject> objects;
  {
    std::lock_guard lock(mutex_);
    auto listed = cache_for(kind.info.plural)->list(r.prefix(), ListMode::latest, 0);
    if (listed) objects = std::move(listed->second);
  }
  std::vector<std::string> names;
  for (const auto& cached : objects) {
    auto object = object_from_bytes(kind, cached.value);
    if (!object) co_return object.error();
    auto s = selectable(kind, object->root().asReader());
    if (selected(s, selectors->labels, selectors->fields))
      names.push_back(s.fields["metadata.name"]);
  }
  co_return names;
}

Task<std::optional<HttpResponse>> ApiService::watch(Request r, std::shared_ptr<Exchange> exchange) {
  const Kind& kind = *r.kind;
  auto selectors = parse_selectors(kind, r.param("labelSelector"), r.param("fieldSelector"));
  if (!selectors) co_return bad_request(selectors.error().message);
  auto w = std::make_unique<Watcher>();
  w->kind = &kind;
  w->prefix = scan_prefix(r.prefix(), r.one_scope(), selectors->fields);
  w->labels = std::move(selectors->labels);
  w->fields = std::move(selectors->fields);
  w->table = r.table;
  w->native = r.native;
  w->bookmarks = r.param("allowWatchBookmarks") == "true";
  w->exchange = exchange;
  w->last_bookmark_s = now_s();
  std::int64_t timeout = options_.watch_timeout_s;
  if (auto t = r.param("timeoutSeconds"); !t.empty()) {
    auto v = parse_revision(t);
    if (!v) co_return bad_request("invalid timeoutSeconds \"" + t + "\"");
    timeout = std::min(*v, options_.watch_timeout_s);
  }
  w->deadline_s = now_s() + timeout;
  auto rv_text = r.param("resourceVersion");
  std::optional<std::int64_t> from;
  if (!rv_text.empty() && rv_text != "0") {
    auto rv = parse_revision(rv_text);
    if (!rv) co_return bad_request(rv.error().message);
    from = *rv;
    if (auto s = co_await cache_at(*from); !s)
      co_return status_error(504, "Timeout", "Too large resource version: " + rv_text);
  } else if (auto s = co_await cache_at(0); !s) {
    co_return status_error(503, "ServiceUnavailable", "the watch cache is not ready");
  }
  std::lock_guard lock(mutex_);
  if (watchers_.size() >= options_.watchers_max)
    co_return status_error(429, "TooManyRequests", "too many watches");
  auto* cache = cache_for(kind.info.plural);
  exchange->start_stream(200, r.native ? kApiMediaType : "application/json");
  if (from) {
    auto changes = cache->events_after(w->prefix, *from);
    if (!changes && r.native) {
      exchange->write(encode_api_event(ApiEvent{
          ApiEventType::error, {}, 410, ApiFailure{"Expired", changes.error().message, {}}}));
      exchange->end();
      co_return std::nullopt;
    }
    if (!changes) {
      nlohmann::json error{{"type", "ERROR"},
                           {"object",
                            {{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"metadata", nlohmann::json::object()},
                             {"status", "Failure"},
                             {"message", changes.error().message},
                             {"reason", "Expired"},
                             {"code", 410}}}};
      exchange->write(error.dump() + "\n");
      exchange->end();
      co_return std::nullopt;
    }
    for (const auto& c : *changes) {
      Delivery d{c, {}, {}, {}};
      deliver(*w, d);
    }
  } else {
    // No revision: the current objects as ADDED events, then what changes (Kubernetes'
    // "get state and start at most recent").
    auto listed = cache->list(w->prefix, ListMode::latest, 0);
    for (const auto& o : listed->second) {
      Change c;
      c.type = ChangeType::added;
      c.key = o.key;
      c.revision = o.mod_revision;
      c.value = o.value;
      Delivery d{c, {}, {}, {}};
      deliver(*w, d);
    }
  }
  if (w->ended) co_return std::nullopt;
  // Filed under the kind's resource when its keys are all of it (fan_out looks changes up by
  // it), else under every resource.
  auto id = next_watcher_++;
  if (w->prefix.rfind("/registry/" + kind.info.plural + "/", 0) == 0)
    watch_index_.add(id, kind.info.plural, w->fields);
  else
    watch_index_.add(id, "", FieldSelector{});
  watchers_.emplace(id, std::move(w));
  co_return std::nullopt;
}

// One change to one watcher, as Kubernetes filters it: a change that makes an object leave
// the selection is a DELETED, one that makes it enter an ADDED.
void ApiService::deliver(Watcher& w, Delivery& d) {
  const Kind& kind = *w.kind;
  const Change& change = d.change;
  auto now = change.type == ChangeType::deleted ? std::optional<std::string>()
                                                : std::optional<std::string>(change.value);
  bool filtered = !w.labels.empty() || !w.fields.empty();
  auto decoded = [&](std::optional<std::optional<Selectable>>& slot, const std::string& bytes) {
    if (!slot) {
      auto o = object_from_bytes(kind, bytes);
      slot = o ? std::optional<Selectable>(selectable(kind, o->root().asReader())) : std::nullopt;
    }
    return *slot;
  };
  auto matches = [&](std::optional<std::optional<Selectable>>& slot, const std::string& bytes) {
    if (!filtered) return true;
    auto s = decoded(slot, bytes);
    return s && selected(*s, w.labels, w.fields);
  };
  bool was = change.previous && matches(d.before, *change.previous);
  bool is = now && matches(d.after, *now);
  std::string type;
  if (is)
    type = was ? "MODIFIED" : "ADDED";
  else if (was)
    type = "DELETED";
  else
    return;
  if (w.native) {
    auto line = d.lines.find("native " + type);
    if (line == d.lines.end()) {
      auto event_type = type == "ADDED"      ? ApiEventType::added
                        : type == "MODIFIED" ? ApiEventType::modified
                                             : ApiEventType::deleted;
      ApiEvent event{event_type, ApiObjectBytes{change.value, change.revision}, 0, {}};
      line = d.lines.emplace("native " + type, encode_api_event(event)).first;
    }
    if (!w.exchange->write(line->second)) w.ended = true;
    return;
  }
  if (!w.table) {
    auto line = d.lines.find(type);
    if (line == d.lines.end()) {
      // An added or modified object is the version at the change's revision: its kept JSON
      // (which the next LIST then shares). A delete shows the last version at the delete's.
      auto text = json_of(kind, change.value, change.revision);
      if (!text) return;
      line = d.lines.emplace(type, "{\"type\":\"" + type + "\",\"object\":" + **text + "}\n").first;
    }
    if (!w.exchange->write(line->second)) w.ended = true;
    return;
  }
  // Tables carry the time now (ages) and, once per watch, the column definitions.
  auto object = object_from_bytes(kind, change.value);
  if (!object) return;
  auto j = object_to_json(codec_, *object, change.revision);
  nlohmann::json table{{"kind", "Table"},
                       {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", {{"resourceVersion", std::to_string(change.revision)}}},
                       {"rows", nlohmann::json::array({table_row(kind, object->root().asReader(),
                                                                 j["metadata"], now_s())})}};
  if (!w.sent_columns) table["columnDefinitions"] = table_columns(kind);
  w.sent_columns = true;
  nlohmann::json event{{"type", type}, {"object", std::move(table)}};
  if (!w.exchange->write(event.dump() + "\n")) w.ended = true;
}

}  // namespace craton::api
