import { expect, test } from '@playwright/test';
import { goTo, openUi, saveScreenshot } from './helpers';

test('an alert rule can be added, edited and deleted', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'alerts');
  const rows = page.getByTestId('rule-row');
  const before = await rows.count();

  // Add: class 400, 1 error in 5 minutes, notify only.
  await page.getByTestId('add-rule').click();
  const dialog = page.getByTestId('rule-dialog');
  await expect(dialog).toBeVisible();

  // Inline validation: nothing is sent while a field is wrong.
  await dialog.getByTestId('rule-threshold').fill('0');
  await dialog.getByTestId('rule-save').click();
  await expect(dialog).toContainText('Choose the error class to watch.');
  await expect(dialog).toContainText('at least 1');
  await saveScreenshot(page, 'alerts-dialog');

  await dialog.getByTestId('rule-class-select').click();
  await page.getByTestId('rule-class-option-400').click();
  await dialog.getByTestId('rule-threshold').fill('1');
  await dialog.getByTestId('rule-window').fill('5');
  await dialog.getByTestId('rule-action-none').check();
  await expect(dialog).not.toContainText('Choose the error class to watch.');
  await dialog.getByTestId('rule-save').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Alert rule added' })).toBeVisible();

  await expect(rows).toHaveCount(before + 1);
  const row = rows.last();
  await expect(row.getByTestId('rule-map')).toHaveText('All maps');
  await expect(row.getByTestId('rule-class')).toHaveText('400');
  await expect(row.getByTestId('rule-condition')).toHaveText('1 error in 5 minutes');
  await expect(row.getByTestId('rule-action')).toHaveText('Notify only');
  await expect(row.getByTestId('rule-enabled')).toBeChecked();
  const id = await row.getAttribute('data-id');
  expect(id).toBeTruthy();
  const saved = page.locator(`[data-testid="rule-row"][data-id="${id}"]`);

  // Edit: 3 errors in 10 minutes on the customers map, pausing it.
  await saved.getByTestId('rule-edit').click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByTestId('rule-threshold')).toHaveValue('1');
  await dialog.getByTestId('rule-map-select').click();
  await page.getByTestId('rule-map-option-customers').click();
  await dialog.getByTestId('rule-threshold').fill('3');
  await dialog.getByTestId('rule-window').fill('10');
  await dialog.getByTestId('rule-action-pause').check();
  await dialog.getByTestId('rule-save').click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Alert rule saved' })).toBeVisible();
  await expect(saved.getByTestId('rule-map')).toContainText('Customers V3');
  await expect(saved.getByTestId('rule-condition')).toHaveText('3 errors in 10 minutes');
  await expect(saved.getByTestId('rule-action')).toHaveText('Pause the map');
  await expect(rows).toHaveCount(before + 1);

  // The recent alerts list and the desktop-notification control are on the page.
  await expect(page.getByTestId('fired-alerts')).toBeVisible();
  await expect(page.getByTestId('desktop-notifications-status')).toBeVisible();
  // A test alert shows the alert toast and joins the recent alerts, acting on nothing.
  await page.getByTestId('send-test-alert').click();
  await expect(page.getByTestId('toast-alert').filter({ hasText: 'Test alert' })).toBeVisible();
  await expect(page.getByTestId('fired-alert').filter({ hasText: 'Test alert' }).first()).toBeVisible();
  await saveScreenshot(page, 'alerts');

  // Delete, with confirmation; cancelling keeps the rule.
  await saved.getByTestId('rule-delete').click();
  await expect(page.getByTestId('delete-rule-dialog')).toBeVisible();
  await page.getByTestId('confirm-cancel').click();
  await expect(saved).toBeVisible();
  await saved.getByTestId('rule-delete').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Alert rule deleted' })).toBeVisible();
  await expect(saved).toHaveCount(0);
  await expect(rows).toHaveCount(before);

  // It stays deleted after a reload.
  await page.reload();
  await expect(page.getByTestId('page-alerts')).toBeVisible();
  await expect(page.getByTestId('rules-table')).toBeVisible();
  await expect(page.locator(`[data-testid="rule-row"][data-id="${id}"]`)).toHaveCount(0);
});

test('the errors view lists failed changes and conflict losers per map', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'errors');
  await expect(page.getByTestId('conflicts-table')).toBeVisible();
  await expect(page.getByTestId('failed-empty').or(page.getByTestId('failed-row').first())).toBeVisible();
  await saveScreenshot(page, 'errors');
});
