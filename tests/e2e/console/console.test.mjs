// The staff console end to end, in headless Chromium driven by playwright-core (run by run.sh,
// which starts `disclose serve` on a free port with one user per role). One browser context per
// user, as if six people worked at six desks. The scenario follows a request from registration
// through a 补正 (correction) and an extension to archiving, checks that the deadline moves,
// downloads the annual report, and checks what the auditor may not do — in the UI (no action
// buttons) and at the server (a write without the CSRF token, and an action the role lacks).
import {test} from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {chromium} from 'playwright-core';

const BASE = process.env.E2E_BASE_URL;
const PASSWORD = process.env.E2E_PASSWORD;
const SHOTS = process.env.E2E_SHOTS;
const HANDLER_ID = process.env.E2E_HANDLER_ID;
assert.ok(BASE && PASSWORD && SHOTS, 'run through run.sh (E2E_BASE_URL, E2E_PASSWORD, E2E_SHOTS)');
const TZ = 'Asia/Shanghai'; // the server's default time zone: both sides agree what "today" is
const TIMEOUT = 15000;

function isoInTz(date) {
  return new Intl.DateTimeFormat('en-CA', {timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit'}).format(date);
}
const TODAY = isoInTz(new Date());
const RECEIVED = isoInTz(new Date(Date.now() - 7 * 86400000));
const YEAR = TODAY.slice(0, 4);

let browser;
const contexts = {};

async function newDesk(viewport = {width: 1366, height: 768}) {
  const context = await browser.newContext({viewport, locale: 'zh-CN', timezoneId: TZ, acceptDownloads: true});
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 40[139]/.test(m.text())) page.errors.push(m.text()); });
  return page;
}

async function signIn(page, login, next = '/') {
  await page.goto(BASE + next);
  await page.waitForURL(/\/login/);
  await page.getByLabel('用户名').fill(login);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', {name: '登录'}).click();
  await page.locator('#sign-out').waitFor();
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, {recursive: true});
  await page.screenshot({path: path.join(SHOTS, `${name}.png`), fullPage: true});
}

async function openCase(page, id) {
  await page.goto(`${BASE}/cases/${id}`);
  await page.locator('#actions-h').waitFor();
}

// Takes an action through its generated form; `fill` fills the fields the defaults do not.
async function act(page, action, fill) {
  await page.locator(`#main button[data-action="${action}"]`).click();
  const form = page.locator(`form[data-action="${action}"]`);
  await form.waitFor();
  if (fill) await fill(form);
  await form.locator('button[type="submit"]').click();
  // Success reloads the case (the form goes away); a refusal shows an alert inside the form.
  const refusal = await Promise.race([
    form.waitFor({state: 'detached'}).then(() => null),
    form.getByRole('alert').waitFor().then(() => form.getByRole('alert').textContent()),
  ]);
  if (refusal) throw new Error(`${action} was refused: ${refusal}`);
  await page.locator('.banner-success').filter({hasText: '已完成'}).waitFor();
}

const replyDue = (page) => page.locator('.deadline[data-kind="reply"] .due-on').textContent();
const stateChip = (page) => page.locator('.page-header .chip-state').textContent();

// fetch() from inside a signed-in page: the same cookie the console uses.
function pageFetch(page, method, url, {csrf = false, body} = {}) {
  return page.evaluate(async ({method, url, csrf, body}) => {
    const headers = {'Content-Type': 'application/json'};
    if (csrf) {
      const s = await (await fetch('/api/v1/session', {credentials: 'same-origin'})).json();
      headers['X-CSRF-Token'] = s.csrf_token;
    }
    const r = await fetch(url, {method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body)});
    return {status: r.status, body: await r.json().catch(() => null)};
  }, {method, url, csrf, body});
}

test('the staff console, end to end', {timeout: 150000}, async (t) => {
  browser = await chromium.launch({
    executablePath: process.env.E2E_CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  // playwright-core starts Chromium with a fresh temporary user-data-dir of its own and removes it.
  t.after(() => browser.close());
  let caseId;
  let dueAtRegistration;

  await t.test('a wrong password is refused; a deep link survives sign-in', async () => {
    const page = await newDesk();
    contexts.registrar = page;
    await page.goto(`${BASE}/cases`);
    await page.waitForURL(/\/login\?next=%2Fcases/);
    await page.getByLabel('用户名').fill('registrar');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', {name: '登录'}).click();
    await page.getByRole('alert').filter({hasText: '用户名或密码错误'}).waitFor();
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', {name: '登录'}).click();
    await page.waitForURL(`${BASE}/cases`);
    await page.getByRole('heading', {name: '案件', level: 1}).waitFor();
  });

  await t.test('register a request: the deadline is shown before saving', async () => {
    const page = contexts.registrar;
    await page.getByRole('link', {name: '登记', exact: true}).click();
    await page.getByLabel('提交方式').selectOption('mail_signed');
    await page.locator('#channel-rule, .rule').filter({hasText: '签收之日'}).waitFor();
    await page.getByLabel('收到申请日期').fill(RECEIVED);
    await page.getByLabel('收件凭证').fill('EMS 签收单 1234');
    await page.getByLabel('姓名或名称').fill('张三');
    await page.getByLabel('证件号码').fill('370302199001011234');
    await page.getByLabel('联系电话').fill('13800000000');
    await page.getByLabel(/所需政府信息/).fill('2024年某地块征收补偿方案');
    await page.getByLabel('标签').fill('征地拆迁');
    const preview = page.locator('#deadline-preview .due-date[data-kind="reply"]');
    await preview.waitFor();
    const expected = await pageFetch(page, 'GET', `/api/v1/calendar/due?from=${RECEIVED}&working_days=20`);
    const [y, m, d] = expected.body.due_on.split('-');
    dueAtRegistration = `${y}年${Number(m)}月${Number(d)}日`;
    assert.equal(await preview.textContent(), dueAtRegistration);
    await shot(page, 'register');
    await page.getByRole('button', {name: '保存登记'}).click();
    await page.waitForURL(/\/cases\/\d+$/);
    caseId = page.url().match(/\/cases\/(\d+)$/)[1];
    await page.locator('.banner-success').filter({hasText: '已登记'}).waitFor();
    assert.equal(await replyDue(page), dueAtRegistration);
    assert.equal(await stateChip(page), '登记');
  });

  await t.test('submit for review and request a correction: the reply clock stops', async () => {
    const page = contexts.registrar;
    await act(page, 'submit_review');
    assert.equal(await stateChip(page), '审核');
    await act(page, 'request_correction', async (form) => {
      assert.equal(await form.getByLabel(/^日期/).inputValue(), TODAY, 'dates default to today');
      await form.getByLabel(/需补正的事项/).fill('请明确地块位置\n请说明所需年份');
    });
    assert.equal(await stateChip(page), '待补正');
    await page.locator('.deadline[data-kind="reply"]').getByText('停止', {exact: true}).waitFor();
  });

  await t.test('the corrected request arrives: the reply deadline restarts and moves', async () => {
    const page = contexts.registrar;
    await act(page, 'correction_received');
    assert.equal(await stateChip(page), '审核');
    const after = await replyDue(page);
    assert.notEqual(after, dueAtRegistration, 'Art. 30: the period counts again from the correction');
    const clock = await pageFetch(page, 'GET', `/api/v1/cases/${caseId}/clock`);
    const reply = clock.body.deadlines.find((x) => x.kind === 'reply');
    assert.equal(reply.start, TODAY);
    await page.locator('.deadline[data-kind="reply"] .clock-text').getByText(/重新计算/).waitFor();
  });

  await t.test('the reviewer accepts and assigns the handler', async () => {
    const page = await newDesk();
    contexts.reviewer = page;
    await signIn(page, 'reviewer', `/cases/${caseId}`);
    await page.waitForURL(`${BASE}/cases/${caseId}`);
    await act(page, 'accept', async (form) => {
      await form.getByLabel(/承办人/).fill(HANDLER_ID);
    });
    assert.equal(await stateChip(page), '办理');
  });

  await t.test('the supervisor extends the reply period: the due date moves and is explained', async () => {
    const page = await newDesk();
    contexts.supervisor = page;
    await signIn(page, 'supervisor');
    await page.getByRole('heading', {name: '各机关超期与临期情况'}).waitFor();
    await shot(page, 'dashboard');
    await openCase(page, caseId);
    const before = await replyDue(page);
    await act(page, 'extend', async (form) => {
      await form.getByLabel(/工作日数/).fill('10');
      await form.getByLabel(/^理由/).fill('涉及多个部门，需进一步核实');
    });
    const after = await replyDue(page);
    assert.notEqual(after, before);
    await page.locator('.deadline[data-kind="reply"] .clock-svg .bar-extension').waitFor();
    await page.locator('.deadline[data-kind="reply"] .clock-text').getByText(/延期 10个工作日/).waitFor();
    await page.locator('.timeline').getByText(/答复期限由 .* 改为/).first().waitFor();
  });

  await t.test('a version conflict is explained, with a reload', async () => {
    const registrar = contexts.registrar;
    await openCase(registrar, caseId);
    await registrar.locator('button[data-action="note"]').click();
    const form = registrar.locator('form[data-action="note"]');
    await form.getByLabel(/内容/).fill('申请人来电询问进度');
    // Meanwhile the handler records a contact with the applicant.
    const handler = await newDesk();
    contexts.handler = handler;
    await signIn(handler, 'handler');
    await openCase(handler, caseId);
    await act(handler, 'contact', async (f) => {
      await f.getByLabel(/^内容/).fill('已电话告知申请人正在办理');
    });
    await form.locator('button[type="submit"]').click();
    const banner = registrar.getByRole('alert').filter({hasText: '刚刚被其他人修改过'});
    await banner.waitFor();
    await banner.getByRole('button', {name: '重新加载案件'}).click();
    await registrar.locator('.records').getByText('已电话告知申请人正在办理').waitFor();
  });

  await t.test('the handler drafts the reply with a determination from the grouped list', async () => {
    const page = contexts.handler;
    await page.locator('button.action[data-action="draft_reply"]').click();
    const select = page.locator('form[data-action="draft_reply"] select[name="determination"]');
    assert.ok(await select.locator('optgroup[label="不予公开"] option').count() >= 8);
    await act(page, 'draft_reply', async (form) => {
      await form.locator('select[name="determination"]').selectOption('granted');
      await form.getByLabel(/法律依据/).fill('《条例》第三十六条第（二）项');
    });
    assert.equal(await stateChip(page), '答复');
  });

  await t.test('review, delivery and archiving', async () => {
    const reviewer = contexts.reviewer;
    await openCase(reviewer, caseId);
    await act(reviewer, 'approve_reply');
    const registrar = contexts.registrar;
    await openCase(registrar, caseId);
    await act(registrar, 'record_delivery', async (form) => {
      await form.locator('select[name="method"]').selectOption('post');
      await form.getByLabel(/邮寄单号/).fill('EMS1234567890');
    });
    assert.equal(await stateChip(registrar), '办结');
    await registrar.locator('.deadline[data-kind="reply"]').getByText('已完成', {exact: true}).waitFor();
    await shot(registrar, 'case');
    await act(registrar, 'archive');
    assert.equal(await stateChip(registrar), '归档');
  });

  await t.test('the case list finds the case by free text and sorts', async () => {
    const page = contexts.registrar;
    await page.goto(`${BASE}/cases`);
    await page.getByLabel('搜索').fill('征收补偿');
    await page.getByRole('button', {name: '查询'}).click();
    await page.waitForURL(/q=/);
    await page.locator('.cases-table tbody tr').first().getByRole('link').waitFor();
    assert.equal(await page.locator('.cases-table tbody tr').count(), 1);
    await page.getByRole('link', {name: /收到日期/}).click();
    await page.waitForURL(/sort=-received_on/);
    await shot(page, 'list');
  });

  await t.test('the annual report: on screen, checked, and downloadable as XLSX', async () => {
    const page = contexts.supervisor;
    await page.goto(`${BASE}/reports?tab=annual&year=${YEAR}`);
    await page.locator('#annual-table').waitFor();
    const granted = page.locator('#annual-table tr[data-row="三(一)"] td').last();
    assert.equal(await granted.textContent(), '1');
    await page.getByText('勾稽关系校验通过').waitFor();
    await shot(page, 'reports');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', {name: /下载 Excel/}).click()]);
    const file = path.join(SHOTS, `annual-report-${YEAR}.xlsx`);
    await download.saveAs(file);
    assert.equal(fs.readFileSync(file).subarray(0, 2).toString(), 'PK', 'an XLSX file is a zip');
    await page.goto(`${BASE}/reports?tab=stats&from=${YEAR}-01-01&to=${TODAY}`);
    await page.locator('figure svg.ring').waitFor();
    await shot(page, 'reports-stats');
  });

  await t.test('admin: users and the working-day calendar', async () => {
    const page = await newDesk();
    await signIn(page, 'admin');
    await page.waitForURL(/\/admin\/users/);
    await page.getByRole('cell', {name: 'handler', exact: true}).first().waitFor();
    await page.getByRole('link', {name: '工作日历'}).click();
    await page.locator('.year-grid table.month').first().waitFor();
    assert.equal(await page.locator('.year-grid table.month').count(), 12);
    assert.ok(await page.locator('td.day-holiday').count() > 0, 'the year shows its holidays');
    await shot(page, 'admin-calendar');
  });

  await t.test('the auditor sees no action buttons, and the server refuses forged writes', async () => {
    const page = await newDesk({width: 1024, height: 768}); // a tablet in landscape
    await signIn(page, 'auditor');
    await openCase(page, caseId);
    assert.equal(await page.locator('button.action').count(), 0);
    await page.getByText('审计员只能查看和导出').waitFor();
    const noCsrf = await pageFetch(page, 'POST', `/api/v1/cases/${caseId}/actions/note`, {body: {text: '伪造'}});
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.body.error.code, 'csrf_failed');
    const lacksRole = await pageFetch(page, 'POST', `/api/v1/cases/${caseId}/actions/note`, {csrf: true, body: {text: '伪造'}});
    assert.equal(lacksRole.status, 403);
    const history = await pageFetch(page, 'GET', `/api/v1/cases/${caseId}/history`);
    assert.ok(!history.body.events.some((e) => e.input && e.input.text === '伪造'), 'nothing was written');
  });

  await t.test('a lost session returns to sign-in, then back to the same page', async () => {
    const page = contexts.handler;
    await openCase(page, caseId);
    await page.context().clearCookies();
    await page.getByRole('link', {name: '案件', exact: true}).click();
    await page.waitForURL(/\/login\?next=/);
    await page.getByRole('status').filter({hasText: '登录'}).waitFor();
    await page.getByLabel('用户名').fill('handler');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', {name: '登录'}).click();
    await page.waitForURL(`${BASE}/cases`);
  });

  await t.test('sign out ends the session', async () => {
    const page = contexts.registrar;
    await page.locator('#sign-out').click();
    await page.waitForURL(/\/login/);
    await page.getByText('已安全退出').waitFor();
    const after = await pageFetch(page, 'GET', '/api/v1/session');
    assert.equal(after.status, 401);
  });

  await t.test('no script errors in any page', () => {
    for (const [who, page] of Object.entries(contexts)) assert.deepEqual(page.errors, [], `${who}'s browser`);
  });
});
