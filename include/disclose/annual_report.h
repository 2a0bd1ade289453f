// The statutory annual report on requests (政府信息公开工作年度报告, 国办公开办函〔2021〕30号):
// table 三 (收到和处理政府信息公开申请情况), table 四 (行政复议、行政诉讼情况) and the fees of
// section 六. Pure aggregation over cases already loaded: no I/O here (DESIGN.md §4).
//
// Counting rules (business dates, never the time an event was recorded):
// - 一: received_on falls in the year.
// - 二: received before 1 Jan of the year and not closed before it.
// - 三: closed_on falls in the year; the row is the report_row of the case's determination as
//   declared in the workflow file (DeterminationSpec), never a code map in the program.
// - 四: received by 31 Dec of the year and not closed by then.
// - Columns: registration.applicant.kind; 总计 is the sum of the six.
// - Reopened cases: the report reads each case as it stands now. Reopening clears the closing
//   date and determination, so a case reopened and closed again counts once in 三, in the year of
//   its final closing, with its final determination; until then it counts as open (四 / 二) in
//   every year end it spans, even one it had first been closed in. One snapshot gives every
//   year the same view, so 二 of a year always continues 四 of the year before; the price is
//   that a report rebuilt after a reopening can differ from the one published before it
//   (check_carry_over against the published report shows where).
// - A case whose applicant kind is not one of the six columns, or that is closed without a
//   determination that maps to a row of table 三, is not counted; it is named in
//   `check_failures` (a closed case left out of 三 also breaks 一+二=三(七)+四 for its column).
// - Table 四: remedies whose `on` falls in the year, by kind and result. A `pending` record is
//   superseded by a later record of the same kind on the same case in the same year (the case
//   then counts once, with its result); two decided records count twice (two proceedings).
// - Section 六: the amount_yuan of paid fees whose date (the fee notice's `on`, the only date a
//   Fee carries) falls in the year.
// - Only cases of `workflow` count; agency "" means every agency.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "disclose/case.h"
#include "disclose/workflow.h"

namespace disclose {

// Table 三's columns: the six applicant kinds (DESIGN.md §7), then 总计.
inline constexpr int kReportColumns = 7;
inline constexpr int kTotalColumn = 6;

struct ReportColumn {
  const char* kind;   // applicant.kind, or "total"
  const char* label;  // official heading
};
const std::array<ReportColumn, kReportColumns>& report_columns();

// One row of table 三 as laid out in the official form.
struct ReportRowDef {
  const char* code;  // "一", "二", "三(一)", "三(三)4", "三(七)", "四"
  // The numbered rows' heading: "不予公开" / "无法提供" / "不予处理" / "其他处理"; else "".
  const char* group;
  const char* label;  // official label (DESIGN.md §4)
};
// The 25 rows in official order.
const std::vector<ReportRowDef>& annual_report_rows();

using ReportCells = std::array<int64_t, kReportColumns>;

struct ReportRow {
  std::string code;
  std::string group;
  std::string label;
  ReportCells cells{};
};

// Table 四 results, in the official column order.
inline constexpr int kRemedyColumns = 5;  // 结果维持, 结果纠正, 其他结果, 尚未审结, 总计
struct RemedyRow {
  std::string kind;   // review | suit_direct | suit_after_review
  std::string label;  // 行政复议 | 未经复议直接起诉 | 复议后起诉
  std::array<int64_t, kRemedyColumns> cells{};
};
// The result names behind the first four remedy columns, and their official headings.
const std::array<const char*, kRemedyColumns>& remedy_results();  // upheld … pending, total
const std::array<const char*, kRemedyColumns>& remedy_result_labels();

struct AnnualReport {
  int year = 0;
  std::string workflow;
  std::string agency;               // "" = every agency
  std::string agency_name;          // shown in titles; the caller fills it (the store knows names)
  std::vector<ReportRow> rows;      // table 三, annual_report_rows() order
  std::vector<RemedyRow> remedies;  // table 四: review, suit_direct, suit_after_review
  int64_t fees_yuan = 0;            // section 六: fees collected
  int64_t fees_paid = 0;            // how many paid fees make up fees_yuan
  // Unclassifiable cases and failed arithmetic checks, each naming its case or cell.
  std::vector<std::string> check_failures;
  // The event log's head ("SEQ:HASH", audit.h AuditAnchor) right after the cases were read;
  // "" when not recorded. Printed in the published report, it is an anchor kept outside the
  // database: `disclose audit verify --anchor SEQ:HASH` fails if the log up to it was later
  // rewritten or cut, which the hash chain alone cannot show.
  std::string audit_anchor;

  // Throws std::out_of_range for an unknown code / kind.
  const ReportRow& row(std::string_view code) const;
  ReportRow& row(std::string_view code);
  const RemedyRow& remedy(std::string_view kind) const;
  RemedyRow& remedy(std::string_view kind);
  bool ok() const { return check_failures.empty(); }
  // Any case counted anywhere in table 三.
  bool has_cases() const;
};

// The part of a case the report reads. A store can hand these over without parsing whole case
// documents (adapters/sqlite keeps them in columns of their own).
struct ReportCase {
  CaseId id = 0;
  std::string number;
  std::string workflow;
  std::string agency;
  Date received_on;
  std::optional<Date> closed_on;
  std::string applicant_kind;
  std::string determination;  // the outcome's; "" without one
  std::vector<Remedy> remedies;
  std::vector<Fee> fees;
};
ReportCase report_case(const Case& c);

// Counts one year's report case by case (see the counting rules above), so a caller can stream
// any number of cases through it in constant memory. Cases of other workflows or agencies are
// skipped. `workflow` must outlive the tally.
class AnnualReportTally {
 public:
  AnnualReportTally(const Workflow& workflow, int year, std::string agency);
  void add(const ReportCase& c);
  // The report, with the cases it could not count and then check_annual_report's failures in
  // check_failures.
  AnnualReport finish() &&;

 private:
  const Workflow& workflow_;
  const Date first_;
  const Date last_;
  AnnualReport report_;
  std::map<std::string, std::size_t, std::less<>> row_index_;  // code → index in report_.rows
  std::vector<std::string> problems_;
};

// Tallies `cases` for `year` (see the counting rules above) and runs check_annual_report.
AnnualReport build_annual_report(const Workflow& workflow, const std::vector<Case>& cases, int year,
                                 const std::string& agency);

// The arithmetic checks on a report's own numbers, each failure naming the cell:
// per column 一+二 = 三(七)+四 ("一+二=三(七)+四/自然人: 10 ≠ 9"); 三(七) = the sum of its rows
// ("三(七)/自然人: 12 ≠ 11"); 总计 = the sum of the six columns on every row
// ("三(一)/总计: 3 ≠ 4"); and in table 四 each 总计 = the sum of its four results.
std::vector<std::string> check_annual_report(const AnnualReport& report);

// Continuity between consecutive years: 二 of `current` equals 四 of `previous` per column
// ("二/商业企业: 1 ≠ 2 (2024年 四)"). Also refuses reports that are not consecutive years.
std::vector<std::string> check_carry_over(const AnnualReport& previous,
                                          const AnnualReport& current);

// Renderers (engine/report/report_render.cc). All output is UTF-8.
boost::json::value annual_report_json(const AnnualReport& report);
std::string render_annual_report_json(const AnnualReport& report);  // compact
// Table 三 one row per line, then table 四 and the fees; starts with a BOM for spreadsheets.
std::string render_annual_report_csv(const AnnualReport& report);
// A printable A4 page in the official layout, inline CSS, no external assets.
std::string render_annual_report_html(const AnnualReport& report);

// The report's title, e.g. "区自然资源局2025年政府信息公开工作年度报告".
std::string annual_report_title(const AnnualReport& report);

// A row code split for the layout's label columns: "三(三)4" → {"三", "三", "4"}, "一" → {"一"}.
struct ReportRowCode {
  std::string top;
  std::string sub;
  std::string item;
};
ReportRowCode split_report_row(std::string_view code);

}  // namespace disclose
