import { expect, test } from '@playwright/test';
import { createFoCustomer, goTo, openUi, saveScreenshot } from './helpers';

test('the dashboard charts the demo sync and keeps retention settings', async ({ page, request }) => {
  await openUi(page);

  // The demo map runs; a live change gives the latency chart a point.
  await goTo(page, 'maps');
  const state = page.getByTestId('map-state-customers');
  if ((await state.textContent())?.trim() !== 'Running' && (await page.getByTestId('run-customers').isEnabled())) {
    await page.getByTestId('run-customers').click();
  }
  await expect(state).toHaveText('Running', { timeout: 60_000 });
  await createFoCustomer(request, 'DASH');

  await goTo(page, 'dashboard');
  // The initial sync's rows are counted, and the throughput chart has a line per map and direction.
  await expect(async () => {
    const rows = Number(((await page.getByTestId('stat-rows-value').textContent()) ?? '0').replace(/\D/g, ''));
    expect(rows).toBeGreaterThan(0);
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId('chart-throughput-series').first()).toBeVisible();
  const d = await page.getByTestId('chart-throughput-series').first().getAttribute('d');
  expect(d ?? '').toMatch(/^M[\d.]+,[\d.]+ L/);
  // The live change arrives with a latency, refreshed without reloading the page.
  await expect(page.getByTestId('stat-latency-value')).not.toHaveText('— / —', { timeout: 30_000 });
  await expect(page.getByTestId('chart-latency-series').first()).toBeAttached();
  // The queue is sampled every few seconds.
  await expect(page.getByTestId('chart-queue-series').first()).toBeAttached({ timeout: 30_000 });
  await expect(page.getByTestId('metrics-row').filter({ hasText: 'customers' }).first()).toBeVisible();

  // One map alone, over a shorter window.
  await page.getByTestId('metrics-window').click();
  await page.getByRole('option', { name: 'Last 15 minutes' }).click();
  await page.getByTestId('metrics-map').click();
  await page.getByRole('option', { name: 'customers' }).click();
  await expect(page.getByTestId('stat-rate')).toContainText('15 s buckets');
  await saveScreenshot(page, 'dashboard');

  // Retention: a bad value is refused by the backend with its code; a good one is kept.
  await page.getByTestId('retention-activity-days').fill('0');
  await page.getByTestId('retention-save').click();
  await expect(page.getByTestId('retention').getByTestId('error-bar')).toContainText('invalid_retention');
  await page.getByTestId('retention-activity-days').fill('21');
  await page.getByTestId('retention-max-lines').fill('99');
  await page.getByTestId('retention-save').click();
  await expect(page.getByTestId('retention').getByTestId('error-bar')).toContainText('10,000 and 1,000,000,000');
  await page.getByTestId('retention-max-lines').fill('2000000');
  await page.getByTestId('retention-bulk-payloads').click();
  await page.getByTestId('retention-save').click();
  await expect(page.getByTestId('toast-success')).toContainText('Retention saved');
  await expect(page.getByTestId('retention').getByTestId('error-bar')).toHaveCount(0);
  await page.reload();
  await goTo(page, 'dashboard');
  await expect(page.getByTestId('retention-activity-days')).toHaveValue('21');
  await expect(page.getByTestId('retention-max-lines')).toHaveValue('2000000');
  await expect(page.getByTestId('retention-bulk-payloads')).toBeChecked();
  await page.getByTestId('retention').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'dashboard-retention');
});
