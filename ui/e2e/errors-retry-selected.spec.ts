import { expect, test } from '@playwright/test';
import { duetEnv } from './duet-env';
import { createFoCustomer, ensureRunning, goTo, openUi, setSandboxFaults } from './helpers';

test('failed changes can be retried a chosen few at a time', async ({ page, request }) => {
  const env = duetEnv();
  await openUi(page);
  await ensureRunning(page);

  // GIVEN three customers Dataverse refused while it answered 400 to every write.
  await setSandboxFaults(request, env.DUET_DV_URL, { fail_writes: { fraction: 1, status: 400 } });
  const accounts: string[] = [];
  const group = page.getByTestId('failed-group-customers');
  const rowOf = (account: string) => group.getByTestId('failed-row').filter({ hasText: account });
  try {
    for (let i = 0; i < 3; i += 1) accounts.push(await createFoCustomer(request, 'PWSEL'));
    await goTo(page, 'errors');
    for (const account of accounts) await expect(rowOf(account)).toHaveCount(1, { timeout: 60_000 });
  } finally {
    await setSandboxFaults(request, env.DUET_DV_URL, null);
  }

  // WHEN two of them are selected, THEN the button says how many.
  const retrySelected = page.getByTestId('retry-selected-customers');
  await expect(retrySelected).toBeDisabled();
  for (const account of accounts.slice(0, 2)) {
    await rowOf(account).getByRole('checkbox').check();
  }
  await expect(retrySelected).toHaveText('Retry selected (2)');
  await expect(page.getByTestId('failed-select-all')).toBeVisible();
  await page.screenshot({ path: '/tmp/ui-errors-retry-selected.png', fullPage: true });

  // WHEN they are retried, THEN those two go through and leave the list; the third stays.
  await retrySelected.click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Queued again 2 selected changes' })).toBeVisible();
  for (const account of accounts.slice(0, 2)) await expect(rowOf(account)).toHaveCount(0, { timeout: 60_000 });
  await expect(rowOf(accounts[2])).toHaveCount(1);
  await expect(retrySelected).toBeDisabled();

  // AND the last one goes with Retry on its row.
  await rowOf(accounts[2]).getByTestId(/^failed-retry-/).click();
  await expect(rowOf(accounts[2])).toHaveCount(0, { timeout: 60_000 });
});
