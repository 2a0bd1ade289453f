// Figures supervisors ask for (负责人): on-time rate, response time in working days, overdue
// cases now, cases by channel and the most frequent tags (to find information worth publishing
// proactively, Art. 44). Pure aggregation over cases fed one at a time, so the caller can page
// through the store; memory grows only with the distinct values (days, agencies, channels, tags).
//
// Counting rules (business dates):
// - Period [from, to], both inclusive, either end open when not given.
// - On time / response time: cases whose closed_on falls in the period and whose `reply` clock
//   ended met or missed (a reply was made). Cases closed without one (withdrawn, no correction,
//   fee unpaid) are counted in `closed_without_reply` only.
// - Response time: working days from the reply clock's start (receipt, or the day the corrected
//   request arrived after 补正) to the day the reply counted as made, minus the working days the
//   clock was paused (consultation, fee). An extension or an Art. 35 delay does not shorten it.
//   Median and p90 use the nearest-rank method (the smallest value with at least 50% / 90% of
//   the cases at or below it).
// - Overdue now: open cases with a running or paused deadline whose due date is before today,
//   by agency; the period does not apply.
// - Channels and tags: cases whose received_on falls in the period.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "disclose/case.h"
#include "disclose/engine.h"

namespace disclose {

struct StatsQuery {
  std::optional<Date> from;
  std::optional<Date> to;
  std::string agency;  // "" = every agency fed in
  int top_tags = 10;
};

struct ResponseBucket {
  std::string label;  // "0-5", …, ">40"
  int min_wd = 0;
  std::optional<int> max_wd;  // none for the last bucket
  int64_t cases = 0;
};

struct CaseStats {
  StatsQuery query;
  Date today;
  int64_t closed = 0;  // closed in the period
  int64_t on_time = 0;
  int64_t late = 0;
  int64_t closed_without_reply = 0;
  std::optional<double> on_time_rate;  // on_time / (on_time + late); none when no replies
  std::vector<ResponseBucket> response_buckets;
  std::optional<int> response_median_wd;
  std::optional<int> response_p90_wd;
  std::optional<double> response_mean_wd;
  int64_t received = 0;                                   // received in the period
  std::map<std::string, int64_t> by_channel;              // received in the period
  std::vector<std::pair<std::string, int64_t>> top_tags;  // most frequent first, then by name
  std::map<std::string, int64_t> overdue_by_agency;       // open and overdue today
  int64_t overdue = 0;
};

// The bucket bounds: 0–5, 6–10, 11–15, 16–20, 21–30, 31–40, >40 working days.
std::vector<ResponseBucket> response_buckets();

class CaseStatsBuilder {
 public:
  // `engine` must outlive the builder.
  CaseStatsBuilder(const Engine& engine, StatsQuery query, Date today);
  // Cases of other agencies (when query.agency is set) are ignored.
  void add(const Case& a_case);
  CaseStats finish() const;

 private:
  bool in_period(Date d) const;

  const Engine& engine_;
  StatsQuery query_;
  Date today_;
  CaseStats stats_;
  std::map<int, int64_t> response_days_;  // working days → cases
  std::map<std::string, int64_t> tags_;
};

// Working days a reply took (see the rules above); none when the case has no reply clock that
// ended met or missed.
std::optional<int> response_working_days(const Engine& engine, const Case& a_case);

boost::json::object case_stats_json(const CaseStats& stats);
// A plain-text summary for the terminal, in Chinese with the codes in parentheses.
std::string case_stats_text(const CaseStats& stats);

}  // namespace disclose
