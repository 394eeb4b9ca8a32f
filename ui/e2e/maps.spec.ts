import { expect, test } from '@playwright/test';
import { goTo, openUi, saveScreenshot } from './helpers';

test('maps page lists the customers map and it reaches Running', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'maps');

  const row = page.getByTestId('map-row-customers');
  await expect(row).toBeVisible();
  await expect(row).toContainText('Customers V3');
  await expect(row).toContainText(/accounts?/);

  const state = page.getByTestId('map-state-customers');
  if ((await state.textContent())?.trim() === 'Not running') {
    await page.getByTestId('run-customers').click();
  }
  await expect(state).toHaveText('Running', { timeout: 60_000 });
  await expect(page.getByTestId('pause-customers')).toBeEnabled();
  await expect(page.getByTestId('run-customers')).toBeDisabled();

  await page.getByTestId('fields-toggle-customers').click();
  await expect(page.getByTestId('fields-customers').getByTestId('field-row').first()).toBeVisible();

  await saveScreenshot(page, 'maps');
});
