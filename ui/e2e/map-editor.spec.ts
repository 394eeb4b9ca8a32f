import { expect, test, type Locator, type Page } from '@playwright/test';
import { command, goTo, openUi, saveScreenshot } from './helpers';

/** Screenshots of each step go to /tmp as well, to look at the editor's layout. */
async function shoot(page: Page, name: string) {
  await saveScreenshot(page, `editor-${name}`);
  await page.screenshot({ path: `/tmp/ui-editor-${name}.png` });
}

async function currentVersion(drawer: Locator): Promise<number> {
  const text = (await drawer.getByTestId('details-current-version').textContent()) ?? '';
  const match = /Version (\d+)/.exec(text);
  expect(match, `the drawer names the current version: ${text}`).not.toBeNull();
  return Number(match![1]);
}

/** Types part of a column name into a row's picker and picks the column from the list. */
async function pickColumn(page: Page, picker: Locator, typed: string, column: string) {
  await picker.click();
  await picker.fill(typed);
  await page.getByTestId(`column-option-${column}`).click();
  await expect(picker).toHaveValue(column);
}

async function openCustomers(page: Page): Promise<Locator> {
  await openUi(page);
  await goTo(page, 'maps');
  await page.getByTestId('details-customers').click();
  const drawer = page.getByTestId('map-details-customers');
  await expect(drawer.getByTestId('fields-table')).toBeVisible();
  await expect(drawer.getByTestId('field-row-0')).toBeVisible();
  return drawer;
}

test('a field with a value map is added, validated as it is edited and saved as a new version with a note', async ({ page }) => {
  const drawer = await openCustomers(page);
  const before = await currentVersion(drawer);
  const fieldCount = await drawer.locator('[data-testid^="field-row-"]').count();
  const added = fieldCount;
  await expect(drawer.getByTestId('details-problems')).toHaveText('No problems');
  await expect(drawer.getByTestId('details-save')).toBeDisabled();
  // The enum members come with a fresh read of the columns.
  await drawer.getByTestId('schema-refresh').click();
  await expect(drawer.getByTestId('schema-refresh')).toBeEnabled();
  await expect(drawer.getByTestId('schema-status')).toContainText('Dataverse columns');
  await shoot(page, 'opened');

  // Typing in a picker and leaving with Escape keeps the field's column.
  await drawer.getByTestId('field-direction-2').click();
  await page.getByTestId('direction-option-toDataverse').click();
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('1 unsaved change');
  const memo = drawer.getByTestId('field-fo-5');
  await memo.click();
  await memo.pressSequentially('Addr');
  await memo.press('Escape');
  await expect(memo).toHaveValue('SalesMemo');
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('1 unsaved change');
  await drawer.getByTestId('details-discard').click();
  await expect(drawer.getByTestId('details-unsaved')).toHaveCount(0);

  // WHEN a field is added, THEN it is marked new and unsaved, and validation flags it.
  await drawer.getByTestId('field-add').click();
  const row = drawer.getByTestId(`field-row-${added}`);
  await expect(row).toHaveAttribute('data-status', 'added');
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('1 unsaved change');
  await expect(row).toHaveAttribute('data-problems', 'error');
  await expect(drawer.getByTestId('details-problems')).toHaveAttribute('data-errors', /[1-9]/);
  await drawer.getByTestId(`field-problems-${added}`).hover();
  await expect(page.getByTestId(`field-problems-detail-${added}`)).toContainText('Fix:');
  await shoot(page, 'added-with-problems');
  await page.mouse.move(0, 0);
  await drawer.getByTestId('details-problems-open').click();
  await expect(page.getByTestId('details-problems-list').getByTestId('problem-row').first()).toContainText(`$.fields[${added}]`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('details-problems-list')).toHaveCount(0);

  // WHEN its columns are picked by typing part of their names.
  const fo = drawer.getByTestId(`field-fo-${added}`);
  await fo.click();
  await fo.fill('onhold');
  await expect(page.getByTestId('column-option-OnHoldStatus')).toContainText('enum');
  await shoot(page, 'column-typeahead');
  await page.getByTestId('column-option-OnHoldStatus').click();
  await expect(fo).toHaveValue('OnHoldStatus');
  await pickColumn(page, drawer.getByTestId(`field-dv-${added}`), 'onhold', 'msdyn_onholdstatus');

  // AND a value map is set up: names that match labels pair themselves, one pair is picked by hand.
  await drawer.getByTestId(`field-transform-${added}`).click();
  const dialog = page.getByTestId('transform-dialog');
  await dialog.getByTestId('transform-kind').click();
  await page.getByTestId('transform-kind-valueMap').click();
  await expect(dialog.getByTestId('value-map-row-Invoice')).toHaveAttribute('data-paired', 'false');
  await expect(dialog.getByTestId('value-map-status')).toContainText('6 members and 6 options unpaired');
  await shoot(page, 'value-map-unpaired');
  await dialog.getByTestId('value-map-auto').click();
  await expect(dialog.getByTestId('value-map-pair-Invoice')).toContainText('806380001: Invoice');
  await expect(dialog.getByTestId('value-map-status')).toHaveText('Every member and option is paired.');
  await dialog.getByTestId('value-map-pair-Never').click();
  await page.getByRole('option', { name: 'unpaired' }).click();
  await expect(dialog.getByTestId('value-map-row-Never')).toHaveAttribute('data-paired', 'false');
  await expect(dialog.getByTestId('value-map-unpaired-options')).toContainText('806380005: Never');
  await dialog.getByTestId('value-map-pair-Never').click();
  await page.getByTestId('value-map-option-806380005').click();
  await expect(dialog.getByTestId('value-map-row-Never')).toHaveAttribute('data-paired', 'true');
  await shoot(page, 'value-map-paired');
  await dialog.getByTestId('transform-apply').click();
  await expect(dialog).toHaveCount(0);

  // THEN the row shows the value map and the direction it needs, and validation is clean again.
  await expect(drawer.getByTestId(`field-transform-${added}`)).toHaveText('Value map (6 pairs)');
  await expect(drawer.getByTestId(`field-direction-${added}`)).toContainText('Two-way with transform');
  await expect(row).toHaveAttribute('data-problems', 'none');
  await expect(drawer.getByTestId('details-problems')).toHaveText('No problems');
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('1 unsaved change');
  await shoot(page, 'validated');

  // WHEN the draft is saved with a note.
  await drawer.getByTestId('details-save').click();
  const save = page.getByTestId('save-dialog');
  await expect(save.getByTestId('save-summary')).toHaveText('Added OnHoldStatus >< msdyn_onholdstatus');
  await save.getByTestId('save-note').fill('Playwright: on-hold status syncs both ways');
  await shoot(page, 'save-dialog');
  await save.getByTestId('save-confirm').click();

  // THEN a new version holds it, and nothing is left unsaved.
  await expect(page.getByTestId('toast-success').filter({ hasText: `as version ${before + 1}` })).toBeVisible();
  await expect(drawer.getByTestId('details-current-version')).toHaveText(`Version ${before + 1}`);
  await expect(drawer.getByTestId('details-unsaved')).toHaveCount(0);
  await expect(row).toHaveAttribute('data-status', 'same');
  await expect(drawer.getByTestId(`field-transform-${added}`)).toHaveText('Value map (6 pairs)');
  await shoot(page, 'saved');
  await drawer.getByTestId('tab-versions').click();
  await expect(drawer.getByTestId(`version-row-${before + 1}`).getByTestId('version-note')).toHaveText('Playwright: on-hold status syncs both ways');
  const diff = drawer.getByTestId('diff-row').filter({ hasText: 'OnHoldStatus' });
  await expect(diff).toHaveAttribute('data-change', 'added');
  await shoot(page, 'saved-versions');

  // WHEN later edits are discarded, THEN the saved version is back.
  await drawer.getByTestId('tab-fields').click();
  await drawer.getByTestId(`field-remove-${added}`).click();
  await drawer.getByTestId('field-direction-2').click();
  await page.getByTestId('direction-option-toDataverse').click();
  await expect(drawer.getByTestId('field-row-2')).toHaveAttribute('data-status', 'changed');
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('2 unsaved changes');
  await expect(drawer.getByTestId(`field-row-${added}`)).toHaveCount(0);
  // A default value and a null policy are edited too.
  await drawer.getByTestId('field-transform-6').click();
  await page.getByTestId('transform-dialog').getByTestId('transform-value').fill('5');
  await shoot(page, 'transform-default');
  await page.getByTestId('transform-apply').click();
  await expect(drawer.getByTestId('field-transform-6')).toHaveText('Default: 5');
  await drawer.getByTestId('field-null-1').click();
  await page.getByRole('option', { name: 'Use a default' }).click();
  await drawer.getByTestId('field-null-value-1').fill('Unnamed');
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('4 unsaved changes');
  await shoot(page, 'before-discard');
  await drawer.getByTestId('details-discard').click();
  await expect(drawer.getByTestId('details-unsaved')).toHaveCount(0);
  await expect(drawer.getByTestId('field-direction-2')).toContainText('Two-way');
  await expect(drawer.getByTestId('field-transform-6')).toHaveText('Default: 3');
  await expect(drawer.getByTestId('field-null-value-1')).toHaveCount(0);
  await expect(drawer.getByTestId(`field-transform-${added}`)).toHaveText('Value map (6 pairs)');
  await expect(drawer.getByTestId('details-current-version')).toHaveText(`Version ${before + 1}`);
  await shoot(page, 'discarded');

  // AND the map goes back to its definition before the test (a new version), for the specs after it.
  await drawer.getByTestId('tab-versions').click();
  await drawer.getByTestId(`rollback-${before}`).click();
  await page.getByTestId('rollback-confirm').click();
  await expect(drawer.getByTestId('details-current-version')).toHaveText(`Version ${before + 2}`);
});

test('a running map refuses a draft with errors, and a version saved elsewhere sets a draft aside', async ({ page, request }) => {
  const drawer = await openCustomers(page);
  const before = await currentVersion(drawer);
  const added = await drawer.locator('[data-testid^="field-row-"]').count();

  // GIVEN a draft whose new field names a column the entity does not have.
  await drawer.getByTestId('field-add').click();
  const fo = drawer.getByTestId(`field-fo-${added}`);
  await fo.click();
  await fo.fill('NoSuchColumn');
  await fo.press('Enter');
  await expect(fo).toHaveValue('NoSuchColumn');
  await pickColumn(page, drawer.getByTestId(`field-dv-${added}`), 'descr', 'description');
  await expect(drawer.getByTestId(`field-row-${added}`)).toHaveAttribute('data-problems', 'error');
  await drawer.getByTestId(`field-problems-${added}`).hover();
  await expect(page.getByTestId(`field-problems-detail-${added}`)).toContainText("'NoSuchColumn' is not a column");
  await page.mouse.move(0, 0);

  // WHEN it is saved, THEN the running map refuses it, and the dialog lists the errors.
  await drawer.getByTestId('details-save').click();
  const save = page.getByTestId('save-dialog');
  await expect(save.getByTestId('save-has-errors')).toBeVisible();
  await save.getByTestId('save-note').fill('Playwright: should be refused');
  await save.getByTestId('save-confirm').click();
  const refused = save.getByTestId('save-refused');
  await expect(refused).toContainText('only takes a definition without errors');
  await expect(refused.getByTestId('problem-row').filter({ hasText: `$.fields[${added}].financeOperations` })).toHaveCount(1);
  await shoot(page, 'refused');
  await save.getByTestId('save-cancel').click();

  // AND nothing was saved; the draft is still there to fix or discard.
  await expect(drawer.getByTestId('details-current-version')).toHaveText(`Version ${before}`);
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('1 unsaved change');
  await drawer.getByTestId('details-discard').click();
  await expect(drawer.getByTestId(`field-row-${added}`)).toHaveCount(0);

  // WHEN another session saves a version while a draft is open.
  await drawer.getByTestId('field-direction-2').click();
  await page.getByTestId('direction-option-toDataverse').click();
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('1 unsaved change');
  const versions = (await command(request, 'map_versions', { name: 'customers' })) as { definition: unknown }[];
  await command(request, 'save_map', { map: versions[versions.length - 1].definition, note: 'Playwright: saved elsewhere' });

  // THEN the drawer shows the new version, and says the draft made against the old one was set aside.
  await expect(drawer.getByTestId('details-current-version')).toHaveText(`Version ${before + 1}`);
  await expect(drawer.getByTestId('details-draft-ended')).toContainText(`version ${before + 1} was saved since`);
  await expect(drawer.getByTestId('details-unsaved')).toHaveCount(0);
  await expect(drawer.getByTestId('field-direction-2')).toContainText('Two-way');
  await shoot(page, 'draft-ended');
  await drawer.getByTestId('details-draft-ended-dismiss').click();
  await expect(drawer.getByTestId('details-draft-ended')).toHaveCount(0);
});
