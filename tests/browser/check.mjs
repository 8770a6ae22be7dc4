// Loads pages in headless Chromium and reports, as one JSON document on stdout, what a
// citizen's browser would show wrong: axe-core violations of impact serious or critical,
// horizontal overflow (the page wider than the window), console errors (a Content Security
// Policy violation is one) and failed loads. Widths 1280 and 375 px.
//
// Usage: node check.mjs <plan.json>
// plan.json: { "pages": [ { "name": "...", "url": "...", "cookies": [{name, value}]? ,
//              "submit": { "form": "<css selector>", "fields": { "<name>": "<value>" } }? } ] }
// A page with `submit` is loaded, the form filled and submitted, and the page it leads to
// is checked (how a citizen sees a validation error or a confirmation).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

const results = [];
for (const width of [1280, 375]) {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  for (const page of plan.pages) {
    const tab = await context.newPage();
    const errors = [];
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
    tab.on('pageerror', (e) => errors.push(String(e)));
    const result = { name: page.name, width, url: page.url, problems: [] };
    try {
      if (page.cookies) {
        const url = new URL(page.url);
        await context.addCookies(page.cookies.map((c) => ({ ...c, domain: url.hostname, path: '/' })));
      }
      const response = await tab.goto(page.url, { waitUntil: 'load' });
      if (page.submit) {
        for (const [name, value] of Object.entries(page.submit.fields)) {
          const field = tab.locator(`${page.submit.form} [name="${name}"]`);
          if ((await field.evaluate((e) => e.tagName)) === 'SELECT') {
            // By value, else by the option's visible text.
            const byValue = await field.evaluate((e, v) => [...e.options].some((o) => o.value === v), value);
            await field.selectOption(byValue ? value : { label: value }, { timeout: 5000 });
          } else {
            await field.fill(value);
          }
        }
        await Promise.all([
          tab.waitForNavigation({ waitUntil: 'load' }),
          tab.click(`${page.submit.form} [type="submit"]`),
        ]);
        result.landed = tab.url();
      } else if (!response || response.status() >= 500) {
        result.problems.push(`status ${response ? response.status() : 'none'}`);
      }
      result.status = response ? response.status() : null;
      result.title = await tab.title();
      // Evaluated through the DevTools protocol, which the page's CSP does not govern (a
      // <script> tag would be refused, and reported as a console error).
      await tab.evaluate(axeSource);
      const report = await tab.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
        }));
      });
      for (const v of report) {
        if (v.impact === 'serious' || v.impact === 'critical') {
          result.problems.push(`axe ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(' | ')}`);
        }
      }
      const overflow = await tab.evaluate(() => {
        const doc = document.scrollingElement || document.documentElement;
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 3)
          .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
        return { scroll: doc.scrollWidth, inner: window.innerWidth, wide };
      });
      if (overflow.scroll > overflow.inner + 1) {
        result.problems.push(`wider than the window: ${overflow.scroll} > ${overflow.inner} px (${overflow.wide.join(', ')})`);
      }
      result.text = (await tab.evaluate(() => document.body.innerText)).slice(0, 4000);
    } catch (e) {
      result.problems.push(`could not check: ${e.message.split('\n')[0]}`);
    }
    for (const e of errors) result.problems.push(`console: ${e}`);
    results.push(result);
    await tab.close();
  }
  await context.close();
}
await browser.close();
process.stdout.write(JSON.stringify({ results }));
