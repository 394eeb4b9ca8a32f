import { expect, test } from '@playwright/test';
import { goTo, openUi, saveScreenshot } from './helpers';

test('environments page shows both sandbox environments, healthy', async ({ page }) => {
  await openUi(page);
  // Environments is the default page.
  await expect(page.getByTestId('page-environments')).toBeVisible();

  for (const kind of ['financeOperations', 'dataverse'] as const) {
    const card = page.getByTestId(`env-card-${kind}`);
    await expect(card).toBeVisible();
    await expect(card.getByTestId('sandbox-badge')).toHaveText('Sandbox');
  }

  await page.getByTestId('check-health').click();
  await expect(page.getByTestId('toast-success')).toBeVisible({ timeout: 30_000 });

  for (const kind of ['financeOperations', 'dataverse'] as const) {
    const statuses = page.getByTestId(`env-card-${kind}`).getByTestId('health-status');
    await expect(statuses.first()).toBeVisible();
    const count = await statuses.count();
    for (let i = 0; i < count; i++) await expect(statuses.nth(i)).toHaveText('Healthy');
  }

  await goTo(page, 'environments');
  await saveScreenshot(page, 'environments');
});
