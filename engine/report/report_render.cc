// The annual report as JSON, CSV and a printable HTML page in the official layout
// (国办公开办函〔2021〕30号). Output depends on nothing but the report, so it can be compared
// byte for byte (no generation time, no locale).
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "disclose/annual_report.h"
#include "disclose/escape.h"

namespace disclose {
namespace {

namespace json = boost::json;

// The official form prints the 三 rows as "（一）予以公开" and "1.属于国家秘密".
std::string sub_heading(const std::string& sub, const std::string& text) {
  return "（" + sub + "）" + text;
}

constexpr const char* kResultsHeading = "三、本年度办理结果";
constexpr const char* kTable3Title = "三、收到和处理政府信息公开申请情况";
constexpr const char* kTable4Title = "四、政府信息公开行政复议、行政诉讼情况";
constexpr const char* kSection6Title = "六、其他需要报告的事项";

}  // namespace

std::string annual_report_title(const AnnualReport& report) {
  std::string name = !report.agency_name.empty() ? report.agency_name
                     : !report.agency.empty()    ? report.agency
                                                 : "全部机关";
  return name + std::to_string(report.year) + "年政府信息公开工作年度报告";
}

ReportRowCode split_report_row(std::string_view code) {
  ReportRowCode parts;
  size_t open = code.find('(');
  if (open == std::string_view::npos) {
    parts.top = code;
    return parts;
  }
  size_t close = code.find(')', open);
  parts.top = code.substr(0, open);
  parts.sub = code.substr(open + 1, close - open - 1);
  parts.item = code.substr(close + 1);
  return parts;
}

json::value annual_report_json(const AnnualReport& report) {
  json::object out;
  out["year"] = report.year;
  out["workflow"] = report.workflow;
  out["agency"] = report.agency.empty() ? json::value(nullptr) : json::value(report.agency);
  out["agency_name"] = report.agency_name;
  out["title"] = annual_report_title(report);
  json::array columns;
  for (const ReportColumn& c : report_columns())
    columns.push_back(json::object{{"kind", c.kind}, {"label", c.label}});
  out["columns"] = std::move(columns);
  json::array rows;
  for (const ReportRow& r : report.rows) {
    json::object row{{"code", r.code}, {"label", r.label}};
    if (!r.group.empty()) row["group"] = r.group;
    json::array values;
    for (int64_t n : r.cells) values.push_back(n);
    row["values"] = std::move(values);
    rows.push_back(std::move(row));
  }
  out["rows"] = std::move(rows);
  json::array table4;
  for (const RemedyRow& r : report.remedies) {
    json::object row{{"kind", r.kind}, {"label", r.label}};
    for (int i = 0; i < kRemedyColumns; ++i) row[remedy_results()[i]] = r.cells[i];
    table4.push_back(std::move(row));
  }
  out["table4"] = std::move(table4);
  out["fees"] = json::object{{"collected_yuan", report.fees_yuan}, {"paid", report.fees_paid}};
  json::array failures;
  for (const std::string& f : report.check_failures) failures.push_back(json::value(f));
  out["checks"] = json::object{{"ok", report.ok()}, {"failures", std::move(failures)}};
  out["audit_anchor"] =
      report.audit_anchor.empty() ? json::value(nullptr) : json::value(report.audit_anchor);
  return out;
}

std::string render_annual_report_json(const AnnualReport& report) {
  return json::serialize(annual_report_json(report));
}

std::string render_annual_report_csv(const AnnualReport& report) {
  // RFC 4180 line ends; the BOM makes spreadsheet programs read the file as UTF-8.
  const std::string eol = "\r\n";
  std::string out = "\xEF\xBB\xBF";
  out += csv_field(kTable3Title) + eol;
  out += "行次,分类,项目";
  for (const ReportColumn& c : report_columns()) out += std::string(",") + c.label;
  out += eol;
  for (const ReportRow& r : report.rows) {
    out += csv_field(r.code) + "," + csv_field(r.group) + "," + csv_field(r.label);
    for (int64_t n : r.cells) out += "," + std::to_string(n);
    out += eol;
  }
  out += eol;
  out += csv_field(kTable4Title) + eol;
  out += "类别";
  for (const char* label : remedy_result_labels()) out += std::string(",") + label;
  out += eol;
  for (const RemedyRow& r : report.remedies) {
    // The suits share the heading 行政诉讼 in the official form.
    out += csv_field(r.kind == "review" ? r.label : "行政诉讼：" + r.label);
    for (int64_t n : r.cells) out += "," + std::to_string(n);
    out += eol;
  }
  out += eol;
  out += csv_field(kSection6Title) + eol;
  out += "收取信息处理费（元）," + std::to_string(report.fees_yuan) + eol;
  out += "缴费笔数," + std::to_string(report.fees_paid) + eol;
  return out;
}

std::string render_annual_report_html(const AnnualReport& report) {
  const std::string title = html_escape(annual_report_title(report));
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>" + title + "</title>\n";
  out += R"(<style>
@page { size: A4 portrait; margin: 15mm 12mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 10.5pt;
  color: #000; background: #fff; max-width: 186mm; margin: 0 auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 2mm; }
p.sub { text-align: center; margin: 0 0 6mm; }
h2 { font-size: 12pt; margin: 6mm 0 3mm; }
table { border-collapse: collapse; width: 100%; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 1mm 1.2mm; vertical-align: middle; }
th { font-weight: normal; text-align: center; }
th.note { font-size: 9pt; }
td.n { text-align: center; }
td.head { text-align: center; }
.checks { margin-top: 6mm; font-size: 9pt; }
.checks.failed { color: #b00000; }
</style>
)";
  out += "</head>\n<body>\n";
  out += "<h1>" + title + "</h1>\n";
  out += "<p class=\"sub\">" + std::to_string(report.year) + "年1月1日至" +
         std::to_string(report.year) + "年12月31日</p>\n";

  // Table 三: three label columns (一/二/三/四, the 三 sub-heading, the numbered item).
  out += "<h2>" + std::string(kTable3Title) + "</h2>\n";
  out +=
      "<table class=\"t3\">\n<colgroup><col style=\"width:9%\"><col style=\"width:11%\">"
      "<col style=\"width:31%\">";
  for (int i = 0; i < kReportColumns; ++i) out += "<col style=\"width:7%\">";
  out += "</colgroup>\n<thead>\n";
  out +=
      "<tr><th colspan=\"3\" rowspan=\"3\" class=\"note\">（本列数据的勾稽关系为：第一项加第二项"
      "之和，等于第三项加第四项之和）</th><th colspan=\"7\">申请人情况</th></tr>\n";
  const auto& columns = report_columns();
  out += std::string("<tr><th rowspan=\"2\">") + columns[0].label +
         "</th><th colspan=\"5\">法人或其他组织</th><th rowspan=\"2\">" +
         columns[kTotalColumn].label + "</th></tr>\n<tr>";
  for (int i = 1; i < kTotalColumn; ++i) out += std::string("<th>") + columns[i].label + "</th>";
  out += "</tr>\n</thead>\n<tbody>\n";

  auto count_rows = [&](auto predicate) {
    int n = 0;
    for (const ReportRow& r : report.rows) n += predicate(r) ? 1 : 0;
    return n;
  };
  bool results_started = false;
  std::string open_group;
  for (const ReportRow& r : report.rows) {
    ReportRowCode code = split_report_row(r.code);
    out += "<tr>";
    if (code.sub.empty()) {
      out += "<td colspan=\"3\">" + code.top + "、" + html_escape(r.label) + "</td>";
    } else {
      if (!results_started) {
        results_started = true;
        int span =
            count_rows([&](const ReportRow& x) { return !split_report_row(x.code).sub.empty(); });
        out += "<td rowspan=\"" + std::to_string(span) + "\" class=\"head\">" + kResultsHeading +
               "</td>";
      }
      if (code.item.empty()) {
        out += "<td colspan=\"2\">" + html_escape(sub_heading(code.sub, r.label)) + "</td>";
      } else {
        std::string group = code.top + "(" + code.sub + ")";
        if (group != open_group) {
          open_group = group;
          int span = count_rows([&](const ReportRow& x) {
            ReportRowCode p = split_report_row(x.code);
            return !p.item.empty() && p.top + "(" + p.sub + ")" == group;
          });
          out += "<td rowspan=\"" + std::to_string(span) + "\">" +
                 html_escape(sub_heading(code.sub, r.group)) + "</td>";
        }
        out += "<td>" + code.item + "." + html_escape(r.label) + "</td>";
      }
    }
    for (int64_t n : r.cells) out += "<td class=\"n\">" + std::to_string(n) + "</td>";
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";

  // Table 四: 行政复议 (five columns), then 行政诉讼 split into the two kinds of suit.
  out += "<h2>" + std::string(kTable4Title) + "</h2>\n";
  out += "<table class=\"t4\">\n<thead>\n";
  const std::string review = report.remedies.empty() ? "行政复议" : report.remedies[0].label;
  out += "<tr><th colspan=\"5\">" + html_escape(review) +
         "</th><th colspan=\"10\">行政诉讼</th></tr>\n<tr>";
  for (const char* label : remedy_result_labels())
    out += std::string("<th rowspan=\"2\">") + label + "</th>";
  for (size_t i = 1; i < report.remedies.size(); ++i)
    out += "<th colspan=\"5\">" + html_escape(report.remedies[i].label) + "</th>";
  out += "</tr>\n<tr>";
  for (size_t i = 1; i < report.remedies.size(); ++i) {
    for (const char* label : remedy_result_labels()) out += std::string("<th>") + label + "</th>";
  }
  out += "</tr>\n</thead>\n<tbody>\n<tr>";
  for (const RemedyRow& r : report.remedies) {
    for (int64_t n : r.cells) out += "<td class=\"n\">" + std::to_string(n) + "</td>";
  }
  out += "</tr>\n</tbody>\n</table>\n";

  out += "<h2>" + std::string(kSection6Title) + "</h2>\n";
  out += "<p>本年度收取信息处理费 " + std::to_string(report.fees_yuan) + " 元（共 " +
         std::to_string(report.fees_paid) + " 笔）。</p>\n";

  if (report.ok()) {
    out += "<p class=\"checks\">数据校验：勾稽关系全部相符。</p>\n";
  } else {
    out += "<div class=\"checks failed\"><p>数据校验未通过：</p><ul>\n";
    for (const std::string& f : report.check_failures) out += "<li>" + html_escape(f) + "</li>\n";
    out += "</ul></div>\n";
  }
  if (!report.audit_anchor.empty()) {
    out += "<p class=\"anchor\">审计锚点（事件日志末条）：<code>" +
           html_escape(report.audit_anchor) +
           "</code>，可用 <code>disclose audit verify --anchor</code> 核验日志此后未被改写。</p>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace disclose
