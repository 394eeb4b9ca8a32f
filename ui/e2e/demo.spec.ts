import { expect, test } from '@playwright/test';
import { command, createFoCustomer, ensureRunning, goTo, openUi, saveScreenshot } from './helpers';

test('a consultant runs the catch-up demo and edits a row on each side of the Demo page', async ({ page, request }) => {
  test.setTimeout(240_000);
  await openUi(page);
  await ensureRunning(page);

  // A customer of its own, so the demo never depends on what earlier specs changed.
  const account = await createFoCustomer(request, 'PWDEMO');
  const key = `DAT|${account}`;
  await goTo(page, 'demo');

  // Find the row by its account number; pick it once it is on both sides.
  await page.getByTestId('demo-search').fill(account);
  const option = page.getByTestId('demo-row-option').filter({ hasText: key });
  await expect(async () => {
    await page.getByTestId('demo-search').fill('');
    await page.getByTestId('demo-search').fill(account);
    await expect(option).toBeVisible({ timeout: 2_000 });
    await expect(option).not.toContainText('one side', { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await option.click();
  await expect(page.getByTestId('demo-row')).toBeVisible();
  await expect(page.getByTestId('demo-cell-dataverse-accountnumber')).toHaveText(account);
  await expect(page.getByTestId('demo-cell-financeOperations-OrganizationName')).toHaveText(/Playwright/);
  await saveScreenshot(page, 'demo-1-row');

  // The scripted demo: pause, NameA → NameB → NameC, resume with catch-up.
  await page.getByTestId('demo-run-pauseCatchUp').click();
  const card = page.getByTestId('demo-script-pauseCatchUp');
  await expect(card.getByTestId('demo-run-key')).toHaveText(key);
  const steps = card.getByTestId('demo-step');
  await expect(steps).toHaveCount(4);
  await expect(steps.nth(1)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(steps.nth(1)).toContainText('wait in the queue');
  await saveScreenshot(page, 'demo-2-queued-while-paused');
  await expect(card.getByTestId('demo-outcome')).toHaveAttribute('data-outcome', 'passed', { timeout: 90_000 });
  await expect(steps.nth(3)).toContainText('NameA → NameB → NameC arrived in Dataverse in that order');
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: test.info().outputPath('demo-3b-script-passed.png') });
  // The row shows the last name on both sides, and its history lists the three writes in order.
  await expect(page.getByTestId('demo-cell-dataverse-name')).toHaveText('NameC', { timeout: 15_000 });
  await expect(page.getByTestId('demo-cell-financeOperations-OrganizationName')).toHaveText('NameC');
  // The history strip lists the three writes to Dataverse, newest first.
  const written = page.getByTestId('demo-history-values').filter({ hasText: /name: Name[ABC]/ });
  await expect(written).toHaveCount(3);
  await expect(written.nth(0)).toContainText('name: NameC');
  await expect(written.nth(1)).toContainText('name: NameB');
  await expect(written.nth(2)).toContainText('name: NameA');
  await page.getByTestId('demo-row').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'demo-3-caught-up');

  // Edit in finance and operations: the Dataverse cell flashes with the new value.
  const memo = `Demo memo ${Date.now()}`;
  await page.getByTestId('demo-cell-financeOperations-SalesMemo').click();
  await page.getByTestId('demo-cell-financeOperations-SalesMemo-input').fill(memo);
  await page.getByTestId('demo-cell-financeOperations-SalesMemo-input').press('Enter');
  const description = page.getByTestId('demo-cell-dataverse-description');
  await expect(description).toHaveText(memo, { timeout: 30_000 });
  await expect(description).toHaveAttribute('data-flash', 'true');
  await expect(page.getByTestId('demo-latency')).toContainText(/Arrived in Dataverse in \d+\.\d s/);
  await saveScreenshot(page, 'demo-4-edit-finops');

  // Escape cancels an edit: nothing is written.
  await page.getByTestId('demo-cell-dataverse-telephone1').click();
  await page.getByTestId('demo-cell-dataverse-telephone1-input').fill('never saved');
  await page.getByTestId('demo-cell-dataverse-telephone1-input').press('Escape');
  await expect(page.getByTestId('demo-cell-dataverse-telephone1')).not.toHaveText('never saved');

  // Edit in Dataverse: the finance and operations cell flashes with the new value.
  const phone = `+1 425 555 ${String(Date.now()).slice(-4)}`;
  await page.getByTestId('demo-cell-dataverse-telephone1').click();
  await page.getByTestId('demo-cell-dataverse-telephone1-input').fill(phone);
  await page.getByTestId('demo-cell-dataverse-telephone1-input').press('Enter');
  const foPhone = page.getByTestId('demo-cell-financeOperations-PrimaryContactPhone');
  await expect(foPhone).toHaveText(phone, { timeout: 30_000 });
  await expect(foPhone).toHaveAttribute('data-flash', 'true');
  await expect(page.getByTestId('demo-latency')).toContainText(/Arrived in finance and operations in \d+\.\d s/);
  await saveScreenshot(page, 'demo-5-edit-dataverse');

  // The demo leaves the map running, as the specs after it expect.
  const maps = (await command(request, 'maps', {})) as { name: string; state: string }[];
  expect(maps.find((map) => map.name === 'customers')?.state).toBe('running');
});
