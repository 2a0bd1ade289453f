// labels.js — Chinese names for the API's identifiers (roles, channels, deadline kinds, input
// fields, …). State, action, deadline and determination labels come from the workflow file via
// GET /api/v1/workflows/{name}; only what the workflow does not carry is named here.

export const ROLES = {
  registrar: '登记员', handler: '承办人', reviewer: '审核人', supervisor: '负责人',
  auditor: '审计员', admin: '系统管理员',
};

export const CHANNELS = {
  in_person: '当面提交', mail_signed: '邮寄（挂号/快递）', mail_plain: '平信', online: '网络平台', fax: '传真',
};

// Art. 31: which day counts as the day the request was received, per channel.
export const CHANNEL_RULES = {
  in_person: '当面提交的，以提交之日为收到申请之日。',
  mail_signed: '以邮寄方式提交的，以行政机关签收之日为收到申请之日。',
  mail_plain: '以平常信函等无需签收的邮寄方式提交的，以行政机关与申请人确认之日为收到申请之日。',
  online: '通过互联网渠道提交的，以双方确认之日为收到申请之日。',
  fax: '通过传真提交的，以双方确认之日为收到申请之日。',
};

export const APPLICANT_KINDS = {
  natural_person: '自然人', commercial: '商业企业', research: '科研机构', public_welfare: '社会公益组织',
  legal_service: '法律服务机构', other_org: '其他组织',
};

export const ID_TYPES = {
  resident_id: '居民身份证', passport: '护照', hk_macao_permit: '港澳居民来往内地通行证',
  taiwan_permit: '台湾居民来往大陆通行证', credit_code: '统一社会信用代码', other: '其他证件',
};

export const FORMS = {paper: '纸质', electronic: '电子数据', other: '其他'};
export const DELIVERIES = {post: '邮寄', email: '电子邮件', pickup: '自行领取', fax: '传真', online: '网上获取'};

export const DEADLINE_STATUS = {
  running: '计时中', paused: '暂停', stopped: '停止', met: '已完成', missed: '已超期',
};

export const CLOCK_STEPS = {
  start: '开始计时', stop: '停止计时', restart: '重新计算', pause: '暂停', resume: '恢复计时',
  extend: '延期', override: '另行确定期限', met: '按期完成', missed: '超期', recompute: '按新日历重算',
};

export const FLAGS = {
  due_soon: '即将到期', overdue: '已超期', provisional: '日期暂定（超出已公布日历）',
  late_correction_notice: '补正告知超过7个工作日',
};

// Input field names of the workflows' actions (DESIGN.md §7).
export const INPUT_LABELS = {
  on: '日期', items: '需补正的事项（每行一项）', window_wd: '补正期限（工作日）', due_on: '期限日期',
  assignee: '承办人', party: '征求意见对象', party_name: '对象名称', party_received_on: '对方收到日期',
  opinion: '反馈意见', method: '方式', amount_yuan: '金额（元）', applicant_received_on: '申请人收到通知日期',
  working_days: '工作日数', reason: '理由', determination: '答复类型', basis: '法律依据', reasons: '理由说明',
  tracking_no: '邮寄单号', order: '复议/诉讼决定要求', kind: '类型', result: '结果', text: '内容',
  with: '沟通对象', means: '沟通方式', name: '名称',
};

export const INPUT_HINTS = {
  on: '事情实际发生的日期，不得晚于今天，也不得早于本案上一次记录的日期。',
  window_wd: '与"期限日期"二选一；都不填按工作流默认（15个工作日）。',
  working_days: '延期合计不超过20个工作日，且须在答复期限届满前决定。',
  party_received_on: '征求意见期限从对方收到之日起算15个工作日。',
};

export const CHOICES = {
  party: {third_party: '第三方（第三十二条）', agency: '其他机关（第三十四条）'},
  opinion: {agree: '同意公开', object: '不同意公开', none: '未表态'},
  method: {per_item: '按件计收', per_page: '按量计收', direct: '直接送达', post: '邮寄送达', electronic: '电子送达', entrusted: '委托送达'},
  kind: {review: '行政复议', suit_direct: '未经复议直接起诉', suit_after_review: '复议后起诉'},
  result: {upheld: '结果维持', corrected: '结果纠正', other: '其他结果', pending: '尚未审结'},
  means: {download: '下载', api: '接口', media: '存储介质', email: '电子邮件'},
};

export const SUBSCRIPTION_KINDS = {webhook: 'Webhook', wecom: '企业微信', dingtalk: '钉钉', feishu: '飞书'};
export const NOTIFICATION_STATUS = {pending: '待发送', delivered: '已送达', dead: '投递失败'};

export function label(table, key) {
  return (table && table[key]) || key || '';
}

// Looks a name up in a workflow definition's list ({name|kind|code, label}).
export function wfLabel(list, key) {
  const found = (list || []).find((x) => (x.name || x.kind || x.code) === key);
  return found ? found.label : key;
}

export const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];
