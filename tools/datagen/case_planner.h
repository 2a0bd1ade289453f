// Decides what case number `index` of a run goes through: workflow, agency, applicant, request,
// outcome, detours and timing (gov_info_lifecycle.h, public_data_lifecycle.h for the mix), from
// the seed and the index alone, so any case can be planned on its own and twice gives the same.
//
// Where it rests: cases are generated in order of receipt; the driver takes each step on its
// business date and stops at the first one that would fall after today, so recent cases are
// spread over the open states by the model's own timing. Of cases received more than 60 days
// before today, 0.7 % are stuck: their plan stops in an open state (registered, review,
// handling, consulting, replying, delivering; public data: registered, providing), and their
// reply or acceptance deadline passes — the overdue list.
//
// Coverage: a realistic mix leaves rare outcomes out of a small database, so a few cases per
// calendar year are planned on purpose, whatever N (at 1,000,000 cases they are 0.01 %):
// - the first D gov-info cases received in each year close with each of the workflow's D
//   determinations in turn, so every row of that year's table 三 is counted, and the next P
//   public-data cases with each of that workflow's P determinations;
// - the next 12 carry one remedy of each kind × result (table 四), the next is reopened after a
//   corrected review, the next 9 take one detour each (agency consultation, silent third party,
//   fee paid, extension, Art. 35 delay, reply sent back, late 补正 notice, immediate reply,
//   reassignment), and the next 3 are stuck open;
// - the 12 newest cases rest one in each state a case can rest in (gov-info: every open state
//   and closed; public data: registered, providing, closed), all their steps on the day of
//   receipt, the states with a running window (补正, consultation, fee) the newest of all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "datagen/agency_catalogue.h"
#include "datagen/case_plan.h"
#include "datagen/intake.h"
#include "datagen/path_builder.h"
#include "datagen/random.h"
#include "disclose/calendar.h"
#include "disclose/workflow.h"

namespace datagen {

inline constexpr const char* kGovInfoWorkflow = "gov-info-disclosure";
inline constexpr const char* kPublicDataWorkflow = "public-data-open";

class CasePlanner {
 public:
  // All must outlive the planner. Throws std::runtime_error when a workflow is missing.
  CasePlanner(const disclose::WorkflowRegistry& workflows, std::vector<AgencyProfile> agencies,
              const IntakeSchedule& intake, const disclose::WorkingCalendar& calendar,
              uint64_t seed, disclose::Date today);

  CasePlan plan(int64_t index) const;

  const std::vector<AgencyProfile>& agencies() const { return agencies_; }
  const disclose::Workflow& gov_info() const { return gov_info_; }
  const disclose::Workflow& public_data() const { return public_data_; }

 private:
  struct Forced;
  Forced forced_for(int64_t index) const;
  int draw_agency(bool public_data, Rng& rng) const;
  boost::json::object draw_applicant(const std::string& kind, const std::string& determination,
                                     Rng& rng) const;
  void add_notes(int notes, int contacts, int attachments, PathBuilder& path, Rng& rng) const;

  const disclose::Workflow& gov_info_;
  const disclose::Workflow& public_data_;
  std::vector<AgencyProfile> agencies_;
  std::vector<int> agency_weights_;
  std::optional<int> data_agency_;
  const IntakeSchedule& intake_;
  const disclose::WorkingCalendar& calendar_;
  uint64_t seed_;
  disclose::Date today_;
  uint64_t applicant_pool_;  // frequent applicants (same person, many requests)
};

}  // namespace datagen
