import { expect, test, type Page } from '@playwright/test';
import { command, goTo, openUi, saveScreenshot } from './helpers';

/** Screenshots go to /tmp as well, to look at them. */
async function shoot(page: Page, name: string) {
  await saveScreenshot(page, `gallery-${name}`);
  await page.screenshot({ path: `/tmp/ui-gallery-${name}.png` });
}

type Field = { dataverse: string | null };
type MapDefinition = { name: string; title: string; fields: Field[] };

// A template that, with its lookups, no spec before this one adds, so the offer is known.
const TEMPLATE = 'vendors-v2';
const LOOKUPS = ['vendor-groups', 'currencies', 'payment-terms'];

test('the template gallery adds a standard map as a stopped map, then the maps it looks up', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'maps');

  // WHEN the gallery opens, THEN it shows every standard map as a card.
  await page.getByTestId('maps-add-template').click();
  const gallery = page.getByTestId('template-gallery');
  await expect(gallery.getByTestId('template-count')).toHaveText('Showing 35 of 35 templates');
  await expect(gallery.locator('[data-testid^="template-card-"]')).toHaveCount(35);
  await expect(gallery.getByTestId('template-area-all')).toHaveText('All areas (35)');
  await shoot(page, '1-open');

  // WHEN searching by Dataverse table, THEN only the matching cards stay.
  await gallery.getByTestId('template-search').fill('contacts');
  await expect(gallery.getByTestId('template-card-customers-v3-contacts')).toBeVisible();
  await expect(gallery.getByTestId('template-card-customers-v3-accounts')).toHaveCount(0);
  await expect(gallery.getByTestId('template-count')).toHaveText(/^Showing [1-9]\d* of 35 templates$/);
  // AND by finance and operations entity.
  await gallery.getByTestId('template-search').fill('transactioncurrency');
  await expect(gallery.locator('[data-testid^="template-card-"]')).toHaveCount(1);
  await expect(gallery.getByTestId('template-card-currencies')).toBeVisible();
  await shoot(page, '2-search');

  // WHEN filtered to the finance area, THEN only finance cards show, each saying so.
  await gallery.getByTestId('template-search').fill('');
  await gallery.getByTestId('template-area-finance').click();
  await expect(gallery.getByTestId('template-area-finance')).toHaveAttribute('aria-pressed', 'true');
  await expect(gallery.getByTestId('template-card-currencies')).toBeVisible();
  await expect(gallery.getByTestId('template-card-customers-v3-contacts')).toHaveCount(0);
  const financeBadges = gallery.locator('[data-testid^="template-area-badge-"]');
  const financeCount = await financeBadges.count();
  expect(financeCount).toBeGreaterThan(1);
  for (let i = 0; i < financeCount; i++) await expect(financeBadges.nth(i)).toHaveText('Finance');
  // AND shared across companies keeps currencies but not terms of payment (company-specific).
  await gallery.getByTestId('template-company-filter').click();
  await page.getByTestId('template-company-option-shared').click();
  await expect(gallery.getByTestId('template-card-currencies')).toBeVisible();
  await expect(gallery.getByTestId('template-card-payment-terms')).toHaveCount(0);
  await shoot(page, '3-filter');

  // WHEN back to company-specific vendor maps, THEN the vendors card shows its facts.
  await gallery.getByTestId('template-company-filter').click();
  await page.getByTestId('template-company-option-company').click();
  await gallery.getByTestId('template-area-vendors').click();
  const card = gallery.getByTestId(`template-card-${TEMPLATE}`);
  await expect(card).toContainText('Vendors V2');
  await expect(card).toContainText('Company-specific');
  await expect(card).toContainText('Two-way');
  await expect(card).toContainText('6 fields');
  for (const name of LOOKUPS) {
    await expect(card.getByTestId(`template-lookup-${TEMPLATE}-${name}`)).toHaveAttribute('data-added', 'false');
  }

  // WHEN it is added, THEN the card says Added and the gallery offers the maps it looks up.
  await card.getByTestId(`template-add-${TEMPLATE}`).click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Added Vendors V2' })).toBeVisible();
  await expect(card.getByTestId(`template-added-${TEMPLATE}`)).toHaveText('Added');
  const offer = gallery.getByTestId('template-lookups-offer');
  await expect(offer).toContainText('Also add the maps it looks up');
  for (const name of LOOKUPS) await expect(offer.getByTestId(`template-lookup-choice-${name}`)).toBeVisible();
  await expect(gallery.getByTestId('template-add-lookups')).toHaveText('Add all 3');
  // AND each map can be left out, and chosen again.
  await offer.getByTestId('template-lookup-choice-payment-terms').uncheck();
  await expect(gallery.getByTestId('template-add-lookups')).toHaveText('Add 2 chosen');
  await offer.getByTestId('template-lookup-choice-payment-terms').check();
  await shoot(page, '4-offer');

  // WHEN the lookups are added, THEN the offer goes and the card ticks them.
  await gallery.getByTestId('template-add-lookups').click();
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Added 3 maps' })).toBeVisible();
  await expect(offer).toHaveCount(0);
  for (const name of LOOKUPS) {
    await expect(card.getByTestId(`template-lookup-${TEMPLATE}-${name}`)).toHaveAttribute('data-added', 'true');
  }
  await shoot(page, '5-lookups-added');

  // THEN the Maps table lists all four, stopped.
  await gallery.getByTestId('template-gallery-close').click();
  await expect(gallery).toHaveCount(0);
  for (const name of [TEMPLATE, ...LOOKUPS]) {
    await expect(page.getByTestId(`map-state-${name}`)).toHaveText('Not running');
  }
  await page.getByTestId(`map-row-${TEMPLATE}`).scrollIntoViewIfNeeded();
  await shoot(page, '6-table');

  // AND the gallery, opened again, knows they are added.
  await page.getByTestId('maps-add-template').click();
  await expect(gallery.getByTestId('template-added-vendor-groups')).toBeVisible();
  await gallery.getByTestId('template-gallery-close').click();
});

test('Run of a map with validation errors is refused naming the codes, with its details one click away', async ({ page, request }) => {
  // GIVEN a copy of the demo map whose Dataverse column is misspelt.
  const pkg = (await command(request, 'export_maps', { names: ['customers'] })) as { maps: MapDefinition[] };
  const customers = pkg.maps.find((m) => m.name === 'customers')!;
  const broken: MapDefinition = {
    ...customers,
    name: 'customers-broken',
    title: 'Customers with a misspelt column',
    fields: customers.fields.map((f) => (f.dataverse === 'name' ? { ...f, dataverse: 'nmae' } : f)),
  };
  expect(broken.fields.some((f) => f.dataverse === 'nmae')).toBe(true);
  await command(request, 'save_map', { map: broken, note: 'Playwright: a misspelt column' });
  await openUi(page);
  await goTo(page, 'maps');
  await expect(page.getByTestId('map-state-customers-broken')).toHaveText('Not running');

  // WHEN its row's Run is clicked, THEN the refusal names DW-V016 and offers its details.
  await page.getByTestId('run-customers-broken').click();
  const toast = page.getByTestId('toast-error').filter({ hasText: 'Cannot run Customers with a misspelt column' });
  await expect(toast).toContainText('DW-V016');
  await expect(toast).toContainText('Open its details for each problem and its fix.');
  await expect(page.getByTestId('map-state-customers-broken')).toHaveText('Not running');
  await shoot(page, '7-run-refused');
  await toast.getByTestId('toast-open-details-customers-broken').click();
  const details = page.getByTestId('map-details-customers-broken');
  await expect(details).toBeVisible();
  await expect(details).toContainText('Customers with a misspelt column');
  await shoot(page, '8-details');
  await details.getByTestId('details-close').click();
  await expect(details).toHaveCount(0);

  // WHEN it is run in bulk, THEN the failure list names the code, with Open details.
  await page.getByTestId('select-customers-broken').check();
  await page.getByTestId('bulk-run').click();
  const line = page.getByTestId('bulk-refusal-customers-broken');
  await expect(line).toContainText('has validation errors');
  await expect(line.getByTestId('bulk-refusal-customers-broken-codes')).toHaveText('DW-V016');
  await expect(page.getByTestId('bulk-failures')).toContainText('1 map could not run');
  await shoot(page, '9-bulk-refused');
  await line.getByTestId('bulk-refusal-customers-broken-open').click();
  await expect(details).toBeVisible();
  await details.getByTestId('details-close').click();

  // WHEN a run plan with it starts, THEN the dialog names the map and code, and opens its details.
  await page.getByTestId('bulk-run-plan').click();
  const plan = page.getByTestId('run-plan-dialog');
  await expect(plan.getByTestId('plan-step-customers-broken')).toBeVisible();
  await plan.getByTestId('run-plan-start').click();
  const refusal = plan.getByTestId('run-plan-refusal');
  await expect(refusal).toContainText('fix the validation errors first');
  await expect(refusal.getByTestId('plan-refusal-customers-broken-codes')).toHaveText('DW-V016');
  await shoot(page, '10-plan-refused');
  await refusal.getByTestId('plan-refusal-customers-broken-open').click();
  await expect(plan).toHaveCount(0);
  await expect(details).toBeVisible();
  await details.getByTestId('details-close').click();

  // THEN it never started.
  await expect(page.getByTestId('map-state-customers-broken')).toHaveText('Not running');
});
