#include "datagen/case_planner.h"

#include <algorithm>
#include <stdexcept>

#include "datagen/gov_info_lifecycle.h"
#include "datagen/public_data_lifecycle.h"
#include "datagen/registration.h"
#include "datagen/vocabulary.h"

namespace datagen {
namespace {

namespace json = boost::json;
using disclose::Date;

const disclose::Workflow& require(const disclose::WorkflowRegistry& workflows, const char* name) {
  const disclose::Workflow* found = workflows.find(name);
  if (!found) throw std::runtime_error(std::string("datagen: no workflow named ") + name);
  return *found;
}

// Coverage slots per calendar year after those of the determinations (see the header).
constexpr int kRemedySlots = 12;
constexpr int kReopenSlots = 1;
constexpr int kDetourSlots = 9;
constexpr int kStuckSlots = 3;

// The newest cases, one resting state each; the windowed states first (newest), so their
// windows are still running on the last day.
struct TailRest {
  const char* workflow;
  const char* state;
};
const std::vector<TailRest>& tail_rests() {
  static const std::vector<TailRest> rests = {
      {kGovInfoWorkflow, "awaiting_correction"},
      {kGovInfoWorkflow, "consulting"},
      {kGovInfoWorkflow, "awaiting_fee"},
      {kPublicDataWorkflow, "registered"},
      {kGovInfoWorkflow, "registered"},
      {kGovInfoWorkflow, "review"},
      {kGovInfoWorkflow, "handling"},
      {kGovInfoWorkflow, "replying"},
      {kGovInfoWorkflow, "delivering"},
      {kPublicDataWorkflow, "providing"},
      {kGovInfoWorkflow, "closed"},
      {kPublicDataWorkflow, "closed"},
  };
  return rests;
}

// Older cases that never move again.
constexpr int32_t kStuckMinAgeDays = 60;
constexpr double kStuckShare = 0.007;

void force_detour(int detour, GovInfoShape& shape) {
  switch (detour) {
    case 0:
      shape.consult = true;
      shape.consult_third_party = false;
      shape.consult_expires = false;
      break;
    case 1:
      shape.consult = true;
      shape.consult_third_party = true;
      shape.consult_expires = true;
      break;
    case 2:
      shape.fee = true;
      break;
    case 3:
      shape.extend = true;
      break;
    case 4:
      shape.art35_delay = true;
      shape.extend = false;
      break;
    case 5:
      shape.return_reply = true;
      break;
    case 6:
      shape.correction = true;
      shape.correction_late = true;
      break;
    case 7:
      shape.immediate = true;
      break;
    default:
      shape.reassign = true;
      break;
  }
}

// What a resting state needs on the way there.
void force_route_to(const std::string& state, GovInfoShape& shape) {
  shape.immediate = false;
  if (state == "awaiting_correction") shape.correction = true;
  if (state == "consulting") shape.consult = true;
  if (state == "awaiting_fee") shape.fee = true;
}

}  // namespace

struct CasePlanner::Forced {
  std::optional<std::string> workflow;
  std::optional<std::string> determination;
  std::optional<std::string> rest_state;
  int detour = -1;
  int remedy = -1;  // kind × result, 0 … 11
  bool reopen = false;
  bool compress = false;  // every step on the day of receipt
};

CasePlanner::CasePlanner(const disclose::WorkflowRegistry& workflows,
                         std::vector<AgencyProfile> agencies, const IntakeSchedule& intake,
                         const disclose::WorkingCalendar& calendar, uint64_t seed, Date today)
    : gov_info_(require(workflows, kGovInfoWorkflow)),
      public_data_(require(workflows, kPublicDataWorkflow)),
      agencies_(std::move(agencies)),
      intake_(intake),
      calendar_(calendar),
      seed_(seed),
      today_(today) {
  if (agencies_.empty()) throw std::invalid_argument("datagen: no agencies");
  for (size_t i = 0; i < agencies_.size(); ++i) {
    agency_weights_.push_back(agencies_[i].weight);
    if (agencies_[i].code == kDataAgencyCode) data_agency_ = static_cast<int>(i);
  }
  // About one frequent applicant per 200 requests, at least 20.
  applicant_pool_ = static_cast<uint64_t>(std::max<int64_t>(20, intake.cases() / 200));
}

CasePlanner::Forced CasePlanner::forced_for(int64_t index) const {
  Forced forced;
  int64_t from_end = intake_.rank_from_end(index);
  if (from_end < static_cast<int64_t>(tail_rests().size())) {
    const TailRest& rest = tail_rests()[static_cast<size_t>(from_end)];
    forced.workflow = rest.workflow;
    forced.rest_state = rest.state;
    forced.determination =
        rest.workflow == std::string(kGovInfoWorkflow) ? "granted" : "data.provided";
    forced.compress = true;
    return forced;
  }
  int64_t slot = intake_.rank_in_year(index);
  const auto& determinations = gov_info_.determinations;
  const auto& data_determinations = public_data_.determinations;
  int64_t d = static_cast<int64_t>(determinations.size());
  int64_t p = static_cast<int64_t>(data_determinations.size());
  if (slot >= d + p + kRemedySlots + kReopenSlots + kDetourSlots + kStuckSlots) return forced;
  if (slot < d) {
    forced.workflow = kGovInfoWorkflow;
    forced.determination = determinations[static_cast<size_t>(slot)].code;
    return forced;
  }
  slot -= d;
  if (slot < p) {
    forced.workflow = kPublicDataWorkflow;
    forced.determination = data_determinations[static_cast<size_t>(slot)].code;
    return forced;
  }
  slot -= p;
  forced.workflow = kGovInfoWorkflow;
  if (slot < kRemedySlots) {
    forced.remedy = static_cast<int>(slot);
    forced.determination = slot % 2 == 0 ? "unavailable.not_held" : "partial";
    return forced;
  }
  slot -= kRemedySlots;
  if (slot < kReopenSlots) {
    forced.determination = "withheld.process_info";
    forced.reopen = true;
    return forced;
  }
  slot -= kReopenSlots;
  if (slot < kDetourSlots) {
    forced.determination = "granted";
    forced.detour = static_cast<int>(slot);
    return forced;
  }
  slot -= kDetourSlots;
  static const std::vector<std::string> stuck = {"handling", "review", "replying"};
  forced.determination = "granted";
  forced.rest_state = stuck[static_cast<size_t>(slot) % stuck.size()];
  return forced;
}

int CasePlanner::draw_agency(bool public_data, Rng& rng) const {
  if (public_data && data_agency_ && rng.chance(0.8)) return *data_agency_;
  return static_cast<int>(rng.weighted(agency_weights_));
}

json::object CasePlanner::draw_applicant(const std::string& kind, const std::string& determination,
                                         Rng& rng) const {
  bool frequent_kind =
      determination == "not_processed.repeat" || determination == "not_processed.excessive";
  if (kind == "natural_person" && rng.chance(frequent_kind ? 0.7 : 0.12)) {
    // The same person every time this slot is drawn: name, ID, phone, address.
    Rng person(mix_seed(seed_ ^ 0x5EEDA991CA475ULL, rng.below(applicant_pool_)));
    return make_applicant(kind, person);
  }
  return make_applicant(kind, rng);
}

void CasePlanner::add_notes(int notes, int contacts, int attachments, PathBuilder& path,
                            Rng& rng) const {
  auto insert = [&](PlannedStep step) {
    if (!path.workflow().action(step.action)) return;
    std::vector<int> positions;  // after which step: any before the file is sealed
    for (int k = -1; k < path.size(); ++k) {
      if (action_allowed(path.workflow(), step.action, path.state_after(k))) positions.push_back(k);
    }
    if (positions.empty()) return;
    int after = positions[rng.below(positions.size())];
    step.minute = rng.between(0, 539);
    if (after + 1 < path.size()) {
      // Takes part of the next step's delay, so the case's timing stays as planned and a step
      // waiting for a window still starts from the day the window opened.
      PlannedStep& next = path.step(after + 1);
      bool waits = !next.by_deadline.empty() || !next.expiry_of.empty();
      int share = waits ? 0 : static_cast<int>(rng.below(static_cast<uint64_t>(next.delay_wd) + 1));
      step.delay_wd = share;
      next.delay_wd -= share;
    } else {
      step.delay_wd = static_cast<int>(rng.weighted({60, 30, 10}));
    }
    path.insert_after(after, std::move(step));
  };
  for (int i = 0; i < notes; ++i) {
    PlannedStep step;
    step.action = "note";
    step.role = rng.chance(0.6) ? Role::handler : Role::registrar;
    step.input["text"] = note_text(rng);
    insert(std::move(step));
  }
  for (int i = 0; i < contacts; ++i) {
    PlannedStep step;
    step.action = "contact";
    step.role = Role::handler;
    step.input["text"] = contact_text(rng);
    step.input["with"] = "applicant";
    step.input["means"] = std::vector<std::string>{"phone", "sms", "email",
                                                   "in_person"}[rng.weighted({70, 10, 10, 10})];
    insert(std::move(step));
  }
  for (int i = 0; i < attachments; ++i) {
    PlannedStep step;
    step.action = "attach";
    step.role = Role::registrar;
    step.input["name"] = attachment_name(rng);
    insert(std::move(step));
  }
}

CasePlan CasePlanner::plan(int64_t index) const {
  Rng rng(mix_seed(seed_, static_cast<uint64_t>(index)));
  Forced forced = forced_for(index);
  CasePlan plan;
  plan.index = index;
  plan.received_on = intake_.received_on(index);
  plan.register_minute = rng.between(0, 539);
  bool public_data = forced.workflow ? *forced.workflow == kPublicDataWorkflow : rng.chance(0.04);
  plan.workflow = public_data ? kPublicDataWorkflow : kGovInfoWorkflow;
  plan.agency = draw_agency(public_data, rng);
  plan.handler = static_cast<int>(rng.below(kHandlersPerAgency));
  const AgencyProfile& agency = agencies_[static_cast<size_t>(plan.agency)];
  bool working_day = calendar_.is_working_day(plan.received_on);

  RegistrationDraft draft;
  draft.workflow = plan.workflow;
  draft.agency = agency.code;
  draft.topic = rng.pick(agency.topics);
  draft.received_on = plan.received_on;

  PathBuilder path(public_data ? public_data_ : gov_info_, rng);
  if (public_data) {
    PublicDataShape shape = draw_public_data_shape(rng);
    if (forced.determination) shape.determination = *forced.determination;
    draft.channel = rng.chance(0.95) ? "online" : receipt_channel(working_day, rng);
    draft.applicant = make_applicant(public_data_applicant_kind(rng), rng);
    plan.registration = registration_document(draft, rng);
    build_public_data_path(shape, plan.handler, path, rng);
    add_notes(shape.notes, shape.contacts, 0, path, rng);
    plan.determination = shape.determination;
  } else {
    std::string determination =
        forced.determination ? *forced.determination : draw_determination(gov_info_, rng);
    GovInfoShape shape = draw_gov_info_shape(determination, rng);
    if (forced.detour >= 0) force_detour(forced.detour, shape);
    if (forced.remedy >= 0) {
      static const std::vector<std::string> kinds = {"review", "suit_direct", "suit_after_review"};
      static const std::vector<std::string> results = {"upheld", "corrected", "other", "pending"};
      shape.remedy_kind = kinds[static_cast<size_t>(forced.remedy / 4)];
      shape.remedy_result = results[static_cast<size_t>(forced.remedy % 4)];
      shape.remedy_decided_later = shape.reopen = false;
    }
    if (forced.reopen) {
      shape.remedy_kind = "review";
      shape.remedy_result = "corrected";
      shape.reopen = true;
    }
    if (forced.rest_state) force_route_to(*forced.rest_state, shape);
    settle_gov_info_shape(shape);
    // 当场答复 happens at the counter.
    draft.channel =
        shape.immediate && working_day ? "in_person" : receipt_channel(working_day, rng);
    draft.applicant = draw_applicant(gov_info_applicant_kind(rng), determination, rng);
    plan.registration = registration_document(draft, rng);
    std::string delivery(plan.registration.at("request").as_object().at("delivery").as_string());
    build_gov_info_path(shape, delivery, plan.handler, kHandlersPerAgency, path, rng);
    add_notes(shape.notes, shape.contacts, shape.attachments, path, rng);
    plan.determination = shape.reopen ? shape.reopen_determination : shape.determination;
  }

  std::optional<std::string> rest = forced.rest_state;
  bool old = today_ - plan.received_on > kStuckMinAgeDays;
  if (!rest && !forced.workflow && old && rng.chance(kStuckShare)) {
    static const std::vector<std::string> gov = {"registered", "review",   "handling",
                                                 "consulting", "replying", "delivering"};
    static const std::vector<std::string> data = {"registered", "providing"};
    rest = public_data ? data[rng.below(data.size())] : gov[rng.weighted({10, 20, 45, 5, 12, 8})];
  }
  if (rest && path.stop_at(*rest)) {
    plan.rest_state = *rest;
    if (path.is_open(*rest)) plan.determination.clear();
  }
  plan.steps = path.take();
  if (forced.compress) {
    for (PlannedStep& step : plan.steps) step.delay_wd = 0;
  }
  return plan;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::registrar:
      return "registrar";
    case Role::handler:
      return "handler";
    case Role::reviewer:
      return "reviewer";
    case Role::supervisor:
      return "supervisor";
    case Role::system:
      return "system";
  }
  return "system";
}

}  // namespace datagen
