import { expect, test } from '@playwright/test';
import { createFoCustomer, goTo, openUi, saveScreenshot } from './helpers';

test('a change made while paused waits in the queue and is applied on catch-up', async ({ page, request }) => {
  await openUi(page);
  await goTo(page, 'maps');

  // Start from a running map.
  const state = page.getByTestId('map-state-customers');
  await expect(state).not.toHaveText('');
  if ((await state.textContent())?.trim() !== 'Running' && (await page.getByTestId('run-customers').isEnabled())) {
    await page.getByTestId('run-customers').click();
  }
  await expect(state).toHaveText('Running', { timeout: 60_000 });

  // Pause: the map keeps capturing changes into its queue.
  await page.getByTestId('pause-customers').click();
  await expect(state).toHaveText('Paused', { timeout: 30_000 });
  await expect(page.getByTestId('resume-customers')).toBeVisible();
  await expect(page.getByTestId('run-customers')).toBeEnabled();

  const account = await createFoCustomer(request, 'PWQ');
  const key = `DAT|${account}`;

  // The change shows up in the queue, not yet applied.
  await page.getByTestId('queue-customers').click();
  await expect(page.getByTestId('queue-view')).toBeVisible();
  const row = page.getByTestId('queue-row').filter({ hasText: key });
  await expect(row.first()).toBeVisible({ timeout: 30_000 });
  await expect(row.first().getByTestId('queue-row-status')).toHaveText('Queued');
  await expect(row.first()).toContainText('F&O');

  // The key filter narrows the list to that change.
  await page.getByTestId('queue-filter').fill(account);
  await expect(page.getByTestId('queue-row').first()).toContainText(key);
  await expect(page.getByTestId('queue-row').filter({ hasNotText: key })).toHaveCount(0);

  // The captured row is shown as JSON.
  await row.first().getByTestId('queue-row-toggle').click();
  await expect(page.getByTestId('queue-row-json').first()).toContainText(account);
  await saveScreenshot(page, 'queue');

  await page.getByTestId('queue-close').click();
  await expect(page.getByTestId('queue-view')).toBeHidden();
  await expect(page.getByTestId('queued-customers')).not.toHaveAttribute('data-count', '0', { timeout: 15_000 });

  // Resume with catch-up: the queued change is applied in order.
  await page.getByTestId('resume-customers').click();
  const catchUp = page.getByTestId('resume-catch-up-customers');
  await expect(catchUp).toContainText('Catch up (apply');
  await catchUp.click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'catching up' })).toBeVisible();
  await expect(state).toHaveText('Running', { timeout: 60_000 });

  await goTo(page, 'activity');
  await expect(page.getByTestId('activity-row').filter({ hasText: account }).first()).toBeVisible({ timeout: 60_000 });
});
