// The lifecycle of a generated 公共数据开放申请 (workflow public-data-open): registered →
// accepted within the 3-working-day target (late for about one in seven) → data provided →
// archived. Refused (不予受理) for 11 % — 9 % not open data, 2 % partly — and withdrawn for 5 %
// (before or after acceptance). Notes and contacts as for gov-info requests.
#pragma once

#include "datagen/path_builder.h"
#include "datagen/random.h"

namespace datagen {

struct PublicDataShape {
  std::string determination;  // data.provided | data.refused | data.partial | other.withdrawn
  bool withdraw_after_acceptance = false;
  int notes = 0;
  int contacts = 0;
};

PublicDataShape draw_public_data_shape(Rng& rng);

void build_public_data_path(const PublicDataShape& shape, int handler, PathBuilder& path, Rng& rng);

}  // namespace datagen
