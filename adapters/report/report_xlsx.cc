// libxlsxwriter is linked to this adapter only; the engine renders nothing binary (DESIGN.md §4).
#include "report/report_xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace disclose {
namespace {

void check(lxw_error error, std::string_view what) {
  if (error != LXW_NO_ERROR)
    throw std::runtime_error("xlsx: " + std::string(what) + ": " + lxw_strerror(error));
}

// Owns an lxw_workbook until close(); a workbook abandoned by an exception is closed (and freed)
// by the destructor, whatever it leaves on disk.
class Workbook {
 public:
  explicit Workbook(const std::string& path) : workbook_(workbook_new(path.c_str())) {
    if (!workbook_) throw std::runtime_error("xlsx: cannot create workbook " + path);
  }
  ~Workbook() {
    if (workbook_) workbook_close(workbook_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_worksheet* add_sheet(const char* name) {
    lxw_worksheet* sheet = workbook_add_worksheet(workbook_, name);
    if (!sheet) throw std::runtime_error(std::string("xlsx: cannot add sheet ") + name);
    return sheet;
  }
  lxw_format* add_format() {
    lxw_format* format = workbook_add_format(workbook_);
    if (!format) throw std::runtime_error("xlsx: cannot add a format");
    return format;
  }
  // Writes the file; the workbook is freed whatever the outcome.
  void close() {
    lxw_workbook* workbook = workbook_;
    workbook_ = nullptr;
    check(workbook_close(workbook), "cannot write the workbook");
  }

 private:
  lxw_workbook* workbook_;
};

struct Formats {
  lxw_format* title;    // the report's title
  lxw_format* heading;  // a table's title, left aligned, bold
  lxw_format* head;     // header cells: centred, bordered, wrapped
  lxw_format* note;     // the 勾稽关系 note: as head, smaller
  lxw_format* label;    // row labels: left, bordered, wrapped
  lxw_format* number;   // the counts: centred, bordered
  lxw_format* text;     // plain lines below the tables
};

lxw_format* base(Workbook& book, bool bordered) {
  lxw_format* f = book.add_format();
  format_set_font_name(f, "宋体");
  format_set_font_size(f, 10.5);
  format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
  if (bordered) format_set_border(f, LXW_BORDER_THIN);
  return f;
}

Formats make_formats(Workbook& book) {
  Formats f{};
  f.title = base(book, false);
  format_set_font_size(f.title, 16);
  format_set_bold(f.title);
  format_set_align(f.title, LXW_ALIGN_CENTER);
  f.heading = base(book, false);
  format_set_font_size(f.heading, 12);
  format_set_bold(f.heading);
  f.head = base(book, true);
  format_set_align(f.head, LXW_ALIGN_CENTER);
  format_set_text_wrap(f.head);
  f.note = base(book, true);
  format_set_align(f.note, LXW_ALIGN_CENTER);
  format_set_text_wrap(f.note);
  format_set_font_size(f.note, 9);
  f.label = base(book, true);
  format_set_text_wrap(f.label);
  f.number = base(book, true);
  format_set_align(f.number, LXW_ALIGN_CENTER);
  f.text = base(book, false);
  return f;
}

// Thin checked wrappers: every call names the cell it failed on.
void put(lxw_worksheet* sheet, int row, int col, const std::string& text, lxw_format* format) {
  check(worksheet_write_string(sheet, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col),
                               text.c_str(), format),
        "write string at row " + std::to_string(row + 1));
}
void put(lxw_worksheet* sheet, int row, int col, int64_t n, lxw_format* format) {
  check(worksheet_write_number(sheet, static_cast<lxw_row_t>(row), static_cast<lxw_col_t>(col),
                               static_cast<double>(n), format),
        "write number at row " + std::to_string(row + 1));
}
// A single cell is written, not merged (Excel refuses one-cell merges).
void merge(lxw_worksheet* sheet, int first_row, int first_col, int last_row, int last_col,
           const std::string& text, lxw_format* format) {
  if (first_row == last_row && first_col == last_col) {
    put(sheet, first_row, first_col, text, format);
    return;
  }
  check(worksheet_merge_range(sheet, static_cast<lxw_row_t>(first_row),
                              static_cast<lxw_col_t>(first_col), static_cast<lxw_row_t>(last_row),
                              static_cast<lxw_col_t>(last_col), text.c_str(), format),
        "merge at row " + std::to_string(first_row + 1));
}
void width(lxw_worksheet* sheet, int first_col, int last_col, double w) {
  check(worksheet_set_column(sheet, static_cast<lxw_col_t>(first_col),
                             static_cast<lxw_col_t>(last_col), w, nullptr),
        "set column width");
}
void height(lxw_worksheet* sheet, int row, double h) {
  check(worksheet_set_row(sheet, static_cast<lxw_row_t>(row), h, nullptr), "set row height");
}

void print_setup(lxw_worksheet* sheet, int last_row, int last_col) {
  worksheet_set_paper(sheet, 9);  // A4
  worksheet_set_landscape(sheet);
  worksheet_set_margins(sheet, 0.5, 0.5, 0.6, 0.6);
  worksheet_center_horizontally(sheet);
  worksheet_fit_to_pages(sheet, 1, 0);  // one page wide, as many tall as needed
  check(worksheet_print_area(sheet, 0, 0, static_cast<lxw_row_t>(last_row),
                             static_cast<lxw_col_t>(last_col)),
        "set print area");
}

constexpr int kLabelColumns = 3;  // 一/二/三/四, the 三 sub-heading, the numbered item
constexpr int kTable3LastCol = kLabelColumns + kReportColumns - 1;

// Sheet 表三: title, date range, three header rows, then the 25 rows of the form.
void write_table3(Workbook& book, const Formats& f, const AnnualReport& report) {
  lxw_worksheet* sheet = book.add_sheet("表三");
  width(sheet, 0, 0, 12);
  width(sheet, 1, 1, 16);
  width(sheet, 2, 2, 44);
  width(sheet, kLabelColumns, kTable3LastCol, 11);

  merge(sheet, 0, 0, 0, kTable3LastCol, annual_report_title(report), f.title);
  height(sheet, 0, 28);
  const std::string year = std::to_string(report.year);
  merge(sheet, 1, 0, 1, kTable3LastCol, year + "年1月1日至" + year + "年12月31日", f.text);
  merge(sheet, 2, 0, 2, kTable3LastCol, "三、收到和处理政府信息公开申请情况", f.heading);

  const int head = 3;
  merge(sheet, head, 0, head + 2, kLabelColumns - 1,
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", f.note);
  merge(sheet, head, kLabelColumns, head, kTable3LastCol, "申请人情况", f.head);
  const auto& columns = report_columns();
  merge(sheet, head + 1, kLabelColumns, head + 2, kLabelColumns, columns[0].label, f.head);
  merge(sheet, head + 1, kLabelColumns + 1, head + 1, kLabelColumns + kTotalColumn - 1,
        "法人或其他组织", f.head);
  for (int i = 1; i < kTotalColumn; ++i)
    put(sheet, head + 2, kLabelColumns + i, columns[i].label, f.head);
  merge(sheet, head + 1, kTable3LastCol, head + 2, kTable3LastCol, columns[kTotalColumn].label,
        f.head);
  height(sheet, head + 2, 30);

  const int first = head + 3;
  const int count = static_cast<int>(report.rows.size());
  // The extent of the run of rows starting at `i` whose codes share `key`.
  auto run_end = [&](int i, auto key) {
    int j = i;
    while (j + 1 < count && key(split_report_row(report.rows[j + 1].code)) ==
                                key(split_report_row(report.rows[i].code)))
      ++j;
    return j;
  };
  for (int i = 0; i < count; ++i) {
    const ReportRow& r = report.rows[i];
    const ReportRowCode code = split_report_row(r.code);
    const int row = first + i;
    if (code.sub.empty()) {
      merge(sheet, row, 0, row, kLabelColumns - 1, code.top + "、" + r.label, f.label);
    } else {
      // Column A: "三、本年度办理结果" over every 三 row.
      if (i == 0 || split_report_row(report.rows[i - 1].code).sub.empty()) {
        int last = run_end(i, [](const ReportRowCode& p) { return !p.sub.empty(); });
        merge(sheet, row, 0, first + last, 0, "三、本年度办理结果", f.head);
      }
      if (code.item.empty()) {
        merge(sheet, row, 1, row, kLabelColumns - 1, "（" + code.sub + "）" + r.label, f.label);
      } else {
        // Column B: the group heading over its numbered items.
        auto group = [](const ReportRowCode& p) { return p.item.empty() ? std::string() : p.sub; };
        const bool opens = i == 0 || group(split_report_row(report.rows[i - 1].code)) != code.sub;
        if (opens)
          merge(sheet, row, 1, first + run_end(i, group), 1, "（" + code.sub + "）" + r.group,
                f.label);
        put(sheet, row, 2, code.item + "." + r.label, f.label);
      }
    }
    for (int c = 0; c < kReportColumns; ++c)
      put(sheet, row, kLabelColumns + c, r.cells[c], f.number);
  }

  int row = first + count + 1;
  if (report.ok()) {
    put(sheet, row, 0, "数据校验：勾稽关系全部相符。", f.text);
  } else {
    put(sheet, row++, 0, "数据校验未通过：", f.text);
    for (const std::string& failure : report.check_failures) put(sheet, row++, 0, failure, f.text);
    --row;
  }
  if (!report.audit_anchor.empty())
    put(sheet, ++row, 0, "审计锚点（事件日志末条）：" + report.audit_anchor, f.text);
  print_setup(sheet, row, kTable3LastCol);
}

// Sheet 表四: 行政复议 (five columns), then 行政诉讼 split in two; section 六's fees below.
void write_table4(Workbook& book, const Formats& f, const AnnualReport& report) {
  lxw_worksheet* sheet = book.add_sheet("表四");
  const int remedies = static_cast<int>(report.remedies.size());
  const int last_col = std::max(remedies * kRemedyColumns, 4) - 1;
  width(sheet, 0, last_col, 10);

  merge(sheet, 0, 0, 0, last_col, "四、政府信息公开行政复议、行政诉讼情况", f.heading);
  const auto& labels = remedy_result_labels();
  if (remedies > 0) {
    merge(sheet, 1, 0, 1, kRemedyColumns - 1, report.remedies[0].label, f.head);
    for (int c = 0; c < kRemedyColumns; ++c) merge(sheet, 2, c, 3, c, labels[c], f.head);
  }
  if (remedies > 1) {
    merge(sheet, 1, kRemedyColumns, 1, last_col, "行政诉讼", f.head);
    for (int k = 1; k < remedies; ++k) {
      const int left = k * kRemedyColumns;
      merge(sheet, 2, left, 2, left + kRemedyColumns - 1, report.remedies[k].label, f.head);
      for (int c = 0; c < kRemedyColumns; ++c) put(sheet, 3, left + c, labels[c], f.head);
    }
  }
  for (int k = 0; k < remedies; ++k) {
    for (int c = 0; c < kRemedyColumns; ++c)
      put(sheet, 4, k * kRemedyColumns + c, report.remedies[k].cells[c], f.number);
  }

  merge(sheet, 6, 0, 6, last_col, "六、其他需要报告的事项", f.heading);
  merge(sheet, 7, 0, 7, 2, "收取信息处理费（元）", f.label);
  put(sheet, 7, 3, report.fees_yuan, f.number);
  merge(sheet, 8, 0, 8, 2, "缴费笔数", f.label);
  put(sheet, 8, 3, report.fees_paid, f.number);
  print_setup(sheet, 8, last_col);
}

}  // namespace

void write_annual_report_xlsx(const AnnualReport& report, const std::string& path) {
  Workbook book(path);
  const Formats formats = make_formats(book);
  write_table3(book, formats, report);
  write_table4(book, formats, report);
  book.close();
}

std::string annual_report_xlsx_bytes(const AnnualReport& report) {
  // libxlsxwriter 1.1.4 (Debian 12) writes only to a file: build the workbook in a private
  // temporary file, read it back and remove it.
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/disclose-report-XXXXXX";
  int fd = mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("xlsx: cannot create a temporary file");
  close(fd);
  struct Remove {
    std::string path;
    ~Remove() { unlink(path.c_str()); }
  } remove{pattern};
  write_annual_report_xlsx(report, pattern);
  std::ifstream in(pattern, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) throw std::runtime_error("xlsx: cannot read the workbook back");
  return bytes.str();
}

}  // namespace disclose
