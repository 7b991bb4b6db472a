import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startMeridian, type RunningMeridian } from '../../src/main.js';
import { systemClock } from '../../src/core/runtime.js';
import { startWebchatHarness } from '../adapters/webchat-harness.js';
import { ROOT } from '../helpers/bot.js';

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env['MERIDIAN_E2E'] === 'require';
if (!available && !required) {
  console.log(`webchat e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium; MERIDIAN_E2E=require turns this skip into a failure)`);
}
const maybe = available || required ? describe : describe.skip;

const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `webchat-${name}.png`) });

/** [direction, text] of every bubble, to compare a conversation before and after a reload. */
async function bubbles(page: Page): Promise<[string, string][]> {
  const rows = page.getByTestId('webchat-message');
  const out: [string, string][] = [];
  for (const row of await rows.all()) out.push([(await row.getAttribute('data-direction')) ?? '', (await row.innerText()).trim()]);
  return out;
}

maybe('webchat in a real browser', () => {
  let browser: Browser;
  let meridian: RunningMeridian;

  beforeAll(async () => {
    if (!available) throw new Error(`MERIDIAN_E2E=require but ${CHROMIUM} is missing`);
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    meridian = await startMeridian({ port: 0, host: '127.0.0.1', storage: 'memory', logLevel: 'silent', env: {} });
    // A test-only echo, so a bot reply carrying hostile markup can be checked in the browser.
    meridian.bot.use(async (ctx, next) => {
      if (!ctx.text.startsWith('echo: ')) return next();
      ctx.say(`You said: ${ctx.text.slice('echo: '.length)}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await meridian?.stop();
  });

  it('chats on the full page: disclosure, reply, quick reply, reload, language picker', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${meridian.url}/`);

    // Before anything is typed, the page says it is an AI assistant (greeting bubble and header note).
    await expect(page.getByTestId('webchat-welcome').innerText()).resolves.toContain('AI assistant');
    await expect(page.locator('.mw-note').innerText()).resolves.toMatch(/AI assistant/);
    await expect(page.title()).resolves.toBe('Customer service');
    await shot(page, 'page-greeting');

    const input = page.getByTestId('webchat-input');
    await input.fill('Hello there');
    await input.press('Enter');
    const messages = page.getByTestId('webchat-message');
    await messages.filter({ hasText: 'Hello there' }).waitFor();
    const firstReply = page.locator('[data-testid="webchat-message"][data-direction="out"]').first();
    await expect(firstReply.innerText()).resolves.toMatch(/AI assistant[\s\S]*How can I help you today\?/);
    const chips = page.getByTestId('webchat-quick-reply');
    await chips.first().waitFor();
    await expect(chips.allInnerTexts()).resolves.toEqual(['Track an order', 'Return an item', 'Talk to a human']);
    await expect(input.inputValue()).resolves.toBe('');
    await shot(page, 'page-reply');

    // A quick reply shows its title as the customer's bubble and sends its value.
    await chips.filter({ hasText: 'Track an order' }).click();
    await page.locator('[data-direction="out"]', { hasText: "What's the order number?" }).waitFor();
    await page.getByTestId('webchat-typing').waitFor({ state: 'hidden' });
    const before = await bubbles(page);
    expect(before.map(([direction]) => direction)).toEqual(['in', 'out', 'in', 'out']);
    expect(before[2]![1]).toContain('Track an order');
    await shot(page, 'page-quick-reply');

    // The session lives in localStorage: a reload shows the same conversation.
    await page.reload();
    await messages.nth(3).waitFor();
    await expect(bubbles(page)).resolves.toEqual(before);
    await expect(page.getByTestId('webchat-welcome').count()).resolves.toBe(0);

    // Deutsch in the picker: the UI switches at once and the next reply is German.
    await page.getByTestId('webchat-language').selectOption('de');
    await expect(input.getAttribute('placeholder')).resolves.toBe('Ihre Nachricht…');
    await expect(page.locator('.mw-title').innerText()).resolves.toBe('Kundenservice');
    // The tracking question is still open: a cancel word in German stops it, in German.
    await input.fill('abbrechen');
    await page.getByTestId('webchat-send').click();
    await page.locator('[data-direction="out"]', { hasText: 'ich habe das abgebrochen' }).waitFor();
    await input.fill('Hallo');
    await page.getByTestId('webchat-send').click();
    await page.locator('[data-direction="out"]', { hasText: 'Wie kann ich Ihnen heute helfen?' }).waitFor();
    await expect(chips.allInnerTexts()).resolves.toEqual(['Bestellung verfolgen', 'Artikel zurücksenden', 'Mit einem Menschen sprechen']);
    await shot(page, 'page-german');

    // The choice persists.
    await page.reload();
    await expect(page.getByTestId('webchat-language').inputValue()).resolves.toBe('de');
    await messages.nth(5).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows message text as text: markup and script links never become HTML', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${meridian.url}/`);
    const probe = '<img src=x onerror="window.__xss=1"> **bold** [click](javascript:window.__xss=2) https://example.com/a';
    await page.getByTestId('webchat-input').fill(probe);
    await page.getByTestId('webchat-input').press('Enter');
    await page.getByTestId('webchat-quick-reply').first().waitFor();
    // The customer's own bubble shows the markup as text.
    const own = page.locator('[data-direction="in"]').first();
    await expect(own.innerText()).resolves.toContain('<img src=x onerror="window.__xss=1">');
    await expect(own.locator('img').count()).resolves.toBe(0);
    // A bot reply that repeats it (the test's echo middleware) renders safe markdown only.
    await page.getByTestId('webchat-input').fill(`echo: ${probe}`);
    await page.getByTestId('webchat-input').press('Enter');
    const echo = page.locator('[data-direction="out"]', { hasText: 'You said' });
    await echo.waitFor();
    await expect(echo.innerText()).resolves.toContain('<img src=x onerror="window.__xss=1">');
    await expect(page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).resolves.toBeUndefined();
    await expect(echo.locator('img').count()).resolves.toBe(0);
    await expect(echo.locator('strong').innerText()).resolves.toBe('bold');
    // Only http(s) links become anchors.
    await expect(echo.locator('a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href))).resolves.toEqual(['https://example.com/a']);
    await context.close();
  }, 60_000);

  it('looks right on a phone', async () => {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 390, height: 760 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(`${meridian.url}/`);
    // Automatic: the UI follows the browser's language.
    await expect(page.getByTestId('webchat-input').getAttribute('placeholder')).resolves.toBe('メッセージを入力…');
    await page.getByTestId('webchat-input').fill('こんにちは、よろしくお願いします');
    await page.getByTestId('webchat-send').click();
    await page.getByTestId('webchat-quick-reply').first().waitFor();
    await expect(page.locator('[data-direction="out"]').first().innerText()).resolves.toContain('AIアシスタント');
    await shot(page, 'page-mobile-ja');
    await context.close();
  }, 60_000);

  it('runs as a floating widget embedded in another site', async () => {
    const shop = await serveShopPage(`${meridian.url}/widget.js`);
    try {
      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(shop.url);
      const launcher = page.getByTestId('webchat-launcher');
      await launcher.waitFor();
      await expect(launcher.getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(page.getByTestId('webchat-input').isVisible()).resolves.toBe(false);
      // The shop's own styles stay as they were (the widget lives in a shadow root).
      await expect(page.locator('header h1').evaluate((h1) => getComputedStyle(h1).fontFamily)).resolves.toContain('Georgia');
      await shot(page, 'widget-closed');

      await launcher.click();
      await expect(launcher.getAttribute('aria-expanded')).resolves.toBe('true');
      const input = page.getByTestId('webchat-input');
      await expect(input.evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el)).resolves.toBe(true);
      await input.fill('Hi there!');
      await input.press('Enter');
      await page.getByTestId('webchat-quick-reply').first().waitFor();
      await expect(page.locator('[data-direction="out"]').first().innerText()).resolves.toContain('AI assistant');
      await page.getByTestId('webchat-quick-reply').filter({ hasText: 'Return an item' }).click();
      await page.locator('[data-direction="out"]', { hasText: 'I can help with a return' }).waitFor();
      await shot(page, 'widget-open');

      // Escape closes the panel and gives focus back to the launcher.
      await page.keyboard.press('Escape');
      await expect(launcher.getAttribute('aria-expanded')).resolves.toBe('false');
      await expect(launcher.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).resolves.toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await shop.stop();
    }
  }, 60_000);

  it('shows "Reconnecting…" when the connection drops and resumes the session', async () => {
    // The widget's own server here, because the test has to cut and restore its connections.
    const harness = await startWebchatHarness({ bot: { clock: systemClock } });
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 720 } });
    try {
      const page = await context.newPage();
      await page.goto(`${harness.url}/`);
      const input = page.getByTestId('webchat-input');
      await input.fill('hello');
      await input.press('Enter');
      await page.getByTestId('webchat-quick-reply').first().waitFor();

      await harness.interrupt();
      const status = page.getByText('Reconnecting…');
      await status.waitFor();
      // Typed while offline: shown at once, sent after the reconnect.
      await input.fill('are you there?');
      await input.press('Enter');
      await shot(page, 'reconnecting');

      await harness.resume();
      await status.waitFor({ state: 'hidden', timeout: 15_000 });
      await page.locator('[data-direction="out"]', { hasText: "I'm not sure I know the answer" }).waitFor();
      await expect(bubbles(page).then((rows) => rows.map(([direction]) => direction))).resolves.toEqual(['in', 'out', 'in', 'out']);
    } finally {
      await context.close();
      await harness.stop();
    }
  }, 60_000);
});

/** A stand-in for a shop's page on another origin, embedding the widget the way the docs say. */
async function serveShopPage(widgetSrc: string): Promise<{ url: string; stop(): Promise<void> }> {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alpine Goods</title>
<style>
  body { margin: 0; font-family: Georgia, serif; color: #2b2b2b; background: #faf7f2; }
  header { padding: 20px 48px; background: #1f2a1f; color: #f4efe6; display: flex; justify-content: space-between; align-items: center; }
  h1 { margin: 0; font-size: 26px; letter-spacing: 0.5px; }
  nav a { color: #f4efe6; margin-left: 24px; text-decoration: none; font-family: Arial, sans-serif; font-size: 14px; }
  .hero { padding: 64px 48px; background: linear-gradient(120deg, #d9e4d3, #f1e7d6); }
  .hero h2 { font-size: 40px; margin: 0 0 12px; }
  .grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 24px; padding: 40px 48px; }
  .card { background: #fff; border-radius: 8px; padding: 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .card div { height: 140px; border-radius: 6px; background: #e7e1d6; margin-bottom: 12px; }
  button, p { font-size: 16px; } /* host rules that must not leak into the widget */
</style></head>
<body>
  <header><h1>Alpine Goods</h1><nav><a href="#">Shop</a><a href="#">Journal</a><a href="#">Help</a></nav></header>
  <section class="hero"><h2>Gear for the long trail</h2><p>Free returns within 30 days, shipped worldwide.</p></section>
  <section class="grid">
    <article class="card"><div></div><strong>Trail pack 28 L</strong><p>€129</p></article>
    <article class="card"><div></div><strong>Merino base layer</strong><p>€69</p></article>
    <article class="card"><div></div><strong>Down jacket</strong><p>€219</p></article>
  </section>
  <script src="${widgetSrc}" async></script>
</body></html>`;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
