import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { goTo, openUi, saveScreenshot } from './helpers';

/** Screenshots of the new views go to /tmp as well, to look at their layout. */
async function shoot(page: Page, name: string) {
  await saveScreenshot(page, name);
  await page.screenshot({ path: `/tmp/ui-alm-${name}.png` });
}

/** The version number the details drawer shows as current. */
async function currentVersion(page: Page): Promise<number> {
  const text = (await page.getByTestId('details-current-version').textContent()) ?? '';
  const match = /Version (\d+)/.exec(text);
  expect(match, `the drawer names the current version: ${text}`).not.toBeNull();
  return Number(match![1]);
}

test('an edit is previewed on live rows, saved with a note, compared with the version before and rolled back', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'maps');
  await expect(page.getByTestId('map-row-customers')).toBeVisible();
  await shoot(page, 'maps-page');
  await page.getByTestId('details-customers').click();
  const drawer = page.getByTestId('map-details-customers');
  await expect(drawer).toBeVisible();
  await expect(drawer.getByTestId('fields-table')).toBeVisible();
  const before = await currentVersion(page);

  // GIVEN an unsaved edit: credit limits only go to Dataverse, and sales memos are not synced.
  const creditLimit = drawer.getByTestId('field-row-2');
  await expect(drawer.getByTestId('field-fo-2')).toHaveValue('CreditLimit');
  await expect(creditLimit).toHaveAttribute('data-edited', 'false');
  await drawer.getByTestId('field-direction-2').click();
  await page.getByTestId('direction-option-toDataverse').click();
  await expect(creditLimit).toHaveAttribute('data-edited', 'true');
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('1 unsaved change');
  await expect(drawer.getByTestId('field-fo-5')).toHaveValue('SalesMemo');
  await drawer.getByTestId('field-remove-5').click();
  await expect(drawer.getByTestId('field-fo-5')).not.toHaveValue('SalesMemo');
  await expect(drawer.getByTestId('details-unsaved')).toHaveText('2 unsaved changes');
  await expect(drawer.getByTestId('details-save')).toBeEnabled();
  await shoot(page, 'fields');

  // WHEN the edit is previewed, THEN rows of both sides show, and the column it changes is marked.
  await drawer.getByTestId('tab-preview').click();
  await drawer.getByTestId('preview-run').click();
  const result = drawer.getByTestId('preview-result');
  await expect(result).toHaveAttribute('data-of', 'edit', { timeout: 30_000 });
  const fromFo = drawer.getByTestId('preview-side-financeOperations').getByTestId('preview-sample');
  const fromDv = drawer.getByTestId('preview-side-dataverse').getByTestId('preview-sample');
  await expect(fromFo.first()).toBeVisible();
  await expect(fromDv.first()).toBeVisible();
  await expect(drawer.getByTestId('preview-summary')).toContainText('would be written differently');
  // Dataverse no longer sends credit limits, so what finance and operations receives changes.
  const dvCredit = fromDv.first().getByTestId('preview-column-CreditLimit');
  await expect(dvCredit).toHaveAttribute('data-changed', 'true');
  await expect(dvCredit).toContainText('not written');
  // Finance and operations no longer sends sales memos; only changed columns show at first.
  await expect(fromFo.first().getByTestId('preview-column-description')).toHaveAttribute('data-changed', 'true');
  await expect(fromFo.first().getByTestId('preview-column-creditlimit')).toHaveCount(0);
  await dvCredit.scrollIntoViewIfNeeded();
  await shoot(page, 'preview');
  await drawer.getByTestId('preview-only-changed').uncheck();
  await expect(fromFo.first().getByTestId('preview-column-creditlimit')).toHaveAttribute('data-changed', 'false');
  await expect(fromFo.first().getByTestId('preview-column-name')).toHaveAttribute('data-changed', 'false');
  await expect(fromDv.first().getByTestId('preview-column-OrganizationName')).toHaveAttribute('data-changed', 'false');

  // WHEN the edit is saved with a note.
  await drawer.getByTestId('tab-fields').click();
  await expect(creditLimit).toHaveAttribute('data-edited', 'true');
  await drawer.getByTestId('details-save').click();
  const saveDialog = page.getByTestId('save-dialog');
  await expect(saveDialog.getByTestId('save-summary')).toContainText('CreditLimit: = → >');
  await expect(saveDialog.getByTestId('save-summary')).toContainText('Removed SalesMemo = description');
  await saveDialog.getByTestId('save-note').fill('Playwright: credit limits only go to Dataverse');
  await saveDialog.getByTestId('save-confirm').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: `as version ${before + 1}` })).toBeVisible();
  await expect(drawer.getByTestId('details-current-version')).toHaveText(`Version ${before + 1}`);
  await expect(drawer.getByTestId('details-unsaved')).toHaveCount(0);

  // THEN the history lists it with its author, time and note.
  await drawer.getByTestId('tab-versions').click();
  const saved = drawer.getByTestId(`version-row-${before + 1}`);
  await expect(saved.getByTestId('version-note')).toHaveText('Playwright: credit limits only go to Dataverse');
  await expect(saved.getByTestId('version-author')).not.toBeEmpty();
  const at = Date.parse((await saved.getByTestId('version-time').getAttribute('title')) ?? '');
  expect(Math.abs(Date.now() - at), 'the version was stamped just now').toBeLessThan(10 * 60_000);

  // AND the diff of the newest two versions names the changed field and its values.
  const diff = drawer.getByTestId('version-diff');
  await expect(diff).toContainText(`Changes from version ${before} to version ${before + 1}`);
  const change = diff.getByTestId('diff-row').filter({ hasText: 'CreditLimit' });
  await expect(change).toHaveCount(1);
  await expect(change).toHaveAttribute('data-change', 'changed');
  await expect(change).toContainText('.direction');
  await expect(change.getByTestId('diff-before')).toHaveText('twoWay');
  await expect(change.getByTestId('diff-after')).toHaveText('toDataverse');
  const removed = diff.getByTestId('diff-row').filter({ hasText: 'SalesMemo' });
  await expect(removed).toHaveAttribute('data-change', 'removed');
  await expect(removed.getByTestId('diff-before')).toHaveText('SalesMemo = description');
  await shoot(page, 'versions');

  // WHEN the admin rolls back to the version before the edit, after confirming.
  await drawer.getByTestId(`rollback-${before}`).click();
  const confirm = page.getByTestId('rollback-dialog');
  await expect(confirm).toContainText(`saved again as version ${before + 2}`);
  await shoot(page, 'rollback-confirm');
  await confirm.getByTestId('rollback-confirm').click();

  // THEN a new version holds the old definition, and the history keeps the edit.
  await expect(drawer.getByTestId('details-current-version')).toHaveText(`Version ${before + 2}`);
  const rolledBack = drawer.getByTestId(`version-row-${before + 2}`);
  await expect(rolledBack.getByTestId('version-note')).toHaveText(`rolled back to version ${before}`);
  await expect(drawer.getByTestId(`version-row-${before + 1}`)).toBeVisible();
  await expect(diff).toContainText(`Changes from version ${before} to version ${before + 2}`);
  await expect(diff).toContainText('The two versions are the same.');
  await drawer.getByTestId('tab-fields').click();
  await expect(drawer.getByTestId('field-direction-2')).toContainText('Two-way');
  await expect(drawer.getByTestId('field-fo-5')).toHaveValue('SalesMemo');
  await drawer.getByTestId('details-close').click();
  await expect(drawer).toHaveCount(0);
});

test('a package exported and imported again is unchanged; a broken package is refused with its JSON path', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'maps');

  // GIVEN a map of its own, built from the exported demo map (keys typed by hand, so it is clean alone).
  await page.getByTestId('maps-export').click();
  let exporter = page.getByTestId('export-dialog');
  for (const box of await exporter.locator('input[type="checkbox"]').all()) await box.uncheck();
  await exporter.getByTestId('export-pick-customers').check();
  await exporter.getByTestId('export-run').click();
  const demo = JSON.parse(await exporter.getByTestId('export-json').inputValue()) as {
    format: string;
    maps: Record<string, unknown>[];
  };
  expect(demo.format).toBe('duet.maps');
  const customers = demo.maps.find((m) => m.name === 'customers');
  expect(customers, 'the package holds the chosen map').toBeTruthy();
  await exporter.getByTestId('export-close').click();

  const copy = { ...customers, name: 'pw-alm-copy', title: 'Playwright ALM copy', keyEnteredByHand: true };
  const pkg = { format: 'duet.maps', version: 1, maps: [copy] };
  await page.getByTestId('maps-import').click();
  let importer = page.getByTestId('import-dialog');
  await importer.getByTestId('import-json').fill(JSON.stringify(pkg, null, 2));
  await importer.getByTestId('import-run').click();
  await expect(importer.getByTestId('import-summary')).toHaveText('Imported: 1 added');
  await expect(importer.getByTestId('import-added')).toContainText('pw-alm-copy');
  await importer.getByTestId('import-close').click();
  await expect(page.getByTestId('map-row-pw-alm-copy')).toBeVisible();

  // WHEN it is exported and downloaded.
  await page.getByTestId('maps-export').click();
  exporter = page.getByTestId('export-dialog');
  for (const box of await exporter.locator('input[type="checkbox"]').all()) await box.uncheck();
  await exporter.getByTestId('export-pick-pw-alm-copy').check();
  await exporter.getByTestId('export-run').click();
  const shown = await exporter.getByTestId('export-json').inputValue();
  await shoot(page, 'export');
  const downloading = page.waitForEvent('download');
  await exporter.getByTestId('export-download').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^duet-maps-pw-alm-copy-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();
  expect(readFileSync(file, 'utf8'), 'the download is the package shown').toBe(shown);
  await exporter.getByTestId('export-close').click();

  // AND the downloaded file is imported again, THEN nothing changes.
  await page.getByTestId('maps-import').click();
  importer = page.getByTestId('import-dialog');
  await importer.getByTestId('import-file').setInputFiles(file);
  await expect(importer.getByTestId('import-json')).toHaveValue(shown);
  await importer.getByTestId('import-run').click();
  await expect(importer.getByTestId('import-report')).toHaveAttribute('data-imported', 'true');
  await expect(importer.getByTestId('import-summary')).toHaveText('Imported: 1 unchanged');
  await expect(importer.getByTestId('import-unchanged')).toContainText('pw-alm-copy');
  await expect(importer.getByTestId('problem-row')).toHaveCount(0);
  await shoot(page, 'import-unchanged');

  // WHEN the same map comes with another title, THEN it conflicts unless Replace is ticked.
  const retitled = JSON.parse(shown) as { maps: { title: string }[] };
  retitled.maps[0].title = 'Playwright ALM copy, retitled';
  await importer.getByTestId('import-json').fill(JSON.stringify(retitled, null, 2));
  await importer.getByTestId('import-run').click();
  await expect(importer.getByTestId('import-report')).toHaveAttribute('data-imported', 'false');
  await expect(importer.getByTestId('problem-row')).not.toHaveCount(0);
  await importer.getByTestId('import-replace').check();
  await importer.getByTestId('import-run').click();
  await expect(importer.getByTestId('import-summary')).toHaveText('Imported: 1 replaced');
  await expect(page.getByTestId('map-row-pw-alm-copy')).toContainText('Playwright ALM copy, retitled');
  await importer.getByTestId('import-replace').uncheck();

  // WHEN a package with a direction that does not exist is imported, THEN it is refused,
  // naming the problem by code and JSON path with its fix.
  const broken = JSON.parse(shown) as { maps: { fields: { direction: string }[] }[] };
  broken.maps[0].fields[1].direction = 'sideways';
  await importer.getByTestId('import-json').fill(JSON.stringify(broken, null, 2));
  await importer.getByTestId('import-run').click();
  await expect(importer.getByTestId('import-report')).toHaveAttribute('data-imported', 'false');
  await expect(importer.getByTestId('import-summary')).toContainText('Nothing was imported');
  const problem = importer.getByTestId('problem-row').filter({ hasText: '$.maps[0].fields[1].direction' });
  await expect(problem).toHaveCount(1);
  await expect(problem.getByTestId('problem-code')).toHaveText(/^DW-P\d+$/);
  await expect(problem.getByTestId('problem-fix')).toContainText('twoWay');
  await shoot(page, 'import-broken');

  // AND text that is not JSON is caught before it is sent.
  await importer.getByTestId('import-json').fill('{"maps": [');
  await importer.getByTestId('import-run').click();
  await expect(importer.getByTestId('error-bar')).toContainText('invalid_json');
  await importer.getByTestId('import-close').click();
});
