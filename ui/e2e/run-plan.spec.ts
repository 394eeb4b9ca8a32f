import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { command, goTo, openUi, saveScreenshot } from './helpers';

async function shoot(page: Page, name: string) {
  await saveScreenshot(page, name);
  await page.screenshot({ path: `/tmp/run-plan-${name}.png` });
}

function template(name: string): unknown {
  return JSON.parse(readFileSync(path.resolve(`../crates/duet-maps/templates/${name}.json`), 'utf8'));
}

test('a run plan starts a map after the one it looks up, and bulk actions act on every selected map', async ({ page, request }) => {
  // GIVEN two standard maps where warehouses look up sites, saved next to the demo map.
  await command(request, 'save_map', { map: template('sites'), note: 'Playwright: run plan' });
  await command(request, 'save_map', { map: template('warehouses'), note: 'Playwright: run plan' });
  await openUi(page);
  await goTo(page, 'maps');
  await expect(page.getByTestId('map-row-warehouses')).toBeVisible();
  await expect(page.getByTestId('bulk-run-plan')).toBeDisabled();

  // WHEN only warehouses is selected and a run plan is asked for.
  await page.getByTestId('select-warehouses').check();
  await expect(page.getByTestId('bulk-count')).toHaveText('1 selected');
  await page.getByTestId('bulk-run-plan').click();
  const dialog = page.getByTestId('run-plan-dialog');
  await expect(dialog.getByTestId('plan-step-warehouses')).toBeVisible();
  // THEN sites, which it looks up, comes first.
  await expect(dialog.getByTestId('plan-step-sites')).toHaveAttribute('data-index', '0');
  await expect(dialog.getByTestId('plan-step-warehouses')).toHaveAttribute('data-index', '1');
  await expect(dialog.getByTestId('plan-depends-warehouses')).toHaveText('sites');
  await expect(dialog.getByTestId('plan-initial-warehouses')).toBeChecked();
  await expect(dialog.getByTestId('run-plan-start')).toBeEnabled();

  // WHEN sites is moved below warehouses, THEN a warning names both and Start is off.
  await dialog.getByTestId('plan-down-sites').click();
  await expect(dialog.getByTestId('plan-step-sites')).toHaveAttribute('data-index', '1');
  const warning = dialog.getByTestId('run-plan-order-warning');
  await expect(warning).toContainText("'warehouses' comes before 'sites'");
  await expect(dialog.getByTestId('run-plan-start')).toBeDisabled();
  await shoot(page, 'order-warning');
  // AND moving it back up clears both.
  await dialog.getByTestId('plan-up-sites').click();
  await expect(warning).toHaveCount(0);
  await expect(dialog.getByTestId('run-plan-start')).toBeEnabled();

  // WHEN warehouses goes live without an initial sync, with Dataverse as master, and the plan starts.
  await dialog.getByTestId('plan-initial-warehouses').uncheck();
  await dialog.getByTestId('plan-master-warehouses').click();
  await page.getByTestId('plan-master-option-dataverse').click();
  await expect(dialog.getByTestId('plan-master-warehouses')).toHaveText(/Dataverse/);
  await shoot(page, 'dialog');
  await dialog.getByTestId('run-plan-start').click();
  // THEN it is accepted in that order and both maps reach Running.
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Run plan started: 2 maps' })).toBeVisible();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('map-state-sites')).toHaveAttribute('data-state', 'running', { timeout: 90_000 });
  await expect(page.getByTestId('map-state-warehouses')).toHaveAttribute('data-state', 'running', { timeout: 90_000 });
  // AND the changed master is a new version with the plan's note; warehouses skipped its initial sync.
  const versions = (await command(request, 'map_versions', { name: 'warehouses' })) as { note: string | null }[];
  expect(versions.at(-1)?.note).toBe('master set by run plan');
  const activity = (await command(request, 'activity', { limit: 500 })) as { map: string; message: string }[];
  expect(activity.some((line) => line.map === 'warehouses' && line.message.startsWith('Initial sync skipped'))).toBe(true);

  // WHEN both are selected and paused in bulk, THEN both are paused.
  await page.getByTestId('select-sites').check();
  await expect(page.getByTestId('bulk-count')).toHaveText('2 selected');
  await page.getByTestId('bulk-pause').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Paused 2 maps' })).toBeVisible();
  await expect(page.getByTestId('map-state-sites')).toHaveAttribute('data-state', 'paused');
  await expect(page.getByTestId('map-state-warehouses')).toHaveAttribute('data-state', 'paused');
  // AND the demo map, not selected, still runs.
  await expect(page.getByTestId('map-state-customers')).toHaveAttribute('data-state', 'running');

  // WHEN one map of a bulk resume fails, THEN the failure is listed by map with its reason.
  await page.route('**/api/bulk_maps', (route) =>
    route.fulfill({
      contentType: 'application/json',
      body: JSON.stringify([
        { map: 'sites', ok: true },
        { map: 'warehouses', ok: false, error: { code: 'not_linked', message: 'No environments are linked yet.' } },
      ]),
    }),
  );
  await page.getByTestId('bulk-resume').click();
  await expect(page.getByTestId('bulk-failure-warehouses')).toContainText('No environments are linked yet. (code: not_linked)');
  await expect(page.getByTestId('bulk-failures')).toContainText('1 map could not resume');
  await shoot(page, 'bulk-failure');
  await page.unroute('**/api/bulk_maps');

  // WHEN resumed for real, THEN both run again and the failure list is gone.
  await page.getByTestId('bulk-resume').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Resumed 2 maps' })).toBeVisible();
  await expect(page.getByTestId('bulk-failures')).toHaveCount(0);
  await expect(page.getByTestId('map-state-warehouses')).toHaveAttribute('data-state', 'running');

  // WHEN Stop is asked for, THEN it is confirmed first, naming the maps; Cancel changes nothing.
  await page.getByTestId('bulk-stop').click();
  const confirm = page.getByTestId('bulk-stop-dialog');
  await expect(confirm).toContainText("Stop 2 maps 'sites', 'warehouses'?");
  await page.getByTestId('bulk-stop-cancel').click();
  await expect(page.getByTestId('map-state-sites')).toHaveAttribute('data-state', 'running');
  await page.getByTestId('bulk-stop').click();
  await page.getByTestId('bulk-stop-ok').click();
  await expect(page.getByTestId('map-state-sites')).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('map-state-warehouses')).toHaveAttribute('data-state', 'stopped');
  await expect(page.getByTestId('map-state-customers')).toHaveAttribute('data-state', 'running');
  await shoot(page, 'stopped');

  // WHEN a plan holds the running demo map, THEN it starts without an initial sync (it has
  // synced state) and its master cannot change while it runs.
  await page.getByTestId('bulk-clear').click();
  await page.getByTestId('select-customers').check();
  await page.getByTestId('bulk-run-plan').click();
  const running = page.getByTestId('run-plan-dialog');
  await expect(running.getByTestId('plan-step-customers')).toBeVisible();
  await expect(running.getByTestId('plan-initial-customers')).not.toBeChecked();
  await expect(running.getByTestId('plan-master-customers')).toBeDisabled();
  await running.getByTestId('run-plan-cancel').click();
  await expect(running).toHaveCount(0);
});
