#include "datagen/gov_info_lifecycle.h"

#include <algorithm>
#include <map>

#include <boost/json/array.hpp>

#include "datagen/vocabulary.h"

namespace datagen {
namespace {

namespace json = boost::json;

// Outcome weights per 10,000 cases (see the model in the header).
const std::map<std::string, int>& outcome_weights() {
  static const std::map<std::string, int> weights = {
      {"granted", 3900},
      {"partial", 1000},
      {"withheld.state_secret", 20},
      {"withheld.law_prohibits", 60},
      {"withheld.security_stability", 30},
      {"withheld.third_party", 150},
      {"withheld.internal_affairs", 120},
      {"withheld.process_info", 180},
      {"withheld.enforcement_file", 80},
      {"withheld.special_access", 50},
      {"unavailable.not_held", 2400},
      {"unavailable.needs_creation", 350},
      {"unavailable.unclear_after_correction", 100},
      {"not_processed.petition", 350},
      {"not_processed.repeat", 250},
      {"not_processed.publication", 60},
      {"not_processed.excessive", 100},
      {"not_processed.confirm_reissue", 120},
      {"other.no_correction", 250},
      {"other.fee_unpaid", 30},
      {"other.withdrawn", 300},
      {"other.other", 100},
  };
  return weights;
}

constexpr const char* kNoCorrection = "other.no_correction";
constexpr const char* kFeeUnpaid = "other.fee_unpaid";
constexpr const char* kWithdrawn = "other.withdrawn";
constexpr const char* kUnclearAfterCorrection = "unavailable.unclear_after_correction";

bool is_refusal(const std::string& code) {
  return code != "granted" && is_reply_determination(code);
}

PlannedStep& dated(PlannedStep& step) {
  step.dated = true;
  return step;
}

void add_accept(PathBuilder& path, int handler, int delay, Rng& rng) {
  PlannedStep& s =
      dated(path.add("accept", rng.chance(0.85) ? Role::reviewer : Role::supervisor, delay));
  s.assign_handler = handler;
}

void add_draft(PathBuilder& path, const std::string& determination, int delay) {
  PlannedStep& s = path.add("draft_reply", Role::handler, delay);
  s.input["determination"] = determination;
  if (std::string basis = reply_basis(determination); !basis.empty()) s.input["basis"] = basis;
  if (std::string reasons = reply_reasons(determination); !reasons.empty())
    s.input["reasons"] = reasons;
}

void add_delivery(PathBuilder& path, const std::string& preferred, int delay, Rng& rng) {
  PlannedStep& s =
      dated(path.add("record_delivery", rng.chance(0.8) ? Role::registrar : Role::handler, delay));
  std::string method = "direct";
  if (preferred == "post") method = "post";
  if (preferred == "email" || preferred == "online") method = "electronic";
  if (preferred == "other" || preferred == "fax") method = rng.chance(0.3) ? "entrusted" : "direct";
  s.input["method"] = method;
  if (method == "post") s.input["tracking_no"] = "1" + rng.digits(12);
}

void add_archive(PathBuilder& path, Rng& rng) {
  path.add("archive", Role::registrar, rng.between(5, 60));
}

void add_correction(const GovInfoShape& shape, PathBuilder& path, Rng& rng) {
  PlannedStep& notice =
      dated(path.add("request_correction", rng.chance(0.7) ? Role::registrar : Role::reviewer,
                     shape.correction_late ? rng.between(8, 11) : rng.between(1, 5)));
  json::array items;
  for (const std::string& item : correction_items(rng)) items.emplace_back(item);
  notice.input["items"] = std::move(items);
  if (shape.correction_due_on) {
    notice.relative_date_input = "due_on";
    notice.relative_days = rng.between(21, 30);
  } else {
    notice.input["window_wd"] = shape.correction_window_wd;
  }
  if (shape.correction_expires) {
    path.add("correction_expired", Role::system, 0).expiry_of = "correction_window";
    return;
  }
  PlannedStep& received =
      dated(path.add("correction_received", Role::registrar, rng.between(2, 14)));
  received.by_deadline = "correction_window";
}

void add_consultation(const GovInfoShape& shape, PathBuilder& path, Rng& rng) {
  PlannedStep& letter = dated(path.add("consult", Role::handler, rng.between(1, 6)));
  letter.input["party"] = shape.consult_third_party ? "third_party" : "agency";
  letter.input["party_name"] = consulted_party(shape.consult_third_party, rng);
  letter.relative_date_input = "party_received_on";
  letter.relative_days = rng.between(1, 4);
  if (shape.consult_expires) {
    path.add("consultation_expired", Role::system, 0).expiry_of = "consultation";
    return;
  }
  PlannedStep& done = dated(path.add("consultation_done", Role::handler, rng.between(3, 14)));
  static const std::vector<std::string> opinions = {"agree", "object", "none"};
  bool objecting = shape.determination == "withheld.third_party";
  done.input["opinion"] =
      opinions[rng.weighted(objecting ? std::vector<int>{5, 90, 5} : std::vector<int>{45, 40, 15})];
  done.by_deadline = "consultation";
}

void add_fee_notice(const GovInfoShape& shape, PathBuilder& path, Rng& rng) {
  PlannedStep& notice = dated(path.add("fee_notice", Role::handler, rng.between(1, 8)));
  // 国办函〔2020〕109号: per item 100 元 a band of ten above the free ten, or per page 10/20/40.
  if (rng.chance(0.7)) {
    notice.input["method"] = "per_item";
    notice.input["amount_yuan"] = 100 * rng.between(1, 3);
  } else {
    static const std::vector<int> per_page = {10, 20, 40};
    notice.input["method"] = "per_page";
    notice.input["amount_yuan"] = rng.pick(per_page);
  }
  notice.relative_date_input = "applicant_received_on";
  notice.relative_days = rng.between(1, 5);
  if (shape.fee_expires) {
    path.add("fee_expired", Role::system, 0).expiry_of = "fee_payment";
    return;
  }
  PlannedStep& paid = dated(path.add("fee_paid", Role::registrar, rng.between(1, 15)));
  paid.by_deadline = "fee_payment";
}

void add_remedies(const GovInfoShape& shape, const std::string& delivery, PathBuilder& path,
                  Rng& rng) {
  if (shape.remedy_kind.empty()) return;
  auto remedy = [&](const std::string& result, int delay) {
    PlannedStep& s = dated(
        path.add("record_remedy", rng.chance(0.5) ? Role::supervisor : Role::registrar, delay));
    s.input["kind"] = shape.remedy_kind;
    s.input["result"] = result;
  };
  remedy(shape.remedy_result, rng.between(10, 40));
  if (shape.remedy_decided_later) {
    static const std::vector<std::string> decided = {"upheld", "corrected", "other"};
    remedy(decided[rng.weighted({75, 15, 10})], rng.between(20, 60));
  }
  if (!shape.reopen) return;
  PlannedStep& reopen = dated(path.add("reopen", Role::supervisor, rng.between(5, 20)));
  reopen.input["order"] = reopen_order(shape.remedy_kind, rng);
  reopen.input["working_days"] = 20;
  add_draft(path, shape.reopen_determination, rng.between(5, 15));
  path.add("approve_reply", Role::reviewer, rng.between(0, 2));
  add_delivery(path, delivery, rng.between(0, 3), rng);
  add_archive(path, rng);
}

}  // namespace

bool is_reply_determination(const std::string& code) {
  return code != kNoCorrection && code != kFeeUnpaid && code != kWithdrawn;
}

std::string draw_determination(const disclose::Workflow& workflow, Rng& rng) {
  std::vector<int> weights;
  for (const disclose::DeterminationSpec& d : workflow.determinations) {
    auto found = outcome_weights().find(d.code);
    weights.push_back(found == outcome_weights().end() ? 10 : found->second);
  }
  return workflow.determinations[rng.weighted(weights)].code;
}

GovInfoShape draw_gov_info_shape(const std::string& determination, Rng& rng) {
  GovInfoShape s;
  s.determination = determination;
  bool reply = is_reply_determination(determination);
  s.correction = rng.chance(0.07);
  s.correction_late = rng.chance(0.08);
  s.correction_window_wd = std::vector<int>{15, 10, 20}[rng.weighted({85, 10, 5})];
  s.correction_due_on = rng.chance(0.03);
  bool third_party_matter = determination == "partial" || determination == "withheld.third_party";
  s.consult = rng.chance(third_party_matter ? 0.6 : 0.05);
  s.consult_third_party = third_party_matter || rng.chance(0.7);
  s.consult_expires = rng.chance(0.15);
  s.fee = rng.chance(0.008);
  s.extend = rng.chance(0.10);
  s.art35_delay = rng.chance(determination == "not_processed.excessive" ? 0.3 : 0.004);
  s.return_reply = rng.chance(0.07);
  s.reassign = rng.chance(0.03);
  s.late_reply = rng.chance(0.04);
  static const std::vector<std::string> simple = {
      "granted", "unavailable.not_held", "not_processed.publication", "not_processed.petition"};
  s.immediate =
      std::find(simple.begin(), simple.end(), determination) != simple.end() && rng.chance(0.06);
  if (reply && rng.chance(is_refusal(determination) ? 0.02 : 0.003)) {
    static const std::vector<std::string> kinds = {"review", "suit_direct", "suit_after_review"};
    static const std::vector<std::string> results = {"upheld", "corrected", "other", "pending"};
    s.remedy_kind = kinds[rng.weighted({60, 25, 15})];
    s.remedy_result = results[rng.weighted({60, 12, 8, 20})];
    s.remedy_decided_later = rng.chance(0.6);
    s.reopen = rng.chance(0.5);
  }
  s.reopen_determination = rng.chance(0.7) ? "granted" : "partial";
  s.notes = static_cast<int>(rng.weighted({40, 35, 18, 7}));
  s.contacts = static_cast<int>(rng.weighted({60, 30, 10}));
  s.attachments = rng.chance(0.2) ? 1 : 0;
  settle_gov_info_shape(s);
  return s;
}

void settle_gov_info_shape(GovInfoShape& s) {
  const std::string& d = s.determination;
  bool reply = is_reply_determination(d);
  if (d == kNoCorrection || d == kUnclearAfterCorrection) s.correction = true;
  s.correction_expires = d == kNoCorrection;
  if (d == kFeeUnpaid) s.fee = true;
  s.fee_expires = d == kFeeUnpaid;
  s.withdraw = d == kWithdrawn;
  if (d == kNoCorrection) s.consult = s.fee = false;
  if (!reply) s.extend = s.art35_delay = s.return_reply = s.late_reply = false;
  if (s.extend) s.art35_delay = false;  // one or the other moves the reply date
  if (s.immediate) {
    s.correction = s.consult = s.fee = s.extend = s.art35_delay = false;
    s.return_reply = s.reassign = s.late_reply = false;
  }
  if (!reply) s.remedy_kind.clear();
  if (s.remedy_kind.empty()) s.remedy_result.clear();
  s.remedy_decided_later = s.remedy_decided_later && s.remedy_result == "pending";
  s.reopen = s.reopen && s.remedy_result == "corrected";
}

void build_gov_info_path(const GovInfoShape& shape, const std::string& delivery, int handler,
                         int handlers, PathBuilder& path, Rng& rng) {
  if (shape.immediate) {
    path.add("submit_review", Role::registrar, 0);
    add_accept(path, handler, 0, rng);
    add_draft(path, shape.determination, 0);
    path.add("approve_reply", Role::reviewer, 0);
    add_delivery(path, "in_person", 0, rng);
    add_archive(path, rng);
    add_remedies(shape, "in_person", path, rng);
    return;
  }
  path.add("submit_review", Role::registrar, static_cast<int>(rng.weighted({60, 30, 10})));
  if (shape.correction) {
    add_correction(shape, path, rng);
    if (shape.correction_expires) {
      add_archive(path, rng);
      return;
    }
  }
  add_accept(path, handler, static_cast<int>(rng.weighted({40, 35, 15, 10})), rng);
  if (shape.reassign && handlers > 1) {
    PlannedStep& s = path.add("assign", Role::supervisor, rng.between(1, 3));
    s.assign_handler =
        (handler + 1 + static_cast<int>(rng.below(static_cast<uint64_t>(handlers - 1)))) % handlers;
  }
  if (shape.consult) add_consultation(shape, path, rng);
  if (shape.fee) {
    add_fee_notice(shape, path, rng);
    if (shape.fee_expires) {
      add_archive(path, rng);
      return;
    }
  }
  if (shape.extend) {
    PlannedStep& s = dated(path.add("extend", Role::supervisor, rng.between(6, 12)));
    s.input["working_days"] = std::vector<int>{20, 15, 10}[rng.weighted({75, 10, 15})];
    s.input["reason"] = extension_reason(rng);
    s.by_deadline = "reply";
    s.skip_when_late = true;
  }
  if (shape.art35_delay) {
    PlannedStep& s = dated(path.add("delay", Role::supervisor, rng.between(2, 8)));
    s.input["reason"] = delay_reason(rng);
    s.relative_date_input = "due_on";
    s.relative_days = rng.between(30, 60);
  }
  // A reply that ends as "withdrawn" is drafted as a grant and cut below before it is made.
  std::string drafted = shape.withdraw ? "granted" : shape.determination;
  add_draft(path, drafted, shape.late_reply ? rng.between(15, 25) : rng.between(2, 12));
  if (shape.return_reply) {
    path.add("return_reply", Role::reviewer, rng.between(1, 3)).input["reason"] =
        return_reason(rng);
    add_draft(path, drafted, rng.between(1, 4));
  }
  path.add("approve_reply", rng.chance(0.8) ? Role::reviewer : Role::supervisor,
           static_cast<int>(rng.weighted({50, 30, 15, 5})));
  add_delivery(path, delivery, rng.between(0, 4), rng);
  if (shape.withdraw) {
    // Withdrawn at any point while still open: after registration up to the approved reply.
    int last = static_cast<int>(rng.below(static_cast<uint64_t>(path.size()))) - 1;
    path.truncate_after(last);
    dated(path.add("withdraw", Role::registrar, rng.between(1, 5)));
    add_archive(path, rng);
    return;
  }
  add_archive(path, rng);
  add_remedies(shape, delivery, path, rng);
}

}  // namespace datagen
