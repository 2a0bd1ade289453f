// The lifecycle of a generated 政府信息公开申请 (workflow gov-info-disclosure): first its shape —
// the outcome and the detours it takes — then the steps that realise that shape.
//
// The model (shares per case; district annual reports are the yardstick):
// - Outcome: 予以公开 ≈ 39 %, 部分公开 10 %, 不予公开 (8 reasons) ≈ 7 %, 无法提供 ≈ 28.5 % (mostly
//   not held), 不予处理 ≈ 9 %, withdrawn 3 %, no correction 2.5 %, fee unpaid 0.3 %, other 1 %.
//   The outcome decides the path: no correction = a 补正 notice whose window runs out; fee
//   unpaid = a fee notice whose window runs out; withdrawn = withdrawn at a random open point;
//   "unclear after correction" = a correction that arrived but did not help.
// - Detours on the way to a reply: 补正 7 % (8 % of notices late, after 7 working days),
//   consultation 5 % (60 % for partial / third-party refusals; 15 % of parties stay silent and
//   the window expires), fee paid 0.8 %, extension 10 %, Art. 35 delay 0.4 % (30 % for
//   excessive requests), reply sent back 7 %, reassignment 3 %, late reply 4 %.
// - 当场答复 (immediate reply, all on the day of receipt): 6 % of grants and simple refusals
//   of in-person requests.
// - After closing: archived 5–60 working days later; a remedy (行政复议 60 %, 直接起诉 25 %,
//   复议后起诉 15 %) for 2 % of refusals and 0.3 % of grants, 20 % of them still pending (60 % of
//   those decided later), 12 % corrected — half of which reopen the case and answer again.
// - Notes (0–3), contacts with the applicant (0–2) and attachments (0–1) at random open points.
#pragma once

#include <string>
#include <vector>

#include "datagen/path_builder.h"
#include "datagen/random.h"
#include "disclose/workflow.h"

namespace datagen {

struct GovInfoShape {
  std::string determination;  // the final determination (a code of the workflow file)
  bool immediate = false;     // 当场答复
  bool correction = false;
  bool correction_late = false;     // notice after the 7-working-day limit
  bool correction_expires = false;  // → other.no_correction
  bool correction_due_on = false;   // the notice names a date instead of a window
  int correction_window_wd = 15;
  bool consult = false;
  bool consult_third_party = true;
  bool consult_expires = false;
  bool fee = false;
  bool fee_expires = false;  // → other.fee_unpaid
  bool extend = false;
  bool art35_delay = false;
  bool return_reply = false;
  bool reassign = false;
  bool late_reply = false;
  bool withdraw = false;      // → other.withdrawn
  std::string remedy_kind;    // "" = none
  std::string remedy_result;  // upheld | corrected | other | pending
  bool remedy_decided_later = false;
  bool reopen = false;
  std::string reopen_determination;
  int notes = 0;
  int contacts = 0;
  int attachments = 0;
};

// A final determination drawn from the outcome mix (every code of `workflow` is possible; codes
// the model does not know get a small weight).
std::string draw_determination(const disclose::Workflow& workflow, Rng& rng);
// True for the codes a reply (draft_reply) can carry; the others come from withdraw and expiries.
bool is_reply_determination(const std::string& code);

// The detours for a case ending with `determination`, drawn per the model above.
GovInfoShape draw_gov_info_shape(const std::string& determination, Rng& rng);
// Makes the shape consistent after a caller forced some of its fields (the outcome decides
// which detours must or must not happen).
void settle_gov_info_shape(GovInfoShape& shape);

// Appends the steps of `shape` to `path` (which starts at registration). `delivery` is the
// request's preferred delivery (how the reply goes out); the handlers are 0 … handlers-1.
void build_gov_info_path(const GovInfoShape& shape, const std::string& delivery, int handler,
                         int handlers, PathBuilder& path, Rng& rng);

}  // namespace datagen
