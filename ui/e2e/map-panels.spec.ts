import { expect, test, type Locator, type Page } from '@playwright/test';
import { goTo, openUi, saveScreenshot } from './helpers';

/** Screenshots go to /tmp as well, to look at each panel's layout. */
async function shoot(page: Page, name: string, target?: Locator) {
  await saveScreenshot(page, `panels-${name}`);
  if (target) await target.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `/tmp/ui-panels-${name}.png` });
}

test('filters are checked as typed, validation follows settings edits, and the preview shows a row the filter drops', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'maps');
  await page.getByTestId('details-customers').click();
  const drawer = page.getByTestId('map-details-customers');
  await expect(drawer).toBeVisible();

  // GIVEN a finance and operations filter with a typo: ">>" where ">" was meant.
  await drawer.getByTestId('tab-filters').click();
  const foInput = drawer.getByTestId('filter-fo-input');
  await foInput.fill('((CreditLimit >> 1000))');

  // THEN the error is drawn at its position (character 16, the second '>') with the message.
  const foError = drawer.getByTestId('filter-fo-error');
  await expect(foError).toBeVisible();
  await expect(foError).toHaveAttribute('data-position', '16');
  await expect(foError.getByTestId('filter-fo-error-at')).toHaveText('>');
  await expect(foError).toContainText("expected a value after '>'");
  await expect(drawer.getByTestId('filter-fo-count')).toHaveCount(0);
  await shoot(page, 'filter-error', foError);

  // WHEN the typo is fixed, THEN the error goes and the rows the filter keeps are counted.
  await foInput.fill('((CreditLimit < 100000))');
  await expect(foError).toHaveCount(0);
  const foCount = drawer.getByTestId('filter-fo-count');
  await expect(foCount).toHaveAttribute('data-state', 'count');
  await expect(foCount).toContainText(/Keeps [\d,]+ rows/);
  await expect(drawer.getByTestId('filter-fo-odata')).toContainText('CreditLimit lt 100000');

  // AND the Dataverse filter is checked in its own language, a column inserted from the table.
  const dvInput = drawer.getByTestId('filter-dv-input');
  await dvInput.fill('creditlimit gt 1000 adn ');
  await expect(drawer.getByTestId('filter-dv-error')).toHaveAttribute('data-position', '21');
  await expect(drawer.getByTestId('filter-dv-error-at')).toHaveText('a');
  await dvInput.fill('creditlimit gt 1000 and ');
  await drawer.getByTestId('filter-dv-columns').click();
  await page.getByTestId('filter-dv-column-name').click();
  await expect(dvInput).toHaveValue('creditlimit gt 1000 and name');
  await dvInput.press('End');
  await dvInput.pressSequentially(' ne null');
  await expect(drawer.getByTestId('filter-dv-count')).toContainText(/Keeps [\d,]+ rows/);
  await shoot(page, 'filter-count', drawer.getByTestId('filter-fo'));

  // GIVEN the validation panel of the draft: no problem yet.
  await drawer.getByTestId('tab-validation').click();
  const summary = drawer.getByTestId('validation-summary');
  await expect(summary).toHaveText('No problems: the map can run');
  await expect(drawer.getByTestId('validation-schema')).toHaveAttribute('data-checked', 'true');

  // WHEN company striping is turned off in the settings.
  await drawer.getByTestId('tab-settings').click();
  await expect(drawer.getByTestId('company-fo-field')).toHaveValue('dataAreaId');
  await drawer.getByTestId('company-enabled').uncheck();
  await expect(drawer.getByTestId('company-fo-field')).toHaveCount(0);
  await shoot(page, 'settings');

  // THEN validation lists the problem, errors first, naming what it points at.
  await drawer.getByTestId('tab-validation').click();
  const striping = drawer.getByTestId('validation-problem-DW-V008');
  await expect(striping).toBeVisible();
  await expect(striping).toHaveAttribute('data-severity', 'error');
  await expect(striping.getByTestId('validation-problem-subject')).toHaveText('Company striping');
  await expect(summary).toContainText(/\d+ errors? blocks? Run/);
  await expect(drawer.getByTestId('validation-panel').locator('[data-severity]').first()).toHaveAttribute('data-severity', 'error');
  await shoot(page, 'validation-problem');

  // WHEN the problem is clicked, THEN the drawer shows the settings, where striping is turned back on.
  await striping.click();
  await expect(drawer.getByTestId('settings-company')).toBeVisible();
  await drawer.getByTestId('company-enabled').check();
  await expect(drawer.getByTestId('company-fo-field')).toHaveValue('dataAreaId');
  await drawer.getByTestId('tab-validation').click();
  await expect(summary).toHaveText('No problems: the map can run');
  await expect(drawer.getByTestId('validation-problem-DW-V008')).toHaveCount(0);
  await shoot(page, 'validation-clear');

  // WHEN the Dataverse key gets a second column, THEN the two sides' keys no longer match.
  await drawer.getByTestId('tab-settings').click();
  await drawer.getByTestId('key-dv-add').click();
  await expect(drawer.getByTestId('key-dv-column-1')).toHaveText(/\S+/);
  await shoot(page, 'settings-key', drawer.getByTestId('settings-key'));
  await drawer.getByTestId('tab-validation').click();
  await expect(drawer.getByTestId('validation-problem-DW-V001')).toBeVisible();
  await drawer.getByTestId('tab-settings').click();
  await drawer.getByTestId('key-dv-remove-1').click();
  await expect(drawer.getByTestId('key-dv-column-1')).toHaveCount(0);
  await drawer.getByTestId('tab-validation').click();
  await expect(summary).toHaveText('No problems: the map can run');

  // WHEN number sequences switch to ranges and back, THEN the saved prefixes come back.
  await drawer.getByTestId('tab-settings').click();
  await drawer.getByTestId('numseq-ranges').click();
  await expect(drawer.getByTestId('numseq-prefix-fo')).toHaveCount(0);
  await drawer.getByTestId('numseq-range-fo-from').fill('US0001');
  await drawer.getByTestId('numseq-range-fo-to').fill('US4999');
  await drawer.getByTestId('numseq-range-dv-from').fill('US5000');
  await drawer.getByTestId('numseq-range-dv-to').fill('US9999');
  await shoot(page, 'settings-ranges', drawer.getByTestId('settings-numseq'));
  await drawer.getByTestId('numseq-prefixes').click();
  await expect(drawer.getByTestId('numseq-prefix-fo')).toHaveValue('FO-');
  await expect(drawer.getByTestId('numseq-prefix-dv')).toHaveValue('CE-');

  // WHEN the draft is previewed, THEN a finance and operations row the filter drops shows as not synced.
  await drawer.getByTestId('tab-preview').click();
  await drawer.getByTestId('preview-run').click();
  const result = drawer.getByTestId('preview-result');
  await expect(result).toHaveAttribute('data-of', 'edit', { timeout: 30_000 });
  const dropped = drawer.getByTestId('preview-side-financeOperations').locator('[data-testid="preview-sample"][data-kind="dropped"]');
  await expect(dropped.first()).toBeVisible();
  await expect(dropped.first().getByTestId('preview-row-dropped')).toContainText('filter');
  await expect(dropped.first().getByTestId('preview-sample-key')).toContainText('|');
  await expect(drawer.getByTestId('preview-summary')).toContainText('not synced');
  const kept = drawer.getByTestId('preview-side-financeOperations').locator('[data-testid="preview-sample"][data-kind="same"]');
  await expect(kept.first()).toBeVisible();
  await shoot(page, 'preview-dropped', dropped.first());
});
