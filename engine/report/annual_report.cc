// Aggregation and checks of the annual report (see include/disclose/annual_report.h for the
// counting rules).
#include "disclose/annual_report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

namespace disclose {
namespace {

// The cell of a report as the failure messages name it: "三(七)/自然人".
std::string cell_name(const std::string& row, int column) {
  return row + "/" + report_columns()[column].label;
}

std::string mismatch(const std::string& cell, int64_t shown, int64_t expected) {
  return cell + ": " + std::to_string(shown) + " ≠ " + std::to_string(expected);
}

std::optional<int> column_of(const std::string& kind) {
  for (int column = 0; column < kTotalColumn; ++column) {
    if (kind == report_columns()[column].kind) return column;
  }
  return std::nullopt;
}

// How staff find a case that could not be counted.
std::string case_name(const ReportCase& c) {
  return "case " + (c.number.empty() ? "" : c.number + " ") + "(id " + std::to_string(c.id) + ")";
}

// The rows of 三 that a determination may feed: the numbered ones, not the totals.
bool is_result_row(const std::string& code) {
  return code.starts_with("三") && code != "三(七)";
}

}  // namespace

const std::array<ReportColumn, kReportColumns>& report_columns() {
  static const std::array<ReportColumn, kReportColumns> columns = {{
      {"natural_person", "自然人"},
      {"commercial", "商业企业"},
      {"research", "科研机构"},
      {"public_welfare", "社会公益组织"},
      {"legal_service", "法律服务机构"},
      {"other_org", "其他"},
      {"total", "总计"},
  }};
  return columns;
}

const std::vector<ReportRowDef>& annual_report_rows() {
  static const std::vector<ReportRowDef> rows = {
      {"一", "", "本年新收政府信息公开申请数量"},
      {"二", "", "上年结转政府信息公开申请数量"},
      {"三(一)", "", "予以公开"},
      {"三(二)", "", "部分公开（区分处理的，只计这一情形，不计其他情形）"},
      {"三(三)1", "不予公开", "属于国家秘密"},
      {"三(三)2", "不予公开", "其他法律行政法规禁止公开"},
      {"三(三)3", "不予公开", "危及“三安全一稳定”"},
      {"三(三)4", "不予公开", "保护第三方合法权益"},
      {"三(三)5", "不予公开", "属于三类内部事务信息"},
      {"三(三)6", "不予公开", "属于四类过程性信息"},
      {"三(三)7", "不予公开", "属于行政执法案卷"},
      {"三(三)8", "不予公开", "属于行政查询事项"},
      {"三(四)1", "无法提供", "本机关不掌握相关政府信息"},
      {"三(四)2", "无法提供", "没有现成信息需要另行制作"},
      {"三(四)3", "无法提供", "补正后申请内容仍不明确"},
      {"三(五)1", "不予处理", "信访举报投诉类申请"},
      {"三(五)2", "不予处理", "重复申请"},
      {"三(五)3", "不予处理", "要求提供公开出版物"},
      {"三(五)4", "不予处理", "无正当理由大量反复申请"},
      {"三(五)5", "不予处理", "要求行政机关确认或重新出具已获取信息"},
      {"三(六)1", "其他处理", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
      {"三(六)2", "其他处理",
       "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"},
      {"三(六)3", "其他处理", "其他"},
      {"三(七)", "", "总计"},
      {"四", "", "结转下年度继续办理"},
  };
  return rows;
}

const std::array<const char*, kRemedyColumns>& remedy_results() {
  static const std::array<const char*, kRemedyColumns> results = {"upheld", "corrected", "other",
                                                                  "pending", "total"};
  return results;
}

const std::array<const char*, kRemedyColumns>& remedy_result_labels() {
  static const std::array<const char*, kRemedyColumns> labels = {"结果维持", "结果纠正", "其他结果",
                                                                 "尚未审结", "总计"};
  return labels;
}

const ReportRow& AnnualReport::row(std::string_view code) const {
  for (const ReportRow& r : rows) {
    if (r.code == code) return r;
  }
  throw std::out_of_range("no annual report row '" + std::string(code) + "'");
}

ReportRow& AnnualReport::row(std::string_view code) {
  return const_cast<ReportRow&>(static_cast<const AnnualReport&>(*this).row(code));
}

const RemedyRow& AnnualReport::remedy(std::string_view kind) const {
  for (const RemedyRow& r : remedies) {
    if (r.kind == kind) return r;
  }
  throw std::out_of_range("no annual report remedy row '" + std::string(kind) + "'");
}

RemedyRow& AnnualReport::remedy(std::string_view kind) {
  return const_cast<RemedyRow&>(static_cast<const AnnualReport&>(*this).remedy(kind));
}

bool AnnualReport::has_cases() const {
  return std::any_of(rows.begin(), rows.end(), [](const ReportRow& r) {
    return std::any_of(r.cells.begin(), r.cells.end(), [](int64_t n) { return n != 0; });
  });
}

ReportCase report_case(const Case& c) {
  return ReportCase{c.id,
                    c.number,
                    c.workflow,
                    c.agency,
                    c.registration.received_on,
                    c.closed_on,
                    c.registration.applicant.kind,
                    c.outcome ? c.outcome->determination : "",
                    c.remedies,
                    c.fees};
}

AnnualReportTally::AnnualReportTally(const Workflow& workflow, int year, std::string agency)
    : workflow_(workflow), first_(Date::from_ymd(year, 1, 1)), last_(Date::from_ymd(year, 12, 31)) {
  report_.year = year;
  report_.workflow = workflow.name;
  report_.agency = agency;
  report_.agency_name = std::move(agency);
  for (const ReportRowDef& def : annual_report_rows()) {
    // A determination names its row by code; indexed once.
    row_index_[def.code] = report_.rows.size();
    report_.rows.push_back({def.code, def.group, def.label, {}});
  }
  report_.remedies = {{"review", "行政复议", {}},
                      {"suit_direct", "未经复议直接起诉", {}},
                      {"suit_after_review", "复议后起诉", {}}};
}

void AnnualReportTally::add(const ReportCase& c) {
  if (c.workflow != workflow_.name) return;
  if (!report_.agency.empty() && c.agency != report_.agency) return;
  auto in_year = [&](Date d) { return first_ <= d && d <= last_; };

  // Remedies and fees belong to the year they happened in, whatever the request's column.
  for (size_t i = 0; i < c.remedies.size(); ++i) {
    const Remedy& remedy = c.remedies[i];
    if (!in_year(remedy.on)) continue;
    if (remedy.result == "pending") {
      // Superseded by a later record of the same proceeding in the same year.
      bool superseded = std::any_of(
          c.remedies.begin() + i + 1, c.remedies.end(),
          [&](const Remedy& later) { return later.kind == remedy.kind && in_year(later.on); });
      if (superseded) continue;
    }
    RemedyRow* row = nullptr;
    for (RemedyRow& r : report_.remedies) {
      if (r.kind == remedy.kind) row = &r;
    }
    const auto& results = remedy_results();
    auto result = std::find(results.begin(), results.end() - 1, remedy.result);
    if (!row || result == results.end() - 1) {
      problems_.push_back(case_name(c) + ": remedy on " + remedy.on.str() + " has unknown kind '" +
                          remedy.kind + "' or result '" + remedy.result + "'");
      continue;
    }
    ++row->cells[result - results.begin()];
    ++row->cells[kRemedyColumns - 1];
  }
  for (const Fee& fee : c.fees) {
    if (!fee.paid || !in_year(fee.on)) continue;
    report_.fees_yuan += fee.amount_yuan;
    ++report_.fees_paid;
  }

  const Date received = c.received_on;
  if (received > last_) return;  // not yet part of this year's work
  auto column = column_of(c.applicant_kind);
  if (!column) {
    problems_.push_back(case_name(c) + ": applicant kind '" + c.applicant_kind +
                        "' is none of the report's columns");
    return;
  }
  auto count = [&](std::string_view code) {
    ReportRow& row = report_.rows[row_index_.find(code)->second];
    ++row.cells[*column];
    ++row.cells[kTotalColumn];
  };
  const std::optional<Date>& closed = c.closed_on;
  if (in_year(received)) count("一");
  if (received < first_ && (!closed || *closed >= first_)) count("二");
  if (!closed || *closed > last_) count("四");
  if (!closed || !in_year(*closed)) return;

  // Closed in the year: the workflow file says which row the determination feeds.
  const std::string& code = c.determination;
  const DeterminationSpec* spec = code.empty() ? nullptr : workflow_.determination(code);
  auto row = spec ? row_index_.find(spec->report_row) : row_index_.end();
  if (row == row_index_.end() || !is_result_row(row->first)) {
    problems_.push_back(case_name(c) + ": closed on " + closed->str() +
                        (code.empty()
                             ? " without a determination"
                             : " with determination '" + code + "', which has no row in table 三"));
    return;
  }
  count(row->first);
  count("三(七)");
}

AnnualReport AnnualReportTally::finish() && {
  report_.check_failures = std::move(problems_);
  for (std::string& failure : check_annual_report(report_))
    report_.check_failures.push_back(std::move(failure));
  return std::move(report_);
}

AnnualReport build_annual_report(const Workflow& workflow, const std::vector<Case>& cases, int year,
                                 const std::string& agency) {
  AnnualReportTally tally(workflow, year, agency);
  for (const Case& c : cases) tally.add(report_case(c));
  return std::move(tally).finish();
}

std::vector<std::string> check_annual_report(const AnnualReport& report) {
  std::vector<std::string> failures;
  // Check against the official layout, so a report missing a row fails instead of throwing.
  std::map<std::string, const ReportRow*, std::less<>> by_code;
  for (const ReportRow& r : report.rows) by_code[r.code] = &r;
  for (const ReportRowDef& def : annual_report_rows()) {
    if (!by_code.count(def.code)) failures.push_back(std::string(def.code) + ": row missing");
  }
  if (!failures.empty()) return failures;

  // 总计 = the sum of the six columns, on every row.
  for (const ReportRow& r : report.rows) {
    int64_t sum = 0;
    for (int column = 0; column < kTotalColumn; ++column) sum += r.cells[column];
    if (r.cells[kTotalColumn] != sum)
      failures.push_back(mismatch(cell_name(r.code, kTotalColumn), r.cells[kTotalColumn], sum));
  }
  // 三(七) = the sum of the result rows, per column.
  const ReportRow& total = *by_code.at("三(七)");
  for (int column = 0; column < kReportColumns; ++column) {
    int64_t sum = 0;
    for (const ReportRow& r : report.rows) {
      if (is_result_row(r.code)) sum += r.cells[column];
    }
    if (total.cells[column] != sum)
      failures.push_back(mismatch(cell_name("三(七)", column), total.cells[column], sum));
  }
  // 一 + 二 = 三(七) + 四, per column: every request handled in the year is accounted for.
  const ReportRow& received = *by_code.at("一");
  const ReportRow& carried_in = *by_code.at("二");
  const ReportRow& carried_out = *by_code.at("四");
  for (int column = 0; column < kReportColumns; ++column) {
    int64_t in = received.cells[column] + carried_in.cells[column];
    int64_t out = total.cells[column] + carried_out.cells[column];
    if (in != out) failures.push_back(mismatch(cell_name("一+二=三(七)+四", column), in, out));
  }
  // Table 四: each 总计 = its four results.
  for (const RemedyRow& r : report.remedies) {
    int64_t sum = 0;
    for (int result = 0; result < kRemedyColumns - 1; ++result) sum += r.cells[result];
    if (r.cells[kRemedyColumns - 1] != sum)
      failures.push_back(mismatch(r.label + "/总计", r.cells[kRemedyColumns - 1], sum));
  }
  return failures;
}

std::vector<std::string> check_carry_over(const AnnualReport& previous,
                                          const AnnualReport& current) {
  if (previous.year + 1 != current.year)
    return {"carry-over: " + std::to_string(previous.year) + " does not precede " +
            std::to_string(current.year)};
  std::vector<std::string> failures;
  const std::string source = " (" + std::to_string(previous.year) + "年 四)";
  const ReportRow& carried_out = previous.row("四");
  const ReportRow& carried_in = current.row("二");
  for (int column = 0; column < kReportColumns; ++column) {
    if (carried_in.cells[column] != carried_out.cells[column])
      failures.push_back(
          mismatch(cell_name("二", column), carried_in.cells[column], carried_out.cells[column]) +
          source);
  }
  return failures;
}

}  // namespace disclose
