import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import path from 'node:path';
import { duetEnv } from './duet-env';

/** Opens the UI with its token and waits for the shell. */
export async function openUi(page: Page) {
  await page.goto(duetEnv().DUET_UI_URL);
  await expect(page.getByTestId('app-header')).toBeVisible();
  // The token is moved out of the address bar at startup.
  expect(page.url()).not.toContain('token=');
}

export async function goTo(
  page: Page,
  section: 'setup' | 'environments' | 'maps' | 'dashboard' | 'activity' | 'errors' | 'alerts' | 'demo',
) {
  await page.getByTestId(`nav-${section}`).click();
  await expect(page.getByTestId(`page-${section}`)).toBeVisible();
}

/** Saves a full-page screenshot as test-results/<name>.png. */
export async function saveScreenshot(page: Page, name: string) {
  const file = path.join(test.info().project.outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/**
 * Creates a customer in the sandbox finance and operations environment over
 * OData, as an outside user would, and returns its account number.
 */
export async function createFoCustomer(request: APIRequestContext, prefix = 'PW'): Promise<string> {
  const env = duetEnv();
  const tokenResponse = await request.post(env.DUET_TOKEN_URL, {
    form: {
      grant_type: 'client_credentials',
      client_id: env.DUET_CLIENT_ID,
      client_secret: env.DUET_CLIENT_SECRET,
      scope: `${env.DUET_FO_URL}/.default`,
    },
  });
  expect(tokenResponse.ok(), await tokenResponse.text()).toBe(true);
  const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
  expect(accessToken).toBeTruthy();

  const stamp = Date.now();
  const account = `${prefix}-${stamp}`;
  const created = await request.post(`${env.DUET_FO_URL}/data/CustomersV3`, {
    headers: {
      Authorization: `Bearer ${accessToken}`,
      'OData-Version': '4.0',
      'Content-Type': 'application/json',
    },
    data: JSON.stringify({
      dataAreaId: 'DAT',
      CustomerAccount: account,
      OrganizationName: `Playwright ${stamp}`,
      CreditLimit: 1000,
    }),
  });
  expect(created.status(), await created.text()).toBe(201);
  return account;
}

/** A bearer token for one sandbox environment (its URL is the token's audience). */
export async function sandboxToken(request: APIRequestContext, environmentUrl: string): Promise<string> {
  const env = duetEnv();
  const tokenResponse = await request.post(env.DUET_TOKEN_URL, {
    form: {
      grant_type: 'client_credentials',
      client_id: env.DUET_CLIENT_ID,
      client_secret: env.DUET_CLIENT_SECRET,
      scope: `${environmentUrl}/.default`,
    },
  });
  expect(tokenResponse.ok(), await tokenResponse.text()).toBe(true);
  const { access_token: accessToken } = (await tokenResponse.json()) as { access_token: string };
  expect(accessToken).toBeTruthy();
  return accessToken;
}

/**
 * Replaces the injected faults of one sandbox emulator (see docs/SANDBOX.md),
 * or clears them when `faults` is null.
 */
export async function setSandboxFaults(request: APIRequestContext, environmentUrl: string, faults: object | null) {
  const token = await sandboxToken(request, environmentUrl);
  const url = `${environmentUrl}/_sandbox/faults`;
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const response = faults ? await request.post(url, { headers, data: JSON.stringify(faults) }) : await request.delete(url, { headers });
  expect(response.ok(), await response.text()).toBe(true);
}

/** Opens Maps and makes sure the demo map runs (starting it when it does not). */
export async function ensureRunning(page: Page): Promise<void> {
  await goTo(page, 'maps');
  const state = page.getByTestId('map-state-customers');
  if ((await state.textContent())?.trim() !== 'Running' && (await page.getByTestId('run-customers').isEnabled())) {
    await page.getByTestId('run-customers').click();
  }
  await expect(state).toHaveText('Running', { timeout: 60_000 });
}

/** Calls a backend command over HTTP as the UI does, with the session token. */
export async function command(request: APIRequestContext, name: string, args: object): Promise<unknown> {
  const url = new URL(duetEnv().DUET_UI_URL);
  const token = url.searchParams.get('token');
  const response = await request.post(`${url.origin}/api/${name}`, {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    data: JSON.stringify(args),
  });
  expect(response.ok(), await response.text()).toBe(true);
  return response.json();
}
