import { expect, test } from '@playwright/test';
import { duetEnv } from './duet-env';
import { goTo, openUi, saveScreenshot } from './helpers';

test('a customer created in finance and operations shows up in Activity', async ({ page, request }) => {
  const env = duetEnv();
  await openUi(page);

  // Make sure the map is running before the change is made.
  await goTo(page, 'maps');
  const state = page.getByTestId('map-state-customers');
  if ((await state.textContent())?.trim() !== 'Running' && (await page.getByTestId('run-customers').isEnabled())) {
    await page.getByTestId('run-customers').click();
  }
  await expect(state).toHaveText('Running', { timeout: 60_000 });

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
  const account = `PW-${stamp}`;
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

  await goTo(page, 'activity');
  const row = page.getByTestId('activity-row').filter({ hasText: account });
  await expect(row.first()).toBeVisible({ timeout: 60_000 });

  // The filter narrows the list to that account.
  await page.getByTestId('activity-filter').fill(account);
  await expect(page.getByTestId('activity-row').first()).toContainText(account);
  await expect(page.getByTestId('activity-row').filter({ hasNotText: account })).toHaveCount(0);
  await page.getByTestId('activity-filter').fill('');

  await saveScreenshot(page, 'activity');
});
