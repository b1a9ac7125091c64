// Parsing and pairing of JSON-lines histories: accepted forms and errors with line numbers.
#define BOOST_TEST_MODULE lin_history
#include <boost/test/unit_test.hpp>

#include "tests/linearizability/printing.hpp"

#include <sstream>

#include "sim/linearizability/history.hpp"
#include "sim/linearizability/operation.hpp"

namespace lin = craton::linearizability;

namespace {

craton::Result<lin::History> parse(const std::string& text, lin::ParseLimits limits = {}) {
  std::istringstream in(text);
  return lin::parse_history_jsonl(in, limits);
}

// The error message of a parse that must fail.
std::string error_of(const std::string& text, lin::ParseLimits limits = {}) {
  auto h = parse(text, limits);
  BOOST_REQUIRE(!h.ok());
  return h.error().message;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(parses_all_fields_and_aliases) {
  auto h = parse(R"({"process":0,"type":"invoke","f":"put","key":"x","value":"a"})"
                 "\n\n"
                 R"({"process":0,"type":"ok","f":"put","key":"x","value":"a"})"
                 "\n"
                 R"({"process":"c1","type":"invoke","f":"cas","key":7,"value":[null,3]})"
                 "\n"
                 R"({"process":"c1","type":"info","f":"cas","key":7})"
                 "\n"
                 R"({"process":2,"type":"invoke","f":"get","key":"x","value":null})"
                 "\n"
                 R"({"process":2,"type":"ok","f":"get","key":"x","value":"a"})");
  BOOST_REQUIRE_MESSAGE(h.ok(), (h.ok() ? "" : h.error().message));
  const auto& ev = h->events;
  BOOST_REQUIRE_EQUAL(ev.size(), 6u);
  BOOST_TEST(ev[0].f == lin::OpKind::write);
  BOOST_TEST(ev[0].value == lin::Value::string("a"));
  BOOST_TEST(ev[1].line == 3u);  // the blank line still counts
  BOOST_TEST(ev[2].process == "c1");
  BOOST_TEST(*ev[2].key == "7");
  BOOST_TEST(ev[2].expected.is_null());
  BOOST_TEST(ev[2].value == lin::Value::integer(3));
  BOOST_TEST(ev[3].type == lin::EventType::info);
  BOOST_TEST(ev[4].f == lin::OpKind::read);
  BOOST_TEST(ev[5].value == lin::Value::string("a"));
}

BOOST_AUTO_TEST_CASE(pairs_operations_and_drops_what_constrains_nothing) {
  auto h = parse(R"({"process":0,"type":"invoke","f":"write","value":1})"
                 "\n"
                 R"({"process":1,"type":"invoke","f":"read"})"
                 "\n"
                 R"({"process":0,"type":"fail","f":"write"})"
                 "\n"
                 R"({"process":1,"type":"info","f":"read"})"
                 "\n"
                 R"({"process":1,"type":"invoke","f":"write","value":2})"
                 "\n"
                 R"({"process":0,"type":"invoke","f":"read"})"
                 "\n"
                 R"({"process":0,"type":"ok","f":"read","value":2})");
  BOOST_REQUIRE(h.ok());
  auto ops = lin::collect_operations(h.value());
  BOOST_REQUIRE(ops.ok());
  // The failed write and the unknown read are gone; the write never completed is unknown.
  BOOST_REQUIRE_EQUAL(ops->size(), 2u);
  BOOST_TEST(!(*ops)[0].completed);
  BOOST_TEST((*ops)[0].value == lin::Value::integer(2));
  BOOST_TEST((*ops)[1].completed);
  BOOST_TEST((*ops)[1].invoke_line == 6u);
  BOOST_TEST((*ops)[1].complete_line == 7u);
  BOOST_TEST(lin::describe((*ops)[1]) == "p0 read -> 2 (lines 6-7)");
  BOOST_TEST(lin::describe((*ops)[0]) == "p1 write 2 (line 5, outcome unknown)");
}

BOOST_AUTO_TEST_CASE(errors_name_the_line) {
  const std::string invoke = R"({"process":0,"type":"invoke","f":"write","value":1})";
  BOOST_TEST(contains(error_of(invoke + "\n{not json"), "line 2: not valid JSON"));
  BOOST_TEST(contains(error_of(R"({"type":"invoke","f":"read"})"), "line 1: missing \"process\""));
  BOOST_TEST(contains(error_of(R"({"process":0,"f":"read"})"), "missing \"type\""));
  BOOST_TEST(contains(error_of(R"({"process":0,"type":"invoke"})"), "missing \"f\""));
  BOOST_TEST(contains(error_of(R"({"process":0,"type":"done","f":"read"})"), "\"type\" must be"));
  BOOST_TEST(contains(error_of(R"({"process":0,"type":"invoke","f":"incr"})"), "\"f\" must be"));
  BOOST_TEST(contains(error_of(R"({"process":0.5,"type":"invoke","f":"read"})"), "\"process\""));
  BOOST_TEST(contains(error_of(R"({"process":0,"type":"invoke","f":"write"})"),
                      "line 1: invoke write needs a \"value\""));
  BOOST_TEST(contains(error_of(R"({"process":0,"type":"invoke","f":"cas","value":5})"),
                      "cas \"value\" must be [expected, new]"));
  BOOST_TEST(contains(error_of(R"({"process":0,"type":"invoke","f":"write","value":[1]})"),
                      "\"value\" must be null, a string or an integer"));
  BOOST_TEST(contains(error_of(R"([1,2])"), "must be a JSON object"));
}

BOOST_AUTO_TEST_CASE(pairing_errors_name_the_line) {
  const std::string w0 = R"({"process":0,"type":"invoke","f":"write","value":1})";
  BOOST_TEST(contains(error_of(w0 + "\n" + R"({"process":1,"type":"ok","f":"write"})"),
                      "line 2: ok from process 1 without a matching invoke"));
  BOOST_TEST(contains(error_of(w0 + "\n" + w0),
                      "line 2: process 0 invokes again while its write from line 1"));
  BOOST_TEST(contains(error_of(w0 + "\n" + R"({"process":0,"type":"ok","f":"read"})"),
                      "line 2: ok read completes a write invocation"));
  // info frees the process: it may invoke again.
  BOOST_TEST(parse(w0 + "\n" + R"({"process":0,"type":"info","f":"write"})" + "\n" + w0).ok());
}

BOOST_AUTO_TEST_CASE(limits_are_enforced) {
  const std::string w0 = R"({"process":0,"type":"invoke","f":"write","value":1})";
  lin::ParseLimits small;
  small.line_bytes_max = 20;
  BOOST_TEST(contains(error_of(w0, small), "line 1: longer than 20 bytes"));
  lin::ParseLimits few;
  few.events_max = 2;
  const std::string ok0 = R"({"process":0,"type":"ok","f":"write"})";
  BOOST_TEST(contains(error_of(w0 + "\n" + ok0 + "\n" + w0, few), "line 3: more than 2 events"));
  BOOST_TEST(parse(w0 + "\n" + ok0, few).ok());
}
