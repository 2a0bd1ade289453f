// The annual report as an .xlsx workbook in the official layout (国办公开办函〔2021〕30号):
// sheet "表三" (table 三 with its merged headings), sheet "表四" (table 四) with the fees of
// section 六 below it. Cells hold numbers, not text, so the workbook can be summed and checked.
#pragma once

#include <string>

#include "disclose/annual_report.h"

namespace disclose {

// Writes `report` to `path` (replacing any file there). Throws std::runtime_error naming the
// libxlsxwriter error when the workbook cannot be built or written.
void write_annual_report_xlsx(const AnnualReport& report, const std::string& path);
// The same workbook as bytes (for the HTTP API). Throws std::runtime_error like the above.
std::string annual_report_xlsx_bytes(const AnnualReport& report);

}  // namespace disclose
