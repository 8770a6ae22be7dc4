// Issue 13's browser test 1, in real Chromium with the console's own JavaScript: a new
// editor signs in (changing the first password), writes an article with a heading, a table
// and an image, previews it and submits it; a reviewer sees the diff and rejects it with a
// reason; the editor reads the reason on the dashboard, fixes and resubmits; the reviewer
// approves and schedules it. Prints one JSON document: what each step saw, and the id.
// The Rust side (tests/tests/console_review.rs) waits for it to go live and be found.
//
// Usage: node workflow.mjs <plan.json>
// plan.json: { "base": "http://127.0.0.1:port", "site": "gd", "column": "zcwj",
//   "editor": { "login", "first", "password" }, "reviewer_cookie": "...",
//   "title", "fixed_title", "reason" }

import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const out = { steps: [] };
const errors = [];
function step(name, detail) { out.steps.push({ name, ...detail }); }
async function newTab(context) {
  const tab = await context.newPage();
  tab.on('pageerror', (e) => errors.push(String(e)));
  // Failed loads are reported by URL below; the console's copy of them names none.
  tab.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  tab.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (r.status() >= 400 && r.request().resourceType() !== 'document' && path !== '/favicon.ico') {
      errors.push(`${r.status()} for ${r.url()}`);
    }
  });
  tab.on('dialog', (d) => d.accept());
  return tab;
}
async function clickAndWait(tab, locator) {
  await Promise.all([tab.waitForNavigation({ waitUntil: 'load' }), tab.locator(locator).first().click()]);
}

try {
  const base = plan.base;
  const options = { viewport: { width: 1280, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
  const editorContext = await browser.newContext(options);
  const editor = await newTab(editorContext);
  // The page's clock is ours, so autosave's 30 s pass at once (fastForward below).
  await editor.clock.install();

  // A new editor signs in and must change the first password.
  await editor.goto(`${base}/admin/sign-in`);
  await editor.fill('#login', plan.editor.login);
  await editor.fill('#password', plan.editor.first);
  await clickAndWait(editor, 'form[action="/admin/sign-in"] button[type="submit"]');
  step('first sign-in', { url: editor.url() });
  await editor.fill('#current', plan.editor.first);
  await editor.fill('#new', plan.editor.password);
  await editor.fill('#confirm', plan.editor.password);
  await clickAndWait(editor, 'form[action="/admin/password"] button[type="submit"]');
  step('password changed', { url: editor.url() });

  // Writes an article: a heading, a table; saves; uploads an image; previews; submits.
  await editor.goto(`${base}/admin/articles/new?site=${plan.site}&column=${plan.column}`);
  if ((await editor.locator('#title').count()) === 0) {
    await clickAndWait(editor, 'form[action="/admin/articles/new"] button[type="submit"]');
  }
  await editor.fill('#title', plan.title);
  await editor.fill('#body', '## 一、总体要求\n\n全面提升政务服务水平。\n\n| 事项 | 时限 |\n| --- | --- |\n| 受理 | 1个工作日 |\n');
  await clickAndWait(editor, '#editor button[name="action"][value="save"]');
  const id = Number((editor.url().match(/\/admin\/articles\/(\d+)/) || [])[1]);
  out.id = id;
  step('saved', { url: editor.url() });
  // The toolbar's 加粗 wraps a placeholder at the cursor; autosave PATCHes the change.
  await editor.locator('#body').evaluate((el) => el.setSelectionRange(el.value.length, el.value.length));
  await editor.locator('button:text-is("加粗")').click();
  await editor.clock.fastForward(31000);
  await editor.waitForFunction(() => (document.querySelector('#autosave-status') || {}).textContent.includes('已自动保存'), null, { timeout: 20000 });
  step('autosaved', {
    status: await editor.locator('#autosave-status').innerText(),
    body: await editor.locator('#body').inputValue(),
  });
  await editor.setInputFiles('#image-file', { name: 'tu.png', mimeType: 'image/png', buffer: PNG });
  await editor.locator('form[data-kind="image"] button[type="submit"]').click();
  await editor.waitForFunction(() => document.querySelector('#body').value.includes('!['), null, { timeout: 20000 });
  await clickAndWait(editor, '#editor button[name="action"][value="save"]');
  step('image inserted', { body: await editor.locator('#body').inputValue() });
  const [preview] = await Promise.all([
    editorContext.waitForEvent('page'),
    editor.locator('#editor button[value="preview"]').click(),
  ]);
  await preview.waitForLoadState('load');
  step('preview', {
    text: await preview.locator('body').innerText(),
    tables: await preview.locator('table').count(),
    headings: await preview.locator('h2').count(),
    images: await preview.locator('img').count(),
  });
  await preview.close();
  await clickAndWait(editor, '#editor button[name="action"][value="submit"]');
  step('submitted', { text: await editor.locator('main').innerText() });

  // The reviewer sees the queue and the diff, and rejects with a reason.
  const reviewerContext = await browser.newContext(options);
  await reviewerContext.addCookies([{ name: 'govnode_session', value: plan.reviewer_cookie, domain: new URL(base).hostname, path: '/' }]);
  const reviewer = await newTab(reviewerContext);
  await reviewer.goto(`${base}/admin/review`);
  await clickAndWait(reviewer, `a[href="/admin/review/${id}"]`);
  step('diff', { text: await reviewer.locator('main').innerText() });
  await reviewer.fill('#reject-reason', plan.reason);
  await clickAndWait(reviewer, `form[action="/admin/review/${id}/reject"] button[type="submit"]`);
  step('rejected', { url: reviewer.url() });

  // The editor reads the reason on the dashboard, fixes the title and resubmits.
  await editor.goto(`${base}/admin/`);
  step('dashboard', { text: await editor.locator('main').innerText() });
  await clickAndWait(editor, `main a[href="/admin/articles/${id}"]`);
  await editor.fill('#title', plan.fixed_title);
  await clickAndWait(editor, '#editor button[name="action"][value="submit"]');
  step('resubmitted', { text: await editor.locator('main').innerText() });

  // The reviewer sees the changed title, approves and schedules it for the next minute.
  await reviewer.goto(`${base}/admin/review/${id}`);
  step('second diff', { html: await reviewer.locator('table.diff-fields').innerHTML() });
  await clickAndWait(reviewer, `form[action="/admin/review/${id}/approve"] button[type="submit"]`);
  const at = new Date(Date.now() + 90000 + 8 * 3600000).toISOString().slice(0, 16);
  await reviewer.fill('#at', at);
  await clickAndWait(reviewer, `form[action="/admin/review/${id}/publish"] input[value="scheduled"] ~ p button`);
  out.at = at;
  step('scheduled', { text: await reviewer.locator('main').innerText() });
} catch (e) {
  out.failure = String(e && e.stack || e);
}
out.errors = errors;
await browser.close();
process.stdout.write(JSON.stringify(out));
