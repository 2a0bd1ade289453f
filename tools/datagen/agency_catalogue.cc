#include "datagen/agency_catalogue.h"

#include <stdexcept>

namespace datagen {

std::vector<AgencyProfile> agency_catalogue(int count) {
  if (count < 1 || count > 200) throw std::invalid_argument("agencies: between 1 and 200");
  // Weights follow what district annual reports show: land, housing and planning draw most
  // requests (征地拆迁, 房屋征收), then enforcement, environment and the government office.
  static const std::vector<AgencyProfile> named = {
      {"bgs", "区人民政府办公室", "区府办", 8, {"政务公开", "财政预决算", "规范性文件"}},
      {"zrzy", "区自然资源局", "自然资源", 22, {"征地拆迁", "规划许可", "不动产登记"}},
      {"zjj", "区住房和城乡建设局", "住建", 16, {"房屋征收", "建设工程", "物业管理"}},
      {"sthj", "区生态环境分局", "生态环境", 5, {"环境信息"}},
      {"scjg", "区市场监督管理局", "市场监管", 5, {"市场监管", "行政执法"}},
      {"gaj", "区公安分局", "公安", 5, {"行政执法", "交通管理"}},
      {"rsj", "区人力资源和社会保障局", "人社", 4, {"社会保障", "劳动监察"}},
      {"jyj", "区教育局", "教育", 4, {"教育"}},
      {"wjw", "区卫生健康委员会", "卫健", 3, {"医疗卫生"}},
      {"jtj", "区交通运输局", "交通", 3, {"交通建设"}},
      {"sjj", "区数据局", "数据", 1, {"数据开放", "政务公开"}},
      {"cgj", "区城市管理综合执法局", "城管", 5, {"违法建设", "行政执法"}},
      {"czj", "区财政局", "财政", 2, {"财政预决算"}},
      {"mzj", "区民政局", "民政", 2, {"社会救助"}},
      {"fgw", "区发展和改革委员会", "发改", 2, {"项目审批"}},
      {"swj", "区水务局", "水务", 2, {"水务"}},
      {"nyj", "区农业农村局", "农业农村", 3, {"农村集体", "征地拆迁"}},
      {"yjj", "区应急管理局", "应急", 1, {"安全生产"}},
      {"cgjd", "城关街道办事处", "城关街道", 3, {"房屋征收", "违法建设", "社会救助"}},
      {"dhjd", "东湖街道办事处", "东湖街道", 3, {"房屋征收", "物业管理", "违法建设"}},
      {"btjd", "北塘街道办事处", "北塘街道", 2, {"房屋征收", "社会救助"}},
      {"xszf", "西山镇人民政府", "西山镇", 3, {"征地拆迁", "农村集体", "违法建设"}},
      {"nhzf", "南湖镇人民政府", "南湖镇", 3, {"征地拆迁", "农村集体"}},
      {"qszf", "青石镇人民政府", "青石镇", 2, {"征地拆迁", "农村集体", "社会救助"}},
  };
  std::vector<AgencyProfile> out;
  for (int i = 0; i < count; ++i) {
    if (i < static_cast<int>(named.size())) {
      out.push_back(named[static_cast<size_t>(i)]);
      continue;
    }
    std::string n = std::to_string(i + 1);
    out.push_back({"pc" + n, "区第" + n + "派出机构", "派出" + n, 1, {"政务公开", "社会救助"}});
  }
  return out;
}

}  // namespace datagen
