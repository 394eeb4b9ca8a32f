import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A `duet serve --sandbox` of this spec's own, logging everything, with all it printed. */
interface TracedServe {
  url: string;
  token: string;
  output: string[];
  stop: () => Promise<void>;
}

/** Starts `duet serve` with `DUET_LOG=trace`, so every line it could log is in `output`. */
async function startTracedServe(): Promise<TracedServe> {
  const bin = path.resolve(process.env.DUET_BIN ?? '../target/debug/duet');
  const dir = mkdtempSync(path.join(tmpdir(), 'duet-e2e-token-'));
  const child: ChildProcess = spawn(bin, ['serve', '--sandbox', '--port', '0', '--data', path.join(dir, 'data')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', DUET_LOG: 'trace', DUET_KEYRING_SERVICE: 'dev.duet.app.e2e-token' },
  });
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('duet serve printed no DUET_UI_URL within 120s')), 120_000);
    child.once('exit', (code) => reject(new Error(`duet serve exited early (code ${code}): ${output.slice(-5).join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const match = /^DUET_UI_URL=(.*)$/.exec(line.trim());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  child.removeAllListeners('exit');
  const token = new URL(url).searchParams.get('token') ?? '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, token, output, stop };
}

test('the access token leaves the address bar, the page keeps working after a reload, and the server logs it once', async ({
  page,
}) => {
  const serve = await startTracedServe();
  try {
    expect(serve.token.length).toBeGreaterThanOrEqual(32);
    const apiUrls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) apiUrls.push(request.url());
    });

    // GIVEN the page opened at the printed URL, token and all.
    const environments = page.waitForResponse((response) => response.url().endsWith('/api/environments'));
    await page.goto(serve.url);
    // THEN the token is gone from the address bar, kept for the tab, and the API answers.
    await expect(page.getByTestId('app-header')).toBeVisible();
    expect(page.url()).not.toContain(serve.token);
    expect(page.url()).not.toContain('token=');
    expect(await page.evaluate(() => sessionStorage.getItem('duet.token'))).toBe(serve.token);
    expect((await environments).status()).toBe(200);
    await expect(page.getByTestId('env-card-financeOperations')).toBeVisible({ timeout: 30_000 });

    // WHEN the page is reloaded without the token in its address.
    const again = page.waitForResponse((response) => response.url().endsWith('/api/environments'));
    await page.reload();
    // THEN it still signs its requests with the token the tab kept.
    expect((await again).status()).toBe(200);
    await expect(page.getByTestId('env-card-dataverse')).toBeVisible({ timeout: 30_000 });
    expect(page.url()).not.toContain('token=');
    // Commands carry the token in a header; only the event stream and a CSV download (which
    // cannot send one) put it in their URL.
    const inUrl = apiUrls.filter((url) => url.includes(serve.token)).map((url) => new URL(url).pathname);
    expect(inUrl.every((pathname) => pathname === '/api/events' || pathname === '/api/logs.csv')).toBe(true);
    expect(apiUrls.some((url) => new URL(url).pathname === '/api/environments' && !url.includes('token'))).toBe(true);

    // AND a request with the token in its URL (the CSV download) and one with a wrong token
    // are served and refused without either landing in the server's log.
    const origin = new URL(serve.url).origin;
    const csv = await page.request.get(`${origin}/api/logs.csv?token=${serve.token}`);
    expect(csv.status()).toBe(200);
    const refused = await page.request.post(`${origin}/api/environments`, {
      headers: { Authorization: 'Bearer not-the-token' },
      data: {},
    });
    expect(refused.status()).toBe(401);
  } finally {
    await serve.stop();
  }
  // The server printed its URL once and logged at TRACE, yet the token is on no other line.
  expect(serve.output.length).toBeGreaterThan(10);
  const withToken = serve.output.filter((line) => line.includes(serve.token));
  expect(withToken).toEqual([`DUET_UI_URL=${serve.url}`]);
});
