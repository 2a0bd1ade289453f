#include "disclose/case_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>

#include "disclose/audit.h"

namespace disclose {
namespace {
namespace json = boost::json;

Date D(const char* text) {
  return *Date::parse(text);
}
Instant T(const char* text) {
  return *parse_instant(text);
}

// A case with every field away from its default, so a dropped field changes the JSON.
Case rich_case() {
  Case c;
  c.id = 42;
  c.number = "2025-自然资源-0042";
  c.workflow = "gov-info-disclosure";
  c.agency = "zrzy";
  c.state = "closed";
  c.version = 9;
  c.registration.channel = "mail_signed";
  c.registration.received_on = D("2025-03-03");
  c.registration.receipt_evidence = "EMS 1234 签收";
  c.registration.applicant = {
      "other_org",     "某某律师事务所", "uscc",           "91370200MA3C0XXXX1",
      "0532-12345678", "青岛市市南区…",  "law@example.cn", "李四"};
  c.registration.request = {"2024年某地块征收补偿方案", "electronic", "email", "维权"};
  c.registration.tags = {"征地拆迁", "重点"};
  c.assignee = "7";
  Clock reply;
  reply.kind = "reply";
  reply.start = D("2025-03-03");
  reply.working_days = 20;
  reply.extension_wd = 15;
  reply.extensions = 1;
  reply.pauses = {{D("2025-03-10"), D("2025-03-20")}, {D("2025-04-01"), std::nullopt}};
  reply.override_due = D("2025-05-30");
  reply.status = ClockStatus::met;
  reply.ended_on = D("2025-05-06");
  reply.epoch = 3;
  reply.steps = {{1, "start", D("2025-03-03"), 20, std::nullopt, ""},
                 {5, "override", D("2025-04-02"), 0, D("2025-05-30"), "Art. 35 理由"}};
  Clock correction;
  correction.kind = "correction_window";
  correction.start = D("2025-03-05");
  correction.working_days = 15;
  correction.status = ClockStatus::stopped;
  c.clocks = {reply, correction};
  c.flags = {"late_correction_notice", "a_flag"};
  c.outcome = Outcome{"withheld.third_party", "条例第三十二条", "第三方不同意公开"};
  c.closed_on = D("2025-05-06");
  c.delivery = Delivery{"post", D("2025-05-06"), "EMS9876"};
  c.remedies = {{D("2025-06-01"), "review", "pending"}, {D("2025-07-01"), "suit_direct", "upheld"}};
  c.fees = {{D("2025-04-10"), "per_page", 20, true}};
  c.last_dated_on = D("2025-07-01");
  c.created_at = T("2025-03-03T01:30:00Z");
  c.updated_at = T("2025-07-01T08:00:05Z");
  return c;
}

Event rich_event() {
  Event e;
  e.case_id = 42;
  e.seq = 5;
  e.type = "delay";
  e.actor = "u:3";
  e.recorded_at = T("2025-04-02T06:00:00Z");
  e.on = D("2025-04-02");
  e.from_state = "handling";
  e.to_state = "handling";
  e.input = {{"on", "2025-04-02"}, {"due_on", "2025-05-30"}, {"reason", "需要会商"}};
  e.effects = {{"clocks", json::array{json::object{{"kind", "reply"}, {"epoch", 3}}}}};
  e.prev_hash = "chain fields are not part of the JSON";
  return e;
}

// Expects `f` to throw std::invalid_argument whose message names `field`.
void expect_names_field(const std::function<void()>& f, const std::string& field) {
  try {
    f();
    FAIL() << "no error for " << field;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(field), std::string::npos)
        << "message '" << e.what() << "' does not name " << field;
  }
}

TEST(CaseJson, RichCaseRoundTripsExactly) {
  Case c = rich_case();
  json::object doc = to_json(c);
  // Through text, as the store keeps it.
  Case back = case_from_json(json::parse(json::serialize(doc)));
  EXPECT_EQ(to_json(back), doc);
  EXPECT_EQ(canonical_json(to_json(back)), canonical_json(doc));

  EXPECT_EQ(back.id, 42);
  EXPECT_EQ(back.number, "2025-自然资源-0042");
  EXPECT_EQ(back.version, 9);
  EXPECT_EQ(back.registration.applicant.contact_person, "李四");
  EXPECT_EQ(back.registration.request.purpose, "维权");
  EXPECT_EQ(back.registration.tags.size(), 2u);
  ASSERT_EQ(back.clocks.size(), 2u);
  const Clock* reply = back.clock("reply");
  ASSERT_NE(reply, nullptr);
  EXPECT_EQ(reply->pauses.size(), 2u);
  EXPECT_FALSE(reply->pauses[1].to.has_value());
  EXPECT_EQ(reply->override_due, D("2025-05-30"));
  EXPECT_EQ(reply->status, ClockStatus::met);
  EXPECT_EQ(reply->epoch, 3);
  EXPECT_EQ(reply->steps[1].due_on, D("2025-05-30"));
  EXPECT_EQ(reply->steps[1].note, "Art. 35 理由");
  EXPECT_EQ(back.clock("correction_window")->status, ClockStatus::stopped);
  EXPECT_EQ(back.flags.count("late_correction_notice"), 1u);
  EXPECT_EQ(back.outcome->determination, "withheld.third_party");
  EXPECT_EQ(back.delivery->tracking_no, "EMS9876");
  EXPECT_EQ(back.remedies[1].result, "upheld");
  EXPECT_EQ(back.fees[0].amount_yuan, 20);
  EXPECT_TRUE(back.fees[0].paid);
  EXPECT_EQ(back.last_dated_on, D("2025-07-01"));
  EXPECT_EQ(back.created_at, c.created_at);
  EXPECT_EQ(back.updated_at, c.updated_at);
}

// The store writes case_document; readers and older rows know serialize(to_json(c)).
TEST(CaseJson, TheDocumentTextIsExactlyTheSerialisedTree) {
  Case rich = rich_case();
  EXPECT_EQ(case_document(rich), json::serialize(to_json(rich)));
  EXPECT_EQ(remedies_and_fees_document(rich.remedies, rich.fees),
            json::serialize(remedies_and_fees_to_json(rich.remedies, rich.fees)));

  Case bare;  // every optional empty, every list empty
  EXPECT_EQ(case_document(bare), json::serialize(to_json(bare)));
  EXPECT_EQ(remedies_and_fees_document({}, {}), json::serialize(remedies_and_fees_to_json({}, {})));

  // Text that must be escaped, in every field kind: quotes, backslashes, control characters
  // (NUL too), DEL and multi-byte UTF-8.
  Case hostile = rich_case();
  const std::string nasty = std::string("a\"b\\c/d\b\f\n\r\t\x01\x1f\x7f") + '\0' + " 中文 end";
  hostile.number = nasty;
  hostile.registration.applicant.name = nasty;
  hostile.registration.tags.push_back(nasty);
  hostile.clocks[0].steps[1].note = nasty;
  hostile.flags.insert(nasty);
  hostile.outcome->reasons = nasty;
  hostile.delivery->tracking_no = nasty;
  hostile.remedies[0].result = nasty;
  hostile.fees[0].method = nasty;
  hostile.id = std::numeric_limits<int64_t>::max();
  hostile.version = std::numeric_limits<int64_t>::min();
  hostile.fees[0].amount_yuan = -1;
  EXPECT_EQ(case_document(hostile), json::serialize(to_json(hostile)));
  EXPECT_EQ(to_json(case_from_text(case_document(hostile))), to_json(hostile));
}

TEST(CaseJson, TheDocumentTextEscapesEveryByteAsBoostDoes) {
  Case c;
  for (int byte = 0; byte < 256; ++byte) {
    c.registration.request.description = std::string("x") + static_cast<char>(byte) + "y";
    ASSERT_EQ(case_document(c), json::serialize(to_json(c))) << "byte " << byte;
  }
}

TEST(CaseJson, UsesSection7ShapesAndOmitsEmptyOptionals) {
  Case c = rich_case();
  json::object doc = to_json(c);
  const json::object& reg = doc.at("registration").as_object();
  EXPECT_EQ(reg.at("received_on"), "2025-03-03");
  EXPECT_EQ(reg.at("applicant").at("kind"), "other_org");
  EXPECT_EQ(doc.at("created_at"), "2025-03-03T01:30:00Z");
  EXPECT_EQ(doc.at("clocks").at(0).at("status"), "met");

  c.outcome.reset();
  c.closed_on.reset();
  c.delivery.reset();
  c.last_dated_on.reset();
  c.clocks[0].override_due.reset();
  c.clocks[0].ended_on.reset();
  doc = to_json(c);
  for (const char* key : {"outcome", "closed_on", "delivery", "last_dated_on"}) {
    EXPECT_FALSE(doc.contains(key)) << key;
  }
  const json::object& clock = doc.at("clocks").at(0).as_object();
  EXPECT_FALSE(clock.contains("override_due"));
  EXPECT_FALSE(clock.contains("ended_on"));
  EXPECT_FALSE(clock.at("pauses").at(1).as_object().contains("to"));
  EXPECT_FALSE(clock.at("steps").at(0).as_object().contains("due_on"));
  EXPECT_EQ(to_json(case_from_json(doc)), doc);
}

TEST(CaseJson, EventRoundTripsWithoutChainFields) {
  Event e = rich_event();
  json::object doc = to_json(e);
  for (const char* key : {"prev_hash", "hash", "global_seq", "global_prev_hash", "global_hash"}) {
    EXPECT_FALSE(doc.contains(key)) << key;
  }
  Event back = event_from_json(json::parse(json::serialize(doc)));
  EXPECT_EQ(to_json(back), doc);
  EXPECT_EQ(back.case_id, 42);
  EXPECT_EQ(back.seq, 5);
  EXPECT_EQ(back.on, D("2025-04-02"));
  EXPECT_EQ(back.recorded_at, e.recorded_at);
  EXPECT_EQ(back.input.at("reason"), "需要会商");
  EXPECT_EQ(back.effects, e.effects);

  e.on.reset();
  EXPECT_FALSE(to_json(e).contains("on"));
  EXPECT_FALSE(event_from_json(to_json(e)).on.has_value());
}

TEST(CaseJson, MalformedCaseNamesTheField) {
  auto broken = [](const std::function<void(json::object&)>& edit) {
    json::object doc = to_json(rich_case());
    edit(doc);
    return [doc] { case_from_json(doc); };
  };
  expect_names_field([] { case_from_json(json::value("nope")); }, "(root)");
  expect_names_field(broken([](json::object& d) { d.erase("workflow"); }), "workflow");
  expect_names_field(broken([](json::object& d) { d["version"] = "9"; }), "version");
  expect_names_field(broken([](json::object& d) { d["id"] = 1.5; }), "id");
  expect_names_field(broken([](json::object& d) { d.erase("registration"); }), "registration");
  expect_names_field(
      broken([](json::object& d) { d["registration"].as_object().erase("received_on"); }),
      "registration.received_on");
  expect_names_field(
      broken([](json::object& d) { d["registration"].as_object()["received_on"] = "2025-02-30"; }),
      "registration.received_on");
  expect_names_field(broken([](json::object& d) {
                       d["registration"].as_object()["applicant"].as_object()["name"] = 5;
                     }),
                     "registration.applicant.name");
  expect_names_field(
      broken([](json::object& d) { d["registration"].as_object()["tags"].as_array()[1] = true; }),
      "registration.tags[1]");
  expect_names_field(
      broken([](json::object& d) {
        d["clocks"].as_array()[0].as_object()["pauses"].as_array()[1].as_object()["from"] =
            "03/10/2025";
      }),
      "clocks[0].pauses[1].from");
  expect_names_field(
      broken([](json::object& d) { d["clocks"].as_array()[1].as_object()["status"] = "ticking"; }),
      "clocks[1].status");
  expect_names_field(broken([](json::object& d) {
                       d["clocks"].as_array()[0].as_object()["epoch"] = int64_t{1} << 40;
                     }),
                     "clocks[0].epoch");
  expect_names_field(
      broken([](json::object& d) {
        d["clocks"].as_array()[0].as_object()["steps"].as_array()[0].as_object().erase("what");
      }),
      "clocks[0].steps[0].what");
  expect_names_field(broken([](json::object& d) { d["flags"] = "late"; }), "flags");
  expect_names_field(broken([](json::object& d) { d["outcome"] = json::array(); }), "outcome");
  expect_names_field(broken([](json::object& d) { d["delivery"].as_object().erase("on"); }),
                     "delivery.on");
  expect_names_field(
      broken([](json::object& d) { d["fees"].as_array()[0].as_object()["paid"] = "yes"; }),
      "fees[0].paid");
  expect_names_field(
      broken([](json::object& d) { d["remedies"].as_array()[0].as_object().erase("kind"); }),
      "remedies[0].kind");
  expect_names_field(broken([](json::object& d) { d["created_at"] = "2025-03-03 noon"; }),
                     "created_at");
}

TEST(CaseJson, MalformedEventNamesTheField) {
  auto broken = [](const std::function<void(json::object&)>& edit) {
    json::object doc = to_json(rich_event());
    edit(doc);
    return [doc] { event_from_json(doc); };
  };
  expect_names_field(broken([](json::object& d) { d.erase("seq"); }), "seq");
  expect_names_field(broken([](json::object& d) { d["input"] = "x"; }), "input");
  expect_names_field(broken([](json::object& d) { d["on"] = 20250402; }), "on");
  expect_names_field(broken([](json::object& d) { d["recorded_at"] = "yesterday"; }),
                     "recorded_at");
}

TEST(CaseJson, ClockStatusNames) {
  for (ClockStatus s : {ClockStatus::running, ClockStatus::paused, ClockStatus::stopped,
                        ClockStatus::met, ClockStatus::missed}) {
    EXPECT_EQ(clock_status_from(to_string(s)), s);
  }
  EXPECT_FALSE(clock_status_from("Running").has_value());
  EXPECT_FALSE(clock_status_from("").has_value());
}

TEST(CaseJson, FindsClocksByKind) {
  Case c = rich_case();
  EXPECT_EQ(c.clock("reply")->working_days, 20);
  c.clock("reply")->working_days = 21;
  EXPECT_EQ(std::as_const(c).clock("reply")->working_days, 21);
  EXPECT_EQ(c.clock("fee_payment"), nullptr);
}

TEST(Masking, IdNumbers) {
  EXPECT_EQ(mask_id_number("370302199001011234"), "370302********1234");
  EXPECT_EQ(mask_id_number("91370200MA3C0XXXX1"), "913702********XXX1");  // USCC
  EXPECT_EQ(mask_id_number("E12345678"), "*******78");  // passport: keep the last two
  EXPECT_EQ(mask_id_number("12"), "**");
  EXPECT_EQ(mask_id_number(""), "");
}

TEST(Masking, Phones) {
  EXPECT_EQ(mask_phone("13800000000"), "138****0000");
  EXPECT_EQ(mask_phone("0532-12345678"), "053******5678");
  EXPECT_EQ(mask_phone("12345"), "***45");
  EXPECT_EQ(mask_phone(""), "");
}

TEST(Masking, CountsCodePointsAndNeverSplitsThem) {
  // Six Chinese characters (three bytes each) + "12345": 11 code points, 23 bytes.
  EXPECT_EQ(mask_id_number("京沪粤苏浙鲁12345"), "京沪粤苏浙鲁*2345");
  EXPECT_EQ(mask_id_number("护照甲乙"), "**甲乙");
  EXPECT_EQ(mask_phone("电话一二三四五六七"), "电话一**四五六七");
  // A stray byte counts as one unit and, when kept, becomes U+FFFD: the output stays UTF-8.
  EXPECT_EQ(mask_phone("1380000000\xFF"), "138****000\xEF\xBF\xBD");
  // An encoded surrogate (ED A0 80) is three stray bytes, not one character.
  EXPECT_EQ(mask_phone("\xED\xA0\x80"), "*\xEF\xBF\xBD\xEF\xBF\xBD");
  // A truncated sequence is not read past the end.
  EXPECT_EQ(mask_id_number("abcdefghijk\xE4\xB8"), "abcdef***jk\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Masking, MaskedApplicantHidesOnlyIdAndPhone) {
  Applicant a{"natural_person", "张三", "resident_id",  "370302199001011234",
              "13800000000",    "…",    "z@example.cn", ""};
  json::object m = masked_applicant(a);
  EXPECT_EQ(m.at("id_number"), "370302********1234");
  EXPECT_EQ(m.at("phone"), "138****0000");
  EXPECT_EQ(m.at("name"), "张三");
  EXPECT_EQ(m.at("email"), "z@example.cn");
  EXPECT_EQ(m.at("kind"), "natural_person");
}

}  // namespace
}  // namespace disclose
