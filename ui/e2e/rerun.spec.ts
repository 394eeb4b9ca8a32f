import { expect, test } from '@playwright/test';
import { goTo, openUi } from './helpers';

test('a map’s initial sync can be rerun from its details, with a confirmation', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'maps');
  const state = page.getByTestId('map-state-customers');
  await expect(state).toHaveText('Running', { timeout: 60_000 });

  await page.getByTestId('details-customers').click();
  const drawer = page.getByTestId('map-details-customers');
  await expect(drawer).toBeVisible();
  // Nothing failed, so there is nothing to rerun on its own.
  await expect(drawer.getByTestId('rerun-failed')).toBeDisabled();
  await expect(drawer.getByTestId('rerun-failed')).toContainText('(0)');

  // Cancelling changes nothing; confirming reruns the initial sync.
  await drawer.getByTestId('rerun-all').click();
  await expect(page.getByTestId('rerun-dialog')).toBeVisible();
  await page.getByTestId('rerun-dialog').getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('rerun-dialog')).toBeHidden();
  await drawer.getByTestId('rerun-all').click();
  await page.getByTestId('rerun-dialog').getByTestId('confirm-ok').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Initial sync started again' })).toBeVisible();
  await drawer.getByTestId('details-close').click();

  // The map comes back to Running and the rerun is in the activity log.
  await expect(state).toHaveText('Running', { timeout: 60_000 });
  await goTo(page, 'activity');
  await expect(page.getByTestId('activity-row').filter({ hasText: 'Rerun: the initial sync runs again' }).first()).toBeVisible({
    timeout: 30_000,
  });
});
