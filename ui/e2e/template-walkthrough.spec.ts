import { expect, test, type APIRequestContext, type Locator, type Page } from '@playwright/test';
import { duetEnv } from './duet-env';
import { command, goTo, openUi, sandboxToken, saveScreenshot } from './helpers';

/**
 * The path a functional consultant walks without a terminal: a map from the template gallery
 * with the maps it looks up, a field with a value map, a source filter, a validation error
 * that blocks Run and its fix, a preview, Run, and a change on each side arriving.
 */

const MAP = 'customers-v3-contacts';
const LOOKUPS = ['currencies', 'customer-groups', 'payment-terms'];

async function shoot(page: Page, name: string) {
  await saveScreenshot(page, `authoring-${name}`);
  await page.screenshot({ path: `/tmp/ui-authoring-${name}.png` });
}

/** Types part of a column name into a picker and picks the column from the list. */
async function pickColumn(page: Page, picker: Locator, typed: string, column: string) {
  await picker.click();
  // Typed key by key, as a person does: the list opens on typing even if a click closed it.
  await picker.fill('');
  await picker.pressSequentially(typed);
  await page.getByTestId(`column-option-${column}`).click();
  await expect(picker).toHaveValue(column);
}

async function saveDraft(page: Page, drawer: Locator, note: string) {
  await drawer.getByTestId('details-save').click();
  const dialog = page.getByTestId('save-dialog');
  await dialog.getByTestId('save-note').fill(note);
  await dialog.getByTestId('save-confirm').click();
  await expect(dialog).toHaveCount(0);
  await expect(drawer.getByTestId('details-unsaved')).toHaveCount(0);
}

type Rows = { value: Record<string, unknown>[] };

async function odata(request: APIRequestContext, base: string, path: string): Promise<Rows> {
  const token = await sandboxToken(request, base);
  const root = base === duetEnv().DUET_FO_URL ? `${base}/data` : `${base}/api/data/v9.2`;
  const response = await request.get(`${root}/${path}`, { headers: { Authorization: `Bearer ${token}`, 'OData-Version': '4.0' } });
  expect(response.ok(), await response.text()).toBe(true);
  return (await response.json()) as Rows;
}

async function post(request: APIRequestContext, base: string, path: string, body: object) {
  const token = await sandboxToken(request, base);
  const root = base === duetEnv().DUET_FO_URL ? `${base}/data` : `${base}/api/data/v9.2`;
  const response = await request.post(`${root}/${path}`, {
    headers: { Authorization: `Bearer ${token}`, 'OData-Version': '4.0', 'Content-Type': 'application/json' },
    data: JSON.stringify(body),
  });
  expect(response.status(), await response.text()).toBeLessThan(300);
}

test('a consultant builds Customers V3 ↔ contacts from the gallery and runs it, and changes cross both ways', async ({ page, request }) => {
  test.setTimeout(240_000);
  const env = duetEnv();
  await openUi(page);
  await goTo(page, 'maps');

  // GIVEN the gallery: the contacts template is added, then the maps it looks up.
  await page.getByTestId('maps-add-template').click();
  const gallery = page.getByTestId('template-gallery');
  await gallery.getByTestId('template-search').fill('contacts');
  const card = gallery.getByTestId(`template-card-${MAP}`);
  await card.getByTestId(`template-add-${MAP}`).click();
  await expect(card.getByTestId(`template-added-${MAP}`)).toHaveText('Added');
  // The maps it looks up that an earlier step of the suite stored are not offered again.
  await expect(gallery.getByTestId('template-lookups-offer')).toBeVisible();
  await shoot(page, '1-gallery-offer');
  await gallery.getByTestId('template-add-lookups').click();
  await expect(gallery.getByTestId('template-lookups-offer')).toHaveCount(0);
  for (const name of LOOKUPS) await expect(card.getByTestId(`template-lookup-${MAP}-${name}`)).toHaveAttribute('data-added', 'true');
  await gallery.getByTestId('template-gallery-close').click();
  for (const name of [MAP, ...LOOKUPS]) await expect(page.getByTestId(`map-state-${name}`)).toHaveText('Not running');
  await shoot(page, '2-maps-added');

  // WHEN a field with a value map is added: the person's gender, Male and Female paired by name.
  await page.getByTestId(`details-${MAP}`).click();
  const drawer = page.getByTestId(`map-details-${MAP}`);
  await expect(drawer.getByTestId('field-row-0')).toBeVisible();
  const added = await drawer.locator('[data-testid^="field-row-"]').count();
  await drawer.getByTestId('field-add').click();
  await pickColumn(page, drawer.getByTestId(`field-fo-${added}`), 'gender', 'PersonGender');
  await pickColumn(page, drawer.getByTestId(`field-dv-${added}`), 'gender', 'gendercode');
  await drawer.getByTestId(`field-transform-${added}`).click();
  const transform = page.getByTestId('transform-dialog');
  await transform.getByTestId('transform-kind').click();
  await page.getByTestId('transform-kind-valueMap').click();
  await transform.getByTestId('value-map-auto').click();
  await expect(transform.getByTestId('value-map-pair-Male')).toContainText('1: Male');
  await expect(transform.getByTestId('value-map-pair-Female')).toContainText('2: Female');
  await expect(transform.getByTestId('value-map-row-NonSpecific')).toHaveAttribute('data-paired', 'false');
  await shoot(page, '3-value-map');
  await transform.getByTestId('transform-apply').click();
  await expect(drawer.getByTestId(`field-transform-${added}`)).toHaveText('Value map (2 pairs)');
  // THEN the members left unpaired are a warning, which does not block Run.
  await drawer.getByTestId('tab-validation').click();
  await expect(drawer.getByTestId('validation-problem-DW-V009')).toHaveAttribute('data-severity', 'warning');
  await expect(drawer.getByTestId('validation-summary')).toHaveAttribute('data-errors', '0');
  await shoot(page, '4-validation-warning');

  // GIVEN a person among the customers, as a consultant's environment has. The demo map (all
  // customers ↔ accounts, writing PartyType "Organization" back) pauses meanwhile, so the
  // person stays a person while this map is built.
  await command(request, 'pause_map', { name: 'customers' });
  const stamp = Date.now();
  await post(request, env.DUET_FO_URL, 'CustomersV3', {
    dataAreaId: 'DAT',
    CustomerAccount: `PWA-${stamp}`,
    PartyType: 'Person',
    PersonFirstName: 'Alan',
    PersonLastName: `Existing ${stamp}`,
    PersonGender: 'Male',
    CreditLimit: 10,
  });

  // WHEN the finance and operations filter is given a typo, THEN the error points at it.
  await drawer.getByTestId('tab-filters').click();
  const filter = drawer.getByTestId('filter-fo-input');
  await filter.fill('((PartyType == "Person") && (CreditLimit >> 0))');
  await expect(drawer.getByTestId('filter-fo-error')).toHaveAttribute('data-position', '43');
  await expect(drawer.getByTestId('filter-fo-error-at')).toHaveText('>');
  await shoot(page, '5-filter-typo');
  // WHEN it is fixed, THEN the rows it keeps in the linked environment are counted.
  await filter.fill('((PartyType == "Person") && (CreditLimit >= 0))');
  await expect(drawer.getByTestId('filter-fo-error')).toHaveCount(0);
  await expect(drawer.getByTestId('filter-fo-count')).toHaveAttribute('data-state', 'count');
  await expect(drawer.getByTestId('filter-fo-count')).toContainText(/Keeps [1-9]\d* rows?/);
  await shoot(page, '6-filter-count');
  await saveDraft(page, drawer, 'gender as a value map; people with a credit limit');

  // WHEN a column the table lacks is mapped (typed, not picked) and saved as work in progress.
  await drawer.getByTestId('tab-fields').click();
  await drawer.getByTestId('field-add').click();
  await pickColumn(page, drawer.getByTestId(`field-fo-${added + 1}`), 'middle', 'PersonMiddleName');
  const dataverse = drawer.getByTestId(`field-dv-${added + 1}`);
  await dataverse.click();
  await dataverse.fill('middlenme');
  await dataverse.press('Enter');
  await expect(drawer.getByTestId(`field-row-${added + 1}`)).toHaveAttribute('data-problems', 'error');
  await saveDraft(page, drawer, 'work in progress: middle name');
  await drawer.getByTestId('details-close').click();

  // THEN Run refuses the map, naming the code, with its problems one click away.
  await expect(page.getByTestId('toast-success')).toHaveCount(0, { timeout: 20_000 });
  await page.getByTestId(`run-${MAP}`).click();
  const refusal = page.getByTestId('toast-error').filter({ hasText: 'DW-V016' });
  await expect(refusal).toBeVisible();
  // The toast slides in; the screenshot waits for it to settle.
  await page.waitForTimeout(600);
  await shoot(page, '7-run-refused');
  await page.getByTestId(`toast-open-details-${MAP}`).click();
  await expect(drawer.getByTestId('tab-validation')).toHaveAttribute('aria-selected', 'true');
  const problem = drawer.getByTestId('validation-problem-DW-V016');
  await expect(problem).toContainText("did you mean 'middlename'?");
  await shoot(page, '8-validation-error');
  // WHEN the problem is followed to its field and the column picked from the list.
  await problem.click();
  await expect(drawer.getByTestId('tab-fields')).toHaveAttribute('aria-selected', 'true');
  const fixed = drawer.getByTestId(`field-dv-${added + 1}`);
  await fixed.fill('middlename');
  await fixed.press('Tab');
  await expect(fixed).toHaveValue('middlename');
  await expect(drawer.getByTestId('details-problems')).toHaveAttribute('data-errors', '0');
  await saveDraft(page, drawer, 'middle name fixed');

  // THEN the preview shows what the map does with live rows, the ones it drops included.
  await drawer.getByTestId('tab-preview').click();
  await drawer.getByTestId('preview-run').click();
  await expect(drawer.getByTestId('preview-result')).toBeVisible();
  await expect(drawer.getByTestId('preview-row-dropped').first()).toContainText('the source filter drops it');
  await expect(drawer.locator('[data-kind="same"], [data-kind="changed"]').first()).toBeVisible();
  await shoot(page, '9-preview');
  await drawer.getByTestId('details-close').click();

  // WHEN the map is run in a plan with the maps it looks up, THEN all of them reach Running.
  await page.getByTestId(`select-${MAP}`).check();
  await page.getByTestId('bulk-run-plan').click();
  const plan = page.getByTestId('run-plan-dialog');
  for (const name of LOOKUPS) await expect(plan.getByTestId(`plan-step-${name}`)).toBeVisible();
  await shoot(page, '10-run-plan');
  await plan.getByTestId('run-plan-start').click();
  await expect(plan).toHaveCount(0);
  for (const name of [...LOOKUPS, MAP]) {
    await expect(page.getByTestId(`map-state-${name}`)).toHaveAttribute('data-state', 'running', { timeout: 120_000 });
  }
  await shoot(page, '11-running');

  // WHEN a person is created in finance and operations, THEN the contact arrives in Dataverse,
  // the gender carried through the value map.
  const person = `PWP-${stamp}`;
  await post(request, env.DUET_FO_URL, 'CustomersV3', {
    dataAreaId: 'DAT',
    CustomerAccount: person,
    PartyType: 'Person',
    PersonFirstName: 'Ada',
    PersonLastName: `Consultant ${stamp}`,
    PersonGender: 'Female',
    CreditLimit: 100,
  });
  await expect
    .poll(async () => (await odata(request, env.DUET_DV_URL, `contacts?$filter=msdyn_contactpersonid eq '${person}'`)).value[0]?.gendercode, {
      timeout: 60_000,
    })
    .toBe(2);

  // WHEN a contact is created in Dataverse, THEN the customer arrives in finance and operations.
  const company = (await odata(request, env.DUET_DV_URL, "cdm_companies?$filter=cdm_companycode eq 'DAT'")).value[0];
  const contact = `PWC-${stamp}`;
  await post(request, env.DUET_DV_URL, 'contacts', {
    msdyn_contactpersonid: contact,
    firstname: 'Grace',
    lastname: `Consultant ${stamp}`,
    gendercode: 1,
    creditlimit: 50,
    msdyn_sellable: true,
    'msdyn_company@odata.bind': `/cdm_companies(${String(company.cdm_companyid)})`,
  });
  await expect
    .poll(
      async () =>
        (await odata(request, env.DUET_FO_URL, `CustomersV3?cross-company=true&$filter=CustomerAccount eq '${contact}'`)).value[0]?.PersonGender,
      { timeout: 60_000 },
    )
    .toBe('Male');

  // AND the activity log shows both rows written.
  await goTo(page, 'activity');
  await expect(page.getByTestId('page-activity')).toContainText(person, { timeout: 30_000 });
  await expect(page.getByTestId('page-activity')).toContainText(contact, { timeout: 30_000 });
  await shoot(page, '12-activity');
  await command(request, 'resume_map', { name: 'customers', mode: 'catch-up' });
});
