// The staff's view of a case (case_view.h): the tree the CLI prints and the text the API answers
// with must hold the same members and values.
#include "disclose/case_view.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>

#include "disclose/case_json.h"
#include "engine_fixture.h"

namespace disclose {
namespace {

namespace json = boost::json;
using fixture::Harness;

json::value view_text_as_json(const Engine& engine, const Case& c, const Actor& viewer, Date today,
                              const ViewOptions& options) {
  std::string text;
  JsonText out(text);
  out.begin_object();
  write_case_view_members(out, engine, c, viewer, engine.deadlines(c, today), options);
  out.end_object();
  json::value parsed = json::parse(text);
  // Parsing keeps the last of two equal keys: printed again, a written-twice member shows.
  EXPECT_EQ(json::serialize(parsed), text);
  return parsed;
}

TEST(CaseView, TheTextHoldsWhatTheTreeHolds) {
  const Harness& harness = Harness::shared();
  const Engine& engine = harness.engine();
  // Days around the receipt (deadlines far off, then due soon) and long after (overdue).
  const std::vector<std::string> days = {"2025-03-04", "2025-03-28", "2025-04-01", fixture::kToday};
  for (const std::string state :
       {"registered", "review", "awaiting_correction", "handling", "consulting", "awaiting_fee",
        "replying", "delivering", "closed", "archived"}) {
    const Case c = harness.walk_to(state);
    for (const std::string& day : days) {
      for (const std::string& role : fixture::every_role()) {
        for (bool show_pii : {true, false}) {
          const Actor viewer = fixture::actor(role);
          const ViewOptions options{.show_pii = show_pii};
          const Date today = fixture::date(day);
          EXPECT_EQ(view_text_as_json(engine, c, viewer, today, options),
                    json::value(case_view(engine, c, viewer, today, options)))
              << state << " on " << day << " as " << role << (show_pii ? "" : ", masked");
        }
      }
    }
  }
}

TEST(CaseView, FlagsOfTheDayFollowTheCasesOwn) {
  const Harness& harness = Harness::shared();
  const Engine& engine = harness.engine();
  Case c = harness.walk_to("handling");
  c.flags.insert("a_flag");
  const json::value on_time =
      view_text_as_json(engine, c, fixture::actor("handler"), fixture::date("2025-03-04"), {});
  EXPECT_EQ(on_time.at("flags"), json::array({"a_flag"}));
  const json::value late =
      view_text_as_json(engine, c, fixture::actor("handler"), fixture::date(fixture::kToday), {});
  const json::array& flags = late.at("flags").as_array();
  ASSERT_GE(flags.size(), 2u);
  EXPECT_EQ(flags[0], "a_flag");
  EXPECT_NE(std::find(flags.begin(), flags.end(), json::value("overdue")), flags.end());
  EXPECT_FALSE(late.as_object().contains("clocks"));
}

TEST(CaseView, AMaskedViewHidesTheIdNumberAndPhoneOnly) {
  const Harness& harness = Harness::shared();
  const Engine& engine = harness.engine();
  const Case c = harness.walk_to("handling");
  const json::value masked = view_text_as_json(engine, c, fixture::actor("auditor"),
                                               fixture::date(fixture::kToday), {.show_pii = false});
  const json::value& applicant = masked.at("registration").at("applicant");
  const Applicant& stored = c.registration.applicant;
  EXPECT_EQ(json::value_to<std::string>(applicant.at("id_number")),
            mask_id_number(stored.id_number));
  EXPECT_NE(json::value_to<std::string>(applicant.at("id_number")), stored.id_number);
  EXPECT_EQ(json::value_to<std::string>(applicant.at("phone")), mask_phone(stored.phone));
  EXPECT_EQ(json::value_to<std::string>(applicant.at("name")), stored.name);
}

}  // namespace
}  // namespace disclose
