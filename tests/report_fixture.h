// A SQLite database filled with generated cases for the report, statistics and export tests:
// each case is registered and walked through the engine and stored event by event, exactly as
// the CLI and the API do it, so chains and deadlines are real.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "disclose/store.h"
#include "engine_fixture.h"
#include "sqlite/sqlite_store.h"
#include "temp_dir.h"

namespace disclose::fixture {

// One generated request: who, when, how, and the actions after registration (dates within).
struct CaseSpec {
  std::string agency = "zrzy";
  std::string received_on = "2025-03-03";
  std::string channel = "online";
  std::string kind = "natural_person";
  std::vector<std::string> tags = {"征地拆迁"};
  std::vector<Step> steps;
  std::string today = "2025-06-30";  // the moment the actions are recorded
};

inline json::object registration_for(const CaseSpec& spec) {
  json::object doc = registration(spec.received_on);
  doc["agency"] = spec.agency;
  doc["channel"] = spec.channel;
  doc["applicant"].as_object()["kind"] = spec.kind;
  json::array tags;
  for (const auto& t : spec.tags) tags.push_back(json::value(t));
  doc["tags"] = std::move(tags);
  return doc;
}

// The steps of a case received on `received` that is replied to (granted) and delivered on
// `delivered`, with an optional fee pause [fee_on, paid_on] in between.
inline std::vector<Step> replied_path(const std::string& delivered,
                                      const std::string& determination = "granted",
                                      const std::string& fee_on = "",
                                      const std::string& paid_on = "") {
  std::vector<Step> path = {{"submit_review", "registrar", {}},
                            {"accept", "reviewer", object(R"({"assignee": "u:2"})")}};
  if (!fee_on.empty()) {
    json::object fee = object(R"({"method": "per_item", "amount_yuan": 100})");
    fee["on"] = fee_on;
    fee["applicant_received_on"] = fee_on;
    path.push_back({"fee_notice", "handler", fee});
    json::object paid;
    paid["on"] = paid_on;
    path.push_back({"fee_paid", "handler", paid});
  }
  json::object draft = object(R"({"basis": "条例第三十六条", "reasons": "依法答复"})");
  draft["determination"] = determination;
  path.push_back({"draft_reply", "handler", draft});
  path.push_back({"approve_reply", "reviewer", {}});
  json::object delivery = object(R"({"method": "post", "tracking_no": "EMS1"})");
  delivery["on"] = delivered;
  path.push_back({"record_delivery", "registrar", delivery});
  return path;
}

class StoreFixture {
 public:
  StoreFixture() {
    // NORMAL: the tests write thousands of events and need no power-loss durability.
    store_ = open_sqlite_store(SqliteOptions{db_path(), "NORMAL"});
    store_->add_agency(Agency{"zrzy", "区自然资源局", "自然资源"});
    store_->add_agency(Agency{"fgw", "区发展和改革委员会", "发改"});
  }
  StoreFixture(const StoreFixture&) = delete;
  StoreFixture& operator=(const StoreFixture&) = delete;

  Store& store() { return *store_; }
  const Engine& engine() const { return Harness::shared().engine(); }
  std::string dir() const { return dir_.path().string(); }
  std::string db_path() const { return (dir_ / "reports.db").string(); }

  // Registers and walks one case, storing every event; returns the stored case.
  Case add(const CaseSpec& spec) {
    const Engine& e = engine();
    Moment now = moment(spec.today);
    auto reg = e.register_case(registration_for(spec), actor("registrar", spec.agency), now);
    if (!reg.ok()) throw std::runtime_error("register refused: " + describe(reg));
    Case current = store_->create_case(reg.value().next, reg.value().event,
                                       e.deadlines(reg.value().next, now.today));
    for (const Step& s : spec.steps) {
      auto next = e.apply(current, s.action, s.input, actor(s.role, spec.agency), now);
      if (!next.ok())
        throw std::runtime_error(s.action + " in '" + current.state +
                                 "' refused: " + describe(next));
      store_->append_event(next.value().next, next.value().event, current.version,
                           e.deadlines(next.value().next, now.today));
      current = next.value().next;
    }
    return current;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace disclose::fixture
