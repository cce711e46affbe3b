// What the panel's browser tests stand on: a real `byoi serve` (node bin/byoi.mjs, a temporary data directory,
// its demo fleet), Debian's Chromium driven by playwright-core, the admin CLI for other accounts, screenshots.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { runCliInProcess } from '../../../integration/control/helpers/spawn-cli.ts';

const repo = new URL('../../../../', import.meta.url).pathname;

/** Debian's Chromium; .ci/run installs it (apt-get install chromium). playwright's own browsers are never downloaded. */
export const chromiumPath = '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * True when Chromium is there. Outside CI a missing Chromium skips the test with the reason; under CI=true it is a
 * failure, because .ci/run must install it.
 */
export function needChromium(t: TestContext): boolean {
  if (existsSync(chromiumPath)) return true;
  const reason = `missing ${chromiumPath} (Debian package chromium)`;
  if (process.env.CI === 'true') throw new Error(`CI must install the browser for the panel tests: ${reason}`);
  t.skip(reason);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** Builds web/dist when it is missing or stale (a no-op otherwise), as `npm test` and `npm start` do. */
export function ensurePanelBuilt(): void {
  const result = spawnSync(process.execPath, [join(repo, 'scripts/ensure-web-build.mjs')], { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the panel build failed:\n${result.stdout}\n${result.stderr}`);
}

export interface ApiKeys {
  applicationKey: string;
  applicationSecret: string;
  consumerKey: string;
}

export interface RunningByoi {
  origin: string;
  apiUrl: string;
  output(): string;
  stop(): Promise<number>;
}

/** Starts `node bin/byoi.mjs serve` on a free port with a fresh data directory; resolves once it is ready. */
export function startByoi(dataDir: string): Promise<RunningByoi> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['bin/byoi.mjs', 'serve', '--data-dir', dataDir, '--port', '0'], {
      cwd: repo,
      env: { ...process.env, BYOI_LOG_LEVEL: 'info' },
    });
    let output = '';
    const exited = new Promise<number>((done) => child.on('close', (code) => done(code ?? -1)));
    const timer = setTimeout(() => reject(new Error(`byoi serve did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const ready = /"apiUrl":"([^"]+)".*"msg":"byoi control plane ready"/.exec(output);
      if (ready === null) return;
      clearTimeout(timer);
      const apiUrl = ready[1] as string;
      resolve({
        origin: apiUrl.replace(/\/1\.0$/, ''),
        apiUrl,
        output: () => output,
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`byoi serve exited with ${code}:\n${output}`));
    });
  });
}

/** `byoi admin --data-dir DIR ARGS...` (in this process); returns its JSON output. */
export async function admin(dataDir: string, ...args: string[]): Promise<Record<string, unknown>> {
  const result = await runCliInProcess(['admin', '--data-dir', dataDir, ...args]);
  if (result.code !== 0) throw new Error(`byoi admin ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** An account with an application and a validated credential for everything; returns its keys. */
export async function createAccountKeys(dataDir: string, account: string, options: { operator?: boolean } = {}): Promise<ApiKeys> {
  await admin(dataDir, 'account', 'create', account, ...(options.operator === true ? ['--operator'] : []));
  const application = await admin(dataDir, 'application', 'create', '--account', account, '--name', 'panel-test');
  const credential = await admin(dataDir, 'credential', 'create', '--application', String(application.applicationKey), '--account', account);
  return { applicationKey: String(application.applicationKey), applicationSecret: String(application.applicationSecret), consumerKey: String(credential.consumerKey) };
}

/** Signs in through the sign-in form with the three keys, and waits for the servers list. */
export async function signIn(page: Page, origin: string, keys: ApiKeys, path = '/'): Promise<void> {
  await page.goto(`${origin}${path}`);
  await page.getByLabel('Application key').fill(keys.applicationKey);
  await page.getByLabel('Application secret').fill(keys.applicationSecret);
  await page.getByLabel('Consumer key').fill(keys.consumerKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-account').waitFor();
}

/** A fresh browser context (its own cookies) whose page errors fail the test. */
export async function newPage(browser: Browser, options: { viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}

const outputDir = join(repo, 'test-output/panel');
const docsDir = join(repo, 'docs/screenshots');

/**
 * Saves a screenshot under test-output/panel/ (gitignored). With BYOI_UPDATE_SCREENSHOTS=1, the ones the README
 * shows (`docsName`) are copied to docs/screenshots/ too.
 */
export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; docsName?: string } = {}): Promise<string> {
  mkdirSync(outputDir, { recursive: true });
  const path = join(outputDir, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  if (options.docsName !== undefined && process.env.BYOI_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(docsDir, { recursive: true });
    copyFileSync(path, join(docsDir, `${options.docsName}.png`));
  }
  return path;
}
