#include "datagen/vocabulary.h"

#include <map>

namespace datagen {
namespace {

using Words = std::vector<std::string>;

// Surnames roughly by frequency: the first ones are drawn more often (see person_name).
const Words kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐",   "孙",   "马",  "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许",   "韩",   "冯",  "邓", "曹",
    "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余",   "杜",   "叶",  "程", "苏",
    "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭",   "陆",   "汪",  "范", "金",
    "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊",   "秦",   "邱",  "江", "尹",
    "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾",   "毛",   "郝",  "龚", "邵",
    "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "欧阳", "司马", "诸葛"};
const Words kGivenChars = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "霞", "平", "刚", "华", "建", "国", "英", "文", "秀", "兰", "玉", "桂", "红",
    "志", "海", "林", "波", "宇", "浩", "凯", "晨", "欣", "怡", "佳", "雪", "梅", "琳", "鹏",
    "飞", "斌", "辉", "峰", "俊", "婷", "倩", "颖", "彬", "亮", "成", "荣", "新", "春", "德",
    "振", "东", "永", "福", "贵", "琴", "云", "萍", "红", "燕", "子", "涵", "轩", "睿", "昊"};

const Words kPlaceHeads = {"东", "西", "南", "北", "前", "后", "上", "下", "新", "老",
                           "大", "小", "石", "柳", "青", "红", "黄", "白", "金", "长",
                           "桃", "杨", "枣", "马", "牛", "龙", "凤", "李", "王", "高"};
const Words kPlaceBodies = {"湖", "塘", "山", "河", "桥", "庄", "营", "岗", "坝", "湾",
                            "林", "田", "家", "沟", "园", "堡", "坪", "港", "店", "洼"};
const Words kPlaceKinds = {"村", "村", "村", "社区", "社区", "片区", "新村", "小区"};
const Words kRoadHeads = {"人民", "建设", "解放", "中山", "新华", "和平", "文化", "工业",
                          "滨江", "环城", "朝阳", "胜利", "光明", "长江", "黄河", "学府",
                          "科技", "兴业", "健康", "湖滨", "东风", "幸福", "迎宾", "体育"};
const Words kRoadKinds = {"路", "路", "路", "大道", "街", "北路", "南路", "东路", "西路"};
const Words kFirmWords = {"鑫源", "华泰", "恒信", "宏达", "东方", "金盛", "瑞丰", "永安",
                          "中联", "博远", "汇通", "嘉禾", "天成", "锦程", "盛世", "润泽",
                          "安达", "海纳", "德昌", "万通", "新科", "远景", "宝丰", "联创"};
const Words kIndustries = {"置业",     "房地产开发", "建设工程", "商贸",     "科技",
                           "环保科技", "物流",       "餐饮管理", "建材",     "物业管理",
                           "医疗器械", "食品",       "化工",     "汽车销售", "信息技术"};
const Words kFirmSuffixes = {"有限公司", "有限公司", "有限责任公司", "股份有限公司"};
const Words kProjects = {"{place}安置房项目",  "{road}综合管廊工程", "{place}物流园项目",
                         "{place}污水处理厂",  "区人民医院新院区",   "{place}产业园",
                         "{road}立交桥工程",   "{place}学校扩建",    "{place}垃圾中转站",
                         "{road}地块商住项目", "{place}体育公园",    "{road}雨污分流改造"};

// Request templates by topic. {place} {road} {project} {company} {year} {n} are filled in.
const std::map<std::string, Words>& request_templates() {
  static const std::map<std::string, Words> templates = {
      {"征地拆迁",
       {"{place}集体土地征收的征地批复文件及勘测定界图", "{year}年{place}地块征收补偿安置方案",
        "{place}征地补偿费用支付凭证及发放明细", "{road}拓宽工程征收土地的范围红线图",
        "{place}地块土地征收社会稳定风险评估报告", "{project}用地的农用地转用审批文件"}},
      {"规划许可",
       {"{project}的建设工程规划许可证及附图", "{place}控制性详细规划及其调整的审批文件",
        "{project}建设用地规划许可证", "{year}年批准的{road}两侧地块规划条件"}},
      {"不动产登记",
       {"{road}{n}号房屋的不动产登记原始档案", "{place}宅基地审批及登记资料",
        "{place}集体土地所有权确权登记成果"}},
      {"房屋征收",
       {"{road}片区旧城改造项目房屋征收决定及公告", "{place}棚户区改造项目房屋征收补偿方案",
        "{road}{n}号房屋的征收评估报告及送达凭证", "{year}年{place}房屋征收项目补偿资金使用情况",
        "{place}征收项目房地产价格评估机构选定过程材料"}},
      {"建设工程",
       {"{project}施工许可证及竣工验收备案材料", "{project}的招标投标文件及中标结果",
        "{place}老旧小区改造工程预算及结算审计报告"}},
      {"物业管理",
       {"{place}小区专项维修资金使用明细", "{place}小区业主大会成立及业主委员会备案材料",
        "{place}小区前期物业服务合同备案材料"}},
      {"环境信息",
       {"{company}建设项目环境影响评价报告书及批复", "{year}年{place}周边空气质量监测数据",
        "{company}排污许可证及执法监测报告", "{place}垃圾焚烧发电项目环评公众参与材料",
        "{year}年对{company}环境违法行为的行政处罚决定书"}},
      {"市场监管",
       {"{company}的行政处罚决定书", "{year}年食品安全监督抽检结果",
        "本人对{company}投诉举报的处理结果", "{company}的特种设备检验报告"}},
      {"行政执法",
       {"{year}年对本人作出行政处罚所依据的执法案卷", "{road}{n}号门前停车管理的执法依据",
        "{year}年{place}行政执法检查计划及结果"}},
      {"交通管理",
       {"{road}路段电子警察设置审批文件及检定证书", "{road}交通组织调整方案及论证材料"}},
      {"社会保障",
       {"{year}年本区社会保险基金收支情况", "{company}职工社会保险缴纳情况的核查结果",
        "{year}年本区最低工资标准执行文件"}},
      {"劳动监察",
       {"本人投诉{company}拖欠工资的处理结果", "{year}年对{company}劳动保障监察的检查记录"}},
      {"教育",
       {"{year}年{place}学区划分方案及依据", "{year}年区属学校教师招聘成绩及拟录用名单",
        "{place}小学新建工程立项及资金文件"}},
      {"医疗卫生",
       {"{year}年区级医疗机构医疗纠纷处理情况统计", "{company}医疗美容机构执业许可信息",
        "{year}年{place}卫生服务中心建设项目资金使用情况"}},
      {"交通建设",
       {"{road}改扩建工程立项批复及资金来源", "{year}年农村公路建设计划及{place}段施工合同"}},
      {"数据开放", {"{year}年全区公共数据资源目录", "政务数据共享交换平台建设项目验收材料"}},
      {"政务公开",
       {"{year}年区政府常务会议纪要中关于{project}的部分", "{year}年区政府重大行政决策事项目录",
        "{year}年区政府信息公开工作年度报告的统计依据"}},
      {"财政预决算",
       {"{year}年区级部门预算中“三公”经费明细", "{year}年{project}财政资金拨付凭证",
        "{year}年{project}的政府采购合同"}},
      {"规范性文件",
       {"{year}年区政府印发的有关{place}建设的规范性文件", "区政府关于{project}的会议纪要"}},
      {"社会救助",
       {"{year}年{place}最低生活保障对象名单及审批材料", "{year}年临时救助资金发放明细",
        "{year}年{place}特困人员供养审批材料"}},
      {"项目审批", {"{project}立项批复及可行性研究报告", "{year}年区级政府投资项目计划"}},
      {"水务", {"{place}河道整治工程设计及验收资料", "{year}年{place}供水水质检测报告"}},
      {"农村集体",
       {"{place}村集体经济组织{year}年财务收支明细", "{place}集体土地承包经营权流转合同",
        "{place}宅基地分配方案及村民代表会议记录"}},
      {"违法建设",
       {"{road}{n}号违法建设认定及限期拆除决定书", "{place}违法建设专项整治工作方案",
        "{year}年对{place}违法建设强制拆除的执法记录"}},
      {"安全生产", {"{company}安全生产事故调查报告", "{year}年安全生产执法检查计划"}},
  };
  return templates;
}

const Words kDataSets = {"公交站点及线路",     "企业登记基本信息", "空气质量监测小时",
                         "公共停车场泊位",     "医疗机构名录",     "中小学校名录",
                         "政务服务事项办件量", "城市道路井盖点位", "公共充电桩分布",
                         "养老机构床位",       "历年气象观测",     "菜市场价格监测"};
const Words kDataUses = {"用于高校课题研究",     "用于开发便民出行小程序",
                         "用于企业选址分析",     "用于硕士学位论文写作",
                         "用于社区志愿服务规划", "用于新闻报道的数据核实"};
const Words kPurposes = {"维护自身合法权益",   "了解征收补偿标准", "用于诉讼举证",
                         "学术研究",           "监督政府工作",     "了解周边规划",
                         "核实补偿款发放情况", "办理相关手续"};

std::string replace_all(std::string text, const std::string& key, const std::string& value) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + value.size()))
    text.replace(at, key.size(), value);
  return text;
}

std::string fill(std::string text, int year, Rng& rng) {
  if (text.find("{project}") != std::string::npos)
    text = replace_all(text, "{project}", rng.pick(kProjects));
  if (text.find("{place}") != std::string::npos)
    text = replace_all(text, "{place}", place_name(rng));
  if (text.find("{road}") != std::string::npos) text = replace_all(text, "{road}", road_name(rng));
  if (text.find("{company}") != std::string::npos)
    text = replace_all(text, "{company}", company_name(rng));
  if (text.find("{n}") != std::string::npos)
    text = replace_all(text, "{n}", std::to_string(rng.between(1, 388)));
  // Requests mostly ask about the year of receipt or the years just before it.
  if (text.find("{year}") != std::string::npos)
    text = replace_all(text, "{year}", std::to_string(year - rng.weighted({30, 35, 20, 10, 5})));
  return text;
}

struct Reply {
  const char* basis;
  const char* reasons;
};

const std::map<std::string, Reply>& replies() {
  static const std::map<std::string, Reply> table = {
      {"granted",
       {"《中华人民共和国政府信息公开条例》第三十六条第（二）项",
        "经检索，您申请公开的信息属于公开范围，现将该信息提供给您。"}},
      {"partial",
       {"《中华人民共和国政府信息公开条例》第三十七条",
        "所申请信息中涉及第三方个人信息的内容已作区分处理，其余部分予以公开。如不服本答复，"
        "可在收到之日起六十日内依法申请行政复议。"}},
      {"withheld.state_secret",
       {"《中华人民共和国政府信息公开条例》第十四条",
        "经审查，您申请的信息属于国家秘密，依法不予公开。如不服本答复，可依法申请行政复议。"}},
      {"withheld.law_prohibits",
       {"《中华人民共和国政府信息公开条例》第十四条",
        "相关法律、行政法规禁止公开该信息，不予公开。如不服本答复，可依法申请行政复议。"}},
      {"withheld.security_stability",
       {"《中华人民共和国政府信息公开条例》第十四条",
        "该信息公开后可能危及社会稳定，不予公开。如不服本答复，可依法申请行政复议。"}},
      {"withheld.third_party",
       {"《中华人民共和国政府信息公开条例》第十五条、第三十二条",
        "该信息涉及第三方商业秘密，经书面征求意见，第三方不同意公开，且不公开不会对公共利益"
        "造成重大影响。如不服本答复，可依法申请行政复议。"}},
      {"withheld.internal_affairs",
       {"《中华人民共和国政府信息公开条例》第十六条第一款",
        "该信息属于人事管理、后勤管理、内部工作流程等内部事务信息，不予公开。如不服本答复，"
        "可依法申请行政复议。"}},
      {"withheld.process_info",
       {"《中华人民共和国政府信息公开条例》第十六条第二款",
        "该信息属于讨论记录、过程稿、请示报告等过程性信息，不予公开。如不服本答复，可依法"
        "申请行政复议。"}},
      {"withheld.enforcement_file",
       {"《中华人民共和国政府信息公开条例》第十六条第二款",
        "该信息属于行政执法案卷信息，不予公开。如不服本答复，可依法申请行政复议。"}},
      {"withheld.special_access",
       {"《中华人民共和国政府信息公开条例》第三十六条第（七）项",
        "该信息属于有专门查询规定的登记资料，请按相关规定办理查询。如不服本答复，可依法申请"
        "行政复议。"}},
      {"unavailable.not_held",
       {"《中华人民共和国政府信息公开条例》第三十六条第（四）项",
        "经检索，本机关未制作或获取您申请的信息。"}},
      {"unavailable.needs_creation",
       {"《中华人民共和国政府信息公开条例》第三十八条",
        "您申请的信息需要本机关对现有信息进行加工、分析方能形成，不予提供。"}},
      {"unavailable.unclear_after_correction",
       {"《中华人民共和国政府信息公开条例》第三十条",
        "经补正后，您的申请内容仍不明确，本机关无法确定所需信息，无法提供。"}},
      {"not_processed.petition",
       {"《中华人民共和国政府信息公开条例》第三十九条第一款",
        "您提出的是信访、投诉、举报事项，本机关不作为政府信息公开申请处理，请通过相应渠道"
        "反映。"}},
      {"not_processed.repeat",
       {"《中华人民共和国政府信息公开条例》第三十六条第（六）项",
        "您已就相同内容提出过申请，本机关已依法作出答复，不再重复处理。"}},
      {"not_processed.publication",
       {"《中华人民共和国政府信息公开条例》第三十九条第二款",
        "您申请的是公开出版物，请通过公开出版发行渠道获取。"}},
      {"not_processed.excessive",
       {"《中华人民共和国政府信息公开条例》第三十五条",
        "申请人无正当理由大量、反复申请政府信息公开，明显超过合理范围，本机关不予处理。"}},
      {"not_processed.confirm_reissue",
       {"《中华人民共和国政府信息公开条例》第三十九条第二款",
        "您要求本机关确认或重新出具已获取的信息，不属于政府信息公开申请，不予处理。"}},
      {"other.other",
       {"《中华人民共和国政府信息公开条例》第三十六条",
        "经沟通，申请人已通过其他途径获取所需信息，本机关告知后终止处理。"}},
  };
  return table;
}

}  // namespace

std::string person_name(Rng& rng) {
  // The most common tenth of surnames covers about half of all people.
  size_t head = kSurnames.size() / 10;
  const std::string& surname = rng.chance(0.5) ? kSurnames[rng.below(head)] : rng.pick(kSurnames);
  std::string given = rng.pick(kGivenChars);
  if (rng.chance(0.7)) given += rng.pick(kGivenChars);
  return surname + given;
}

std::string place_name(Rng& rng) {
  return rng.pick(kPlaceHeads) + rng.pick(kPlaceBodies) + rng.pick(kPlaceKinds);
}

std::string road_name(Rng& rng) {
  return rng.pick(kRoadHeads) + rng.pick(kRoadKinds);
}

std::string company_name(Rng& rng) {
  return rng.pick(kFirmWords) + rng.pick(kIndustries) + rng.pick(kFirmSuffixes);
}

std::string organisation_name(const std::string& kind, Rng& rng) {
  if (kind == "commercial") return company_name(rng);
  if (kind == "research") {
    static const Words names = {"大学法学院",         "大学公共管理学院", "社会科学院",
                                "城市规划设计研究院", "环境科学研究所",   "大学数据科学研究中心"};
    static const Words cities = {"江城", "滨海", "东陵", "南州", "西京", "北原"};
    return rng.pick(cities) + rng.pick(names);
  }
  if (kind == "public_welfare") {
    static const Words kinds = {"环保志愿者协会", "公益服务中心",   "慈善基金会",
                                "助残服务中心",   "社区发展促进会", "消费者权益保护协会"};
    return rng.pick(kFirmWords) + rng.pick(kinds);
  }
  if (kind == "legal_service") {
    static const Words kinds = {"律师事务所", "律师事务所", "律师事务所", "法律服务所"};
    return rng.pick(kFirmWords) + rng.pick(kinds);
  }
  static const Words others = {"村民委员会", "社区居民委员会", "小区业主委员会", "村股份经济合作社",
                               "行业协会"};
  return place_name(rng) + rng.pick(others);
}

std::string request_description(const std::string& topic, int year, Rng& rng) {
  auto found = request_templates().find(topic);
  const Words& options =
      found != request_templates().end() ? found->second : request_templates().at("政务公开");
  return fill(rng.pick(options), year, rng);
}

std::string public_data_description(int year, Rng& rng) {
  int from = year - rng.between(1, 3);
  return "申请开放" + std::to_string(from) + "年至" + std::to_string(year) + "年全区" +
         rng.pick(kDataSets) + "数据集（CSV或接口方式）";
}

std::string public_data_purpose(Rng& rng) {
  return rng.pick(kDataUses);
}

std::string request_purpose(Rng& rng) {
  return rng.pick(kPurposes);
}

std::string reply_basis(const std::string& determination) {
  auto found = replies().find(determination);
  return found == replies().end() ? "" : found->second.basis;
}

std::string reply_reasons(const std::string& determination) {
  auto found = replies().find(determination);
  return found == replies().end() ? "" : found->second.reasons;
}

std::vector<std::string> correction_items(Rng& rng) {
  static const Words items = {"请明确所需信息的时间范围",       "请明确所需信息的具体名称或文号",
                              "请补充申请人有效身份证明复印件", "请明确地块或房屋的具体位置",
                              "请补充所需信息的形式要求",       "请补充法人或其他组织的营业执照"};
  std::vector<std::string> out{rng.pick(items)};
  if (rng.chance(0.3)) {
    std::string second = rng.pick(items);
    if (second != out.front()) out.push_back(second);
  }
  return out;
}

std::string extension_reason(Rng& rng) {
  static const Words reasons = {"所需信息涉及多个年度档案，需调档检索", "需向多个部门调取档案",
                                "所需信息数量较大，需逐页区分处理", "需会同相关单位共同研究"};
  return rng.pick(reasons);
}

std::string delay_reason(Rng& rng) {
  static const Words reasons = {"申请数量较大，依条例第三十五条另行确定答复期限",
                                "同一申请人短期内提出大量申请，另行确定合理答复期限"};
  return rng.pick(reasons);
}

std::string return_reason(Rng& rng) {
  static const Words reasons = {"法律依据引用不准确，请修改", "答复书未告知救济途径",
                                "区分处理不到位，请重新核对", "请补充检索过程说明"};
  return rng.pick(reasons);
}

std::string note_text(Rng& rng) {
  static const Words notes = {"已在档案室检索{year}年度文书档案", "已函询区档案馆，等待回复",
                              "承办科室已提供初稿材料",           "经核实，部分材料已主动公开",
                              "申请人另有一件同类申请，合并研究", "已调取纸质档案扫描件"};
  return fill(rng.pick(notes), 2024, rng);
}

std::string contact_text(Rng& rng) {
  static const Words texts = {"电话联系申请人，确认所需信息的范围", "电话告知申请人办理进度",
                              "申请人来电询问办理进度，已答复", "与申请人沟通答复送达方式",
                              "申请人表示可接受电子版"};
  return rng.pick(texts);
}

std::string attachment_name(Rng& rng) {
  static const Words names = {"申请表扫描件.pdf", "身份证明复印件.pdf", "补正材料.pdf",
                              "送达回证.jpg",     "检索记录.docx",      "答复书签发稿.pdf"};
  return rng.pick(names);
}

std::string consulted_party(bool third_party, Rng& rng) {
  if (third_party) return rng.chance(0.6) ? company_name(rng) : person_name(rng);
  static const Words agencies = {"市自然资源和规划局", "市住房和城乡建设局", "区财政局",
                                 "市生态环境局",       "区发展和改革委员会", "市公安局"};
  return rng.pick(agencies);
}

std::string reopen_order(const std::string& remedy_kind, Rng& rng) {
  std::string body = remedy_kind == "review" ? "行政复议决定书" : "行政判决书";
  return "依" + body + "（" + std::to_string(rng.between(2023, 2026)) + "）第" +
         std::to_string(rng.between(1, 999)) + "号，责令重新答复";
}

std::string refusal_reason(Rng& rng) {
  static const Words reasons = {"所申请数据属于不予开放类公共数据", "所申请数据涉及个人信息",
                                "所申请数据尚未完成汇聚治理",
                                "部分数据涉及商业秘密，仅可有条件开放"};
  return rng.pick(reasons);
}

std::string provision_note(Rng& rng) {
  static const Words notes = {"已通过开放平台提供下载链接", "已开通数据接口并发放密钥",
                              "已刻录光盘送达", "已通过电子邮件发送数据文件"};
  return rng.pick(notes);
}

}  // namespace datagen
