import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { duetEnv } from './duet-env';
import { goTo, openUi, saveScreenshot } from './helpers';

/** Each step's screenshot, in the run's output directory (docs/images takes them from there). */
async function shoot(page: Page, name: string) {
  await saveScreenshot(page, `promote-${name}`);
}

interface Field {
  financeOperations?: string | null;
  direction: string;
  [key: string]: unknown;
}

test('a consultant compares a release package with this Duet, promotes it into the running map and a new one, and checks the versions', async ({ page, request }) => {
  const env = duetEnv();
  const [origin, token] = env.DUET_UI_URL.split('/?token=');

  // GIVEN a release package: the running customers map with phones going to Dataverse only,
  // and terms of delivery (a template no other spec adds), written to a file.
  const exported = await request.post(`${origin}/api/export_maps`, {
    headers: { Authorization: `Bearer ${token}` },
    data: { names: ['customers'] },
  });
  expect(exported.ok(), await exported.text()).toBe(true);
  const pkg = (await exported.json()) as { maps: { name: string; fields: Field[] }[] };
  const customers = pkg.maps.find((m) => m.name === 'customers')!;
  const phone = customers.fields.find((f) => f.financeOperations === 'PrimaryContactPhone')!;
  expect(phone.direction, 'the demo map syncs phones both ways').toBe('twoWay');
  phone.direction = 'toDataverse';
  const template = JSON.parse(readFileSync(path.resolve('../crates/duet-maps/templates/terms-of-delivery.json'), 'utf8')) as { name: string };
  pkg.maps.push(template as (typeof pkg.maps)[number]);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'duet-promote-')), 'release-2026-12.json');
  writeFileSync(file, JSON.stringify(pkg, null, 2));

  await openUi(page);
  await goTo(page, 'maps');
  await expect(page.getByTestId('map-row-customers')).toBeVisible();
  const before = (await (await request.post(`${origin}/api/map_versions`, { headers: { Authorization: `Bearer ${token}` }, data: { name: 'customers' } })).json()) as { version: number }[];
  const from = before.at(-1)!.version;

  // WHEN the package file is compared with this Duet.
  await page.getByTestId('maps-promote').click();
  const dialog = page.getByTestId('promote-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('promote-file').setInputFiles(file);
  await expect(dialog.getByTestId('promote-file-name')).toHaveText('release-2026-12.json');
  await shoot(page, 'source');
  await dialog.getByTestId('promote-compare').click();

  // THEN every map shows side by side: customers changed (running), terms of delivery added.
  await expect(dialog.getByTestId('promote-comparison')).toBeVisible();
  const customersRow = dialog.getByTestId('promote-row-customers');
  await expect(customersRow).toHaveAttribute('data-status', 'changed');
  await expect(customersRow.getByTestId('promote-summary')).toHaveText(`v${from} → v${from + 1}: 1 field`);
  await expect(customersRow).toContainText('running');
  await expect(dialog.getByTestId('promote-row-terms-of-delivery')).toHaveAttribute('data-status', 'added');
  await expect(dialog.getByTestId('promote-headline')).toContainText('Here ↔ release-2026-12.json: 1 added, 1 changed');
  // AND the changed field opens with its values here and in the package.
  await dialog.getByTestId('promote-expand-customers').click();
  const diff = dialog.getByTestId('promote-diff-customers');
  await expect(diff.getByTestId('diff-field')).toHaveText('PrimaryContactPhone');
  await expect(diff.getByTestId('diff-before')).toHaveText('twoWay');
  await expect(diff.getByTestId('diff-after')).toHaveText('toDataverse');
  await expect(dialog.getByTestId('promote-pick-customers')).toBeChecked();
  await expect(dialog.getByTestId('promote-pick-terms-of-delivery')).toBeChecked();
  await expect(dialog.getByTestId('promote-run')).toHaveText('Promote 2 maps');
  await shoot(page, 'compare');

  // WHEN both are promoted.
  await dialog.getByTestId('promote-run').click();

  // THEN the report says what each became: customers a new version the running map takes,
  // terms of delivery added stopped.
  const report = dialog.getByTestId('promote-report');
  await expect(report).toHaveAttribute('data-promoted', 'true');
  await expect(dialog.getByTestId('promote-report-title')).toHaveText('Promoted 2 maps from release-2026-12.json');
  await expect(dialog.getByTestId('promote-outcome-customers')).toContainText(`Updated v${from} → v${from + 1}`);
  await expect(dialog.getByTestId('promote-outcome-terms-of-delivery')).toContainText('Added as version 1, stopped');
  await shoot(page, 'report');

  // WHEN the promoted version is opened from the report.
  await dialog.getByTestId('promote-versions-customers').click();
  await expect(dialog).toHaveCount(0);
  const drawer = page.getByTestId('map-details-customers');
  // THEN it is in the map's history with its note, ready to roll back.
  await expect(drawer.getByTestId(`version-row-${from + 1}`).getByTestId('version-note')).toHaveText('promoted from release-2026-12.json');
  await expect(drawer.getByTestId(`rollback-${from}`)).toBeVisible();
  await expect(drawer.getByTestId('diff-table').getByTestId('diff-field')).toHaveText('PrimaryContactPhone');
  await shoot(page, 'versions');
  await drawer.getByTestId('details-close').click();

  // WHEN this Duet is compared with itself over its URL (another Duet, as far as promotion
  // knows) THEN a wrong token is the other Duet's refusal, and the right one finds every
  // map the same, with nothing to promote.
  await page.getByTestId('maps-promote').click();
  await dialog.getByTestId('promote-source-duet').click();
  await dialog.getByTestId('promote-url').fill(`${origin}/?token=wrong`);
  await dialog.getByTestId('promote-compare').click();
  await expect(dialog.getByTestId('error-bar')).toContainText('refused the access token');
  await dialog.getByTestId('promote-url').fill(env.DUET_UI_URL);
  await dialog.getByTestId('promote-compare').click();
  await expect(dialog.getByTestId('promote-row-customers')).toHaveAttribute('data-status', 'unchanged');
  await expect(dialog.getByTestId('promote-row-terms-of-delivery')).toHaveAttribute('data-status', 'unchanged');
  await expect(dialog.getByTestId('promote-run')).toBeDisabled();
  await expect(dialog.getByTestId('promote-run')).toHaveText('Nothing to promote');
  await shoot(page, 'remote');
  await dialog.getByTestId('promote-close').click();

  // AND the running map took the version and runs on, for the specs after this one.
  await expect(page.getByTestId('map-row-customers')).toContainText('Running', { timeout: 30_000 });
  await expect(page.getByTestId('map-row-terms-of-delivery')).toContainText('Not running');
});
