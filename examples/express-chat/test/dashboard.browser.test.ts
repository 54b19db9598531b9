/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core, against the example app
 * started as a person would (`node src/server.mjs` with AI_SHIELD_DASHBOARD_TOKEN and AI_SHIELD_METRICS),
 * fed by `pnpm demo --url`. Screenshots (1280x800 and a 375 px phone) go to test-artifacts/dashboard/.
 * Outside CI a missing Chromium skips this file with a loud warning; under CI=true it fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const artifacts = join(root, 'test-artifacts', 'dashboard');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'browser-test-dashboard-token-0123456789';
// The flags the CI machine needs: no sandbox (root), no GPU, nothing reaching out to the network.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`Chromium is required under CI=true at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  console.warn(
    `\n*** ${CHROMIUM} not found: SKIPPING the dashboard browser test (apt-get install chromium) ***\n`,
  );
  return false;
}

/** Starts the example; resolves with its base URL once it says where it listens. */
function startExample(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['src/server.mjs'], {
    cwd: join(here, '..'),
    env: {
      PATH: process.env.PATH,
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      AI_SHIELD_DASHBOARD_TOKEN: TOKEN,
      AI_SHIELD_METRICS: '1',
      AI_SHIELD_DEBUG_HEADERS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, child });
      }
    });
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => reject(new Error(`the example exited with ${code}:\n${output}`)));
  });
}

/** `node scripts/demo.mjs --url <url>`: the scripted traffic; exits 0 when every outcome was as expected. */
function runDemo(url: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'demo.mjs'), '--url', url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent()) ?? '';

describe.skipIf(!chromiumAvailable())('dashboard in Chromium (examples/express-chat)', () => {
  let app: { url: string; child: ChildProcess };
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    app = await startExample();
    profile = mkdtempSync(join(tmpdir(), 'ai-shield-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1280, height: 800 },
    });
  });

  afterAll(async () => {
    await context?.close();
    app?.child.kill('SIGTERM');
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('a person signs in, watches demo traffic arrive, and sees the blocks and the incidents they caused', async () => {
    const { url } = app;
    const origin = new URL(url).origin;
    const elsewhere: string[] = [];
    // Works with no network: every request the page makes must go to the app itself.
    await context.route('**/*', (route) => {
      if (new URL(route.request().url()).origin === origin) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      // The wrong token below is refused on purpose; Chromium logs that 401 as a console error.
      if (message.type() === 'error' && !/status of 401/.test(message.text())) errors.push(message.text());
    });

    // No data without the token.
    expect((await fetch(`${url}/ai-shield/api/summary`)).status).toBe(401);
    await page.goto(`${url}/ai-shield`);
    expect(new URL(page.url()).pathname).toBe('/ai-shield/');
    await expect.poll(() => page.getByTestId('login').isVisible()).toBe(true);
    await page.fill('#token', 'not-the-token-at-all');
    await page.click('#login-form button');
    await expect.poll(() => page.locator('#login-error').textContent()).toMatch(/not accepted/);

    await page.fill('#token', TOKEN);
    await page.click('#login-form button');
    await expect.poll(() => page.locator('#board').isVisible()).toBe(true);
    expect(await text(page, 'kpi-block')).toBe('0');
    expect(await text(page, 'incidents')).toMatch(/No incidents yet/);

    const demo = await runDemo(url);
    expect(demo.code, demo.output).toBe(0);
    // A response with personal data: the example's model echoes the question, the shield masks the address.
    const echoed = await fetch(`${url}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.9.9.9' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Reply to jane.doe@example.com please' }] }),
    });
    expect(await echoed.text()).not.toContain('jane.doe@example.com');

    const api = async () =>
      (await fetch(`${url}/ai-shield/api/summary`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    const data = await api();
    expect(data.totals.block).toBeGreaterThanOrEqual(21); // 11 refused requests + 10 rate-limited
    // The page catches up within a few polls, and shows what the API and /metrics say.
    await expect.poll(() => text(page, 'kpi-block'), { timeout: 20_000 }).toBe(String(data.totals.block));
    // The demo's streamed answer and the echoed question each carry one address, both masked.
    const masked = data.responses.pii.reduce(
      (sum: number, p: { masked: number; redacted: number }) => sum + p.masked + p.redacted,
      0,
    );
    expect(masked).toBe(2);
    await expect.poll(() => text(page, 'kpi-pii'), { timeout: 20_000 }).toBe('2');
    expect(await text(page, 'kpi-rate-limited')).toBe('10');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const blocked = [
      ...metrics.matchAll(/^ai_shield_decisions_total\{action="block",[^}]*\} (\d+)$/gm),
    ].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(blocked).toBe(data.totals.block);

    const incidents = page.getByTestId('incidents');
    expect(await incidents.locator('li[data-type="threat_blocked"]').count()).toBeGreaterThan(0);
    expect(await incidents.locator('li[data-type="rate_limit"]').count()).toBeGreaterThan(0);
    expect(await text(page, 'top-clients')).toContain('10.0.0.99');
    expect(await text(page, 'by-reason')).toContain('ERR_DETECTION_THREAT');
    expect(await text(page, 'recommendations')).toMatch(/rate limit/);
    expect(await text(page, 'kpi-audit')).toBe('ok');
    // No prompt text or personal data on the page.
    const html = await page.content();
    expect(html).not.toMatch(/previous instructions|jane\.doe|do anything now/i);

    await page.screenshot({ path: join(artifacts, 'dashboard-1280x800.png') });
    await page.screenshot({ path: join(artifacts, 'dashboard-1280-full.png'), fullPage: true });

    // A phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 812 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(375);
    expect(await page.getByTestId('kpi-block').isVisible()).toBe(true);
    await page.screenshot({ path: join(artifacts, 'dashboard-phone-375.png'), fullPage: true });

    await page.click('#signout');
    await expect.poll(() => page.getByTestId('login').isVisible()).toBe(true);
    expect(elsewhere).toEqual([]);
    expect(errors).toEqual([]);
  });
});
