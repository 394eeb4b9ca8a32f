import { expect, test } from '@playwright/test';
import { duetEnv } from './duet-env';
import { createFoCustomer, ensureRunning, goTo, openUi, saveScreenshot, setSandboxFaults } from './helpers';

test('a customer created in finance and operations shows up in Activity, with the row written', async ({ page, request, context }) => {
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

  // Its detail shows where it went, the key and the row written to Dataverse, with Copy.
  const synced = page.getByTestId('activity-row').filter({ hasText: account }).first();
  await expect(page.getByTestId('activity-row-detail')).toHaveCount(0);
  await synced.getByTestId('activity-row-toggle').click();
  const detail = page.getByTestId('activity-row-detail');
  await expect(detail).toHaveCount(1);
  await expect(detail.getByTestId('entry-direction')).toHaveText('F&O → Dataverse');
  await expect(detail.getByTestId('entry-key')).toHaveText(`DAT|${account}`);
  // The key travels in the URL (accounts(accountnumber='…')), so the body holds the other fields.
  const payload = detail.getByTestId('entry-payload');
  await expect(payload).toContainText(`"name": "Playwright ${stamp}"`);
  await expect(payload).toContainText('"creditlimit": 1000');
  const copy = detail.getByTestId('entry-payload-copy');
  await expect(copy).toBeVisible();
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await copy.click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Copied row written' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied)).toMatchObject({ name: `Playwright ${stamp}`, creditlimit: 1000 });
  await page.screenshot({ path: '/tmp/ui-rows-activity-detail.png' });

  // The toggle closes it again.
  await synced.getByTestId('activity-row-toggle').click();
  await expect(page.getByTestId('activity-row-detail')).toHaveCount(0);
  await page.getByTestId('activity-filter').fill('');
  // The whole log again (the map's start and its first sync lines are there too).
  await expect(page.getByTestId('activity-row').nth(1)).toBeVisible();

  await saveScreenshot(page, 'activity');
});

test('a row Dataverse refuses shows its remote status, error, solution and payload sent', async ({ page, request }) => {
  const env = duetEnv();
  await openUi(page);
  await ensureRunning(page);

  // Every write to Dataverse answers 400 until the faults are cleared.
  await setSandboxFaults(request, env.DUET_DV_URL, { fail_writes: { fraction: 1, status: 400 } });
  let account: string;
  try {
    account = await createFoCustomer(request, 'PWFAIL');
    await goTo(page, 'activity');
    await page.getByTestId('activity-filter').fill(account);
    const failed = page.locator('[data-testid="activity-row"][data-kind="error"]').filter({ hasText: account }).first();
    await expect(failed).toBeVisible({ timeout: 60_000 });
  } finally {
    await setSandboxFaults(request, env.DUET_DV_URL, null);
  }

  // In Activity: the failure's message split into status, error and solution, and what was sent.
  const failed = page.locator('[data-testid="activity-row"][data-kind="error"]').filter({ hasText: account }).first();
  await failed.getByTestId('activity-row-toggle').click();
  const detail = page.getByTestId('activity-row-detail');
  await expect(detail.getByTestId('detail-remote-status')).toHaveText('Remote status 400');
  await expect(detail.getByTestId('detail-error')).not.toBeEmpty();
  await expect(detail.getByTestId('detail-solution')).toContainText('retry');
  await expect(detail.getByTestId('entry-key')).toHaveText(`DAT|${account}`);
  await expect(detail.getByTestId('entry-payload')).toContainText(`Playwright ${account.slice('PWFAIL-'.length)}`);
  await expect(detail.getByTestId('entry-payload-copy')).toBeVisible();
  await page.screenshot({ path: '/tmp/ui-rows-activity-failure.png', fullPage: true });

  // In Errors: the failed change with its attempts, the captured row (which has the
  // account number) and the payload sent from the log.
  await goTo(page, 'errors');
  const row = page.getByTestId('failed-group-customers').getByTestId('failed-row').filter({ hasText: account });
  await expect(row).toHaveCount(1, { timeout: 30_000 });
  await row.getByTestId('failed-row-toggle').click();
  const failedDetail = page.getByTestId('failed-row-detail');
  await expect(failedDetail.getByTestId('failed-row-attempts')).toHaveText(/^[1-9]/);
  await expect(failedDetail.getByTestId('failed-row-direction')).toHaveText('F&O → Dataverse');
  await expect(failedDetail.getByTestId('detail-remote-status')).toHaveText('Remote status 400');
  await expect(failedDetail.getByTestId('detail-solution')).toBeVisible();
  await expect(failedDetail.getByTestId('failed-row-json')).toContainText(account);
  await expect(failedDetail.getByTestId('failed-row-json-copy')).toBeVisible();
  await expect(failedDetail.getByTestId('failed-row-sent')).toContainText(`Playwright ${account.slice('PWFAIL-'.length)}`);
  await page.screenshot({ path: '/tmp/ui-rows-errors-detail.png', fullPage: true });

  // Retried with the fault cleared, it goes through and leaves the list.
  await row.getByTestId(/^failed-retry-/).click();
  await expect(row).toHaveCount(0, { timeout: 60_000 });
});

test('live lines go on top at the top of the log, and into "N new entries" when scrolled down', async ({ page, request }) => {
  await openUi(page);
  await ensureRunning(page);
  await goTo(page, 'activity');
  const rows = page.getByTestId('activity-row');
  await expect(rows.nth(20)).toBeAttached();

  // At the top, newest first: a new line is prepended.
  const onTop = await createFoCustomer(request, 'PWTOP');
  await expect(rows.first()).toContainText(onTop, { timeout: 60_000 });
  await expect(page.getByTestId('activity-new')).toHaveCount(0);

  // Scrolled down: the view stays, the new line is counted.
  const scroller = page.getByTestId('activity-scroller');
  await scroller.evaluate((el) => el.scrollTo({ top: 400 }));
  await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(300);
  const firstDrawn = await rows.first().getAttribute('data-id');
  const below = await createFoCustomer(request, 'PWNEW');
  const fresh = page.getByTestId('activity-new');
  await expect(fresh).toHaveText(/^\d+ new entr(y|ies)$/, { timeout: 60_000 });
  expect(await scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(300);
  expect(await rows.first().getAttribute('data-id')).toBe(firstDrawn);
  await saveScreenshot(page, 'activity-new-entries');

  await fresh.click();
  await expect(fresh).toHaveCount(0);
  await expect(rows.first()).toContainText(below);
  expect(await scroller.evaluate((el) => el.scrollTop)).toBe(0);
});

test('an error group is retried after a confirmation that counts its failed changes', async ({ page, request }) => {
  const env = duetEnv();
  await openUi(page);
  await ensureRunning(page);

  // GIVEN a customer Dataverse refuses with 400, kept as a failed change, and the fault cleared.
  await setSandboxFaults(request, env.DUET_DV_URL, { fail_writes: { fraction: 1, status: 400 } });
  let account: string;
  try {
    account = await createFoCustomer(request, 'PWGROUP');
    await goTo(page, 'activity');
    await page.getByTestId('activity-filter').fill(account);
    await expect(page.locator('[data-testid="activity-row"][data-kind="error"]').filter({ hasText: account }).first()).toBeVisible({
      timeout: 60_000,
    });
  } finally {
    await setSandboxFaults(request, env.DUET_DV_URL, null);
  }

  await goTo(page, 'errors');
  const failedRow = page.getByTestId('failed-row').filter({ hasText: account });
  await expect(failedRow).toHaveCount(1, { timeout: 30_000 });

  // WHEN its group (map customers, class 400) is retried and the count confirmed.
  await goTo(page, 'activity');
  await page.getByTestId('activity-map').selectOption('customers');
  await page.getByTestId('activity-tab-groups').click();
  const group = page
    .getByTestId('error-group-row')
    .filter({ hasText: '(400)' })
    .filter({ has: page.getByTestId('error-group-class').getByText('400', { exact: true }) })
    .first();
  await expect(group).toBeVisible({ timeout: 30_000 });
  await group.getByTestId('error-group-retry').click();
  await expect(page.getByTestId('retry-group-text')).toHaveText(/^(1 failed change|[\d,]+ failed changes) of map customers with this cause/);
  await saveScreenshot(page, 'activity-retry-group-confirm');
  await page.getByTestId('confirm-ok').click();

  // THEN a toast gives the number queued again, and the change goes through and leaves Errors.
  await expect(page.getByTestId('toast-success').filter({ hasText: 'of customers queued again' })).toBeVisible();
  await goTo(page, 'errors');
  await expect(failedRow).toHaveCount(0, { timeout: 60_000 });
});
