import { expect, test, type Page } from '@playwright/test';
import { duetEnv } from './duet-env';
import { goTo, openUi, saveScreenshot } from './helpers';

// Runs last (the file name sorts after the other specs): each setup resets the link, and
// the sandbox ones provision fresh sandbox environments (restarting the embedded sandbox,
// whose ports may change), so the run on environments added as cloud ones goes first,
// while the URLs duet printed at startup still hold.

/** A screenshot of the whole page: the shell scrolls inside <main>, so grow the window to fit it. */
async function shot(page: Page, name: string) {
  const height = await page.locator('main').evaluate((el) => el.scrollHeight + el.getBoundingClientRect().top);
  await page.setViewportSize({ width: 1440, height: Math.max(900, Math.ceil(height)) });
  await saveScreenshot(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

const CLOUD_FO = 'Contoso finance and operations';
const CLOUD_DV = 'Contoso Dataverse';

const SANDBOX_FO = 'Sandbox finance and operations';

function envRow(page: Page, name: string) {
  return page.locator(`[data-testid="env-row"][data-name="${name}"]`);
}

/**
 * Resets the link without relinking (confirmed with the finance and operations name) and
 * removes the two environments, so their URLs can be added again through the form.
 */
async function unlinkAndRemove(page: Page, financeOperations: string, names: string[]) {
  await goTo(page, 'environments');
  await page.getByTestId('reset-link').click();
  const dialog = page.getByTestId('reset-dialog');
  await dialog.getByTestId('reset-relink').uncheck();
  await dialog.getByTestId('reset-confirm').fill(financeOperations);
  await dialog.getByTestId('reset-submit').click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });
  await expect(page.getByTestId('environments-empty')).toBeVisible();
  for (const name of names) {
    await envRow(page, name).getByTestId('remove-environment').click();
    await page.getByTestId('remove-confirm').click();
    await expect(envRow(page, name)).toHaveCount(0);
  }
}

/** Opens the setup page and chooses a scenario. */
async function chooseScenario(page: Page, id: string, name: string) {
  await goTo(page, 'setup');
  await expect(page.getByTestId('wizard-step-1')).toHaveAttribute('data-state', 'current');
  await expect(page.getByRole('radio')).toHaveCount(6);
  await expect(page.getByTestId('wizard-next')).toBeDisabled();
  const card = page.getByTestId(`scenario-${id}`);
  await card.click();
  await expect(card).toHaveAttribute('data-selected', 'true');
  await shot(page, `wizard-${name}-1-scenario`);
  await page.getByTestId('wizard-next').click();
  await expect(page.getByTestId('options-card')).toBeVisible();
}

/** Reviews the plan (when linked, the link is reset first, which needs confirming) and starts it. */
async function reviewAndStart(page: Page, name: string, steps: string[]) {
  await page.getByTestId('wizard-review').click();
  await expect(page.getByTestId('plan-card')).toBeVisible();
  for (const id of steps) await expect(page.getByTestId(`plan-step-${id}`)).toBeVisible();
  if (steps.includes('reset')) {
    await expect(page.getByTestId('reset-warning')).toContainText('Reset that link first');
    await expect(page.getByTestId('wizard-start')).toBeDisabled();
    await page.getByTestId('confirm-reset').click();
  } else {
    await expect(page.getByTestId('plan-step-reset')).toHaveCount(0);
  }
  await expect(page.getByTestId('wizard-start')).toBeEnabled();
  await shot(page, `wizard-${name}-3-plan`);
  await page.getByTestId('wizard-start').click();
  await expect(page.getByTestId('run-card')).toBeVisible();
  await expect(page.getByTestId('wizard-step-4')).toHaveAttribute('data-state', 'current');
  if ((await page.getByTestId('run-status').textContent()) === 'Running') await shot(page, `wizard-${name}-4-running`);
}

/** Waits for the run to end Done with these steps done. */
async function expectDone(page: Page, steps: string[]) {
  const result = page.getByTestId('run-result');
  await expect(result).toBeVisible({ timeout: 300_000 });
  await expect(result).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('run-status')).toHaveText('Done');
  for (const id of steps) await expect(page.getByTestId(`run-step-${id}`)).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('run-step-createLegalEntity')).toHaveAttribute('data-status', /done|skipped/);
}

/** Adds an environment through the Add environment form the options step opens. */
async function addEnvironment(page: Page, kind: 'financeOperations' | 'dataverse', name: string, url: string) {
  const env = duetEnv();
  await page.getByTestId('option-add-environment').click();
  const dialog = page.getByTestId('add-environment-dialog');
  await dialog.getByTestId(`env-kind-${kind}`).click();
  await dialog.getByTestId('env-name-input').fill(name);
  await dialog.getByTestId('env-url-input').fill(url);
  await dialog.getByTestId('env-tenant-input').fill(env.DUET_TENANT);
  await dialog.getByTestId('env-client-id-input').fill(env.DUET_CLIENT_ID);
  await dialog.getByTestId('env-secret-input').fill(env.DUET_CLIENT_SECRET);
  await dialog.getByTestId('env-token-url-input').fill(env.DUET_TOKEN_URL);
  await dialog.getByTestId('add-environment-submit').click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId(`option-env-${kind}`)).toHaveText(name);
}

test('setup wizard shows backend errors as a message bar', async ({ page }) => {
  await page.route('**/api/scenario_plan', (route) =>
    route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ code: 'invalid_scenario', message: 'Choose at least one map.' }) }),
  );
  await openUi(page);
  await goTo(page, 'setup');
  await page.getByTestId('scenario-new-new').click();
  await page.getByTestId('wizard-next').click();
  await expect(page.getByTestId('option-rows')).toHaveCount(0);
  await page.getByTestId('wizard-review').click();
  const error = page.getByTestId('setup-error');
  await expect(error).toContainText('Cannot plan the setup');
  await expect(error).toContainText('Choose at least one map.');
  await expect(error).toContainText('invalid_scenario');
  await expect(page.getByTestId('options-card')).toBeVisible();
});

test('setup page shows a failed run and retries it with the same scenario and options', async ({ page }) => {
  const options = {
    rows: 40,
    existingRows: 10,
    companies: ['DAT'],
    maps: ['customers'],
    choices: [{ map: 'customers', initialSync: true, master: 'financeOperations' }],
    master: 'financeOperations',
    environments: null,
    until: null,
  };
  const failed = {
    scenario: { id: 'existing-existing', title: 'Finance and operations: existing · Dataverse: existing', financeOperations: 'existing', dataverse: 'existing', description: '' },
    options,
    status: 'failed',
    steps: [
      { id: 'check', title: 'Check the environments', detail: 'Sign in to both environments.', status: 'done', message: 'Both environments answer.' },
      { id: 'link', title: 'Link the environments', detail: 'Link them.', status: 'failed', message: 'Dataverse refused the sign-in (401).' },
      { id: 'live', title: 'Enable live sync', detail: 'Keep customers running live.', status: 'pending', message: null },
    ],
    startedAt: '2026-01-01T10:00:00Z',
    finishedAt: '2026-01-01T10:01:00Z',
    bootstraps: [],
    agreement: [],
    environments: null,
  };
  await page.route('**/api/scenario_run', (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify(failed) }));
  let started: unknown = null;
  await page.route('**/api/start_scenario', (route) => {
    started = route.request().postDataJSON();
    return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ ...failed, status: 'pending', startedAt: null }) });
  });
  await openUi(page);
  await goTo(page, 'setup');
  // An unfinished run opens at the progress step.
  await expect(page.getByTestId('wizard-step-4')).toHaveAttribute('data-state', 'current');
  const result = page.getByTestId('run-result');
  await expect(result).toHaveAttribute('data-status', 'failed');
  await expect(result).toContainText('Setup stopped at “Link the environments”');
  await expect(result).toContainText('Dataverse refused the sign-in (401).');
  await expect(page.getByTestId('run-step-link')).toHaveAttribute('data-status', 'failed');
  await shot(page, 'wizard-failed');
  await page.getByTestId('run-resume').click();
  await expect.poll(() => started).toEqual({ id: 'existing-existing', options });
  await expect(page.getByTestId('run-status')).toHaveText('Running');
});

test('setup wizard runs existing-existing on environments added as cloud ones', async ({ page }) => {
  test.setTimeout(420_000);
  const env = duetEnv();
  await openUi(page);
  // The sandbox pair is registered under its URLs: unlink and remove it, so the same
  // environments can be added through the form as cloud ones (not marked sandbox).
  await unlinkAndRemove(page, SANDBOX_FO, [SANDBOX_FO, 'Sandbox Dataverse']);
  await chooseScenario(page, 'existing-existing', 'cloud');

  // 2. Options: environments already added, both added here through the form, not the sandbox shortcut.
  await page.getByTestId('option-source-added').click();
  await expect(page.getByTestId('options-card')).toContainText('Choose a finance and operations and a Dataverse environment.');
  await expect(page.getByTestId('wizard-review')).toBeDisabled();
  await addEnvironment(page, 'financeOperations', CLOUD_FO, env.DUET_FO_URL);
  await addEnvironment(page, 'dataverse', CLOUD_DV, env.DUET_DV_URL);
  // The legal entities come from the chosen finance and operations environment, all ticked.
  const entities = page.getByTestId('option-legal-entities');
  await expect(entities.getByTestId('option-company-DAT')).toBeChecked({ timeout: 30_000 });
  await expect(entities.getByTestId('option-company-USMF')).toBeChecked();
  const count = await entities.locator('input[type="checkbox"]').count();
  expect(count).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('option-companies-count')).toHaveText(`${count} of 40`);
  await expect(page.getByTestId('option-rows')).toHaveCount(0);
  await expect(page.getByTestId('scenario-map-customers')).toBeVisible();
  await expect(page.getByTestId('wizard-review')).toBeEnabled();
  await shot(page, 'wizard-cloud-2-options');

  // 3. The plan checks the environments instead of provisioning sandbox ones.
  const steps = ['check', 'link', 'createCompany', 'addCompanies', 'bootstrap', 'initialSync', 'live'];
  await page.getByTestId('wizard-review').click();
  await expect(page.getByTestId('options-summary')).toContainText(`${CLOUD_FO} ↔ ${CLOUD_DV}`);
  await page.getByTestId('wizard-back').click();
  await reviewAndStart(page, 'cloud', steps);
  await expectDone(page, steps);
  await expect(page.getByTestId('run-step-check')).toContainText(/health|holding|hold/i);
  await expect(page.getByTestId('bootstrap-report')).toBeVisible();
  await expect(page.getByTestId('agreement-customers')).toHaveAttribute('data-agrees', 'true');
  await shot(page, 'wizard-cloud-4-done');

  // Duet is now linked to the environments added as cloud ones.
  await goTo(page, 'environments');
  await expect(page.getByTestId('link-pair')).toContainText(CLOUD_FO);
  await expect(page.getByTestId('link-pair')).toContainText(CLOUD_DV);
  await expect(envRow(page, CLOUD_FO).getByTestId('row-sandbox-badge')).toHaveCount(0);
  await goTo(page, 'maps');
  await expect(page.getByTestId('map-state-customers')).toHaveText('Running', { timeout: 60_000 });

  // Leave the sandbox URLs free for the sandbox scenarios, which register them again.
  await unlinkAndRemove(page, CLOUD_FO, [CLOUD_FO, CLOUD_DV]);
});

const THREE_MAPS = ['customers', 'customer-groups', 'payment-terms'];

test('setup wizard runs new-data-new with three maps, one going live without its initial sync', async ({ page }) => {
  test.setTimeout(420_000);
  await openUi(page);
  await chooseScenario(page, 'new-data-new', 'three-maps');

  // 2. Options, checked as they are typed.
  await expect(page.getByTestId('option-source-sandbox')).toBeChecked();
  await page.getByTestId('option-companies').fill('');
  await expect(page.getByTestId('options-card')).toContainText('Enter at least one legal entity.');
  await expect(page.getByTestId('wizard-review')).toBeDisabled();
  await page.getByTestId('option-companies').fill('da');
  await expect(page.getByTestId('option-companies')).toHaveValue('DA');
  await expect(page.getByTestId('options-card')).toContainText("3 or 4 letters or digits (such as DAT): 'DA' is not.");
  await page.getByTestId('option-companies').fill('dat');
  await expect(page.getByTestId('option-companies')).toHaveValue('DAT');
  await page.getByTestId('option-rows').fill('0');
  await expect(page.getByTestId('options-card')).toContainText('must be at least 1');
  await page.getByTestId('option-rows').fill('40');
  await expect(page.getByTestId('option-existing-rows')).toHaveCount(0);

  // Maps: customers is chosen; search and add two templates.
  await expect(page.getByTestId('map-option-customers')).toBeChecked();
  await page.getByTestId('map-search').fill('payment terms');
  await page.getByTestId('map-option-payment-terms').check();
  await page.getByTestId('map-search').fill('customer group');
  await expect(page.getByTestId('map-option-payment-terms')).toHaveCount(0);
  await page.getByTestId('map-option-customer-groups').check();
  await page.getByTestId('map-search').fill('');
  for (const name of THREE_MAPS) await expect(page.getByTestId(`scenario-map-${name}`)).toBeVisible({ timeout: 15_000 });
  const paymentTerms = page.getByTestId('scenario-map-payment-terms');
  await expect(paymentTerms.getByTestId('map-source')).toHaveText(/template|stored/);
  await page.getByTestId('choice-sync-payment-terms').click();
  await expect(paymentTerms).toHaveAttribute('data-initial-sync', 'false');
  await expect(paymentTerms).toContainText('Skip, go live');
  await expect(page.getByTestId('scenario-map-customers')).toContainText('Sync existing rows');
  await expect(page.getByTestId('wizard-review')).toBeEnabled();
  await shot(page, 'wizard-three-maps-2-options');

  // 3. The plan names the three maps and the one going live.
  // Nothing is linked (the cloud run's environments were removed), so there is no reset.
  const steps = ['provision', 'link', 'createCompany', 'addCompanies', 'initialSync', 'live'];
  await expect(page.getByTestId('wizard-review')).toBeEnabled();
  await page.getByTestId('wizard-review').click();
  await expect(page.getByTestId('plan-step-initialSync')).toContainText('payment-terms: no initial sync');
  for (const name of THREE_MAPS) await expect(page.getByTestId('options-summary')).toContainText(name);
  await page.getByTestId('wizard-back').click();
  await reviewAndStart(page, 'three-maps', steps);

  // 4. Done, each map running.
  await expectDone(page, steps);
  await expect(page.getByTestId('run-step-bootstrap')).toHaveAttribute('data-status', /done|skipped/);
  await expect(page.getByTestId('agreement-customers')).toHaveAttribute('data-agrees', 'true');
  await expect(page.getByTestId('agreement-payment-terms')).toHaveCount(0);
  await shot(page, 'wizard-three-maps-4-done');
  await page.getByTestId('open-maps').click();
  await expect(page.getByTestId('page-maps')).toBeVisible();
  for (const name of THREE_MAPS) await expect(page.getByTestId(`map-state-${name}`)).toHaveText('Running', { timeout: 60_000 });
  await saveScreenshot(page, 'wizard-three-maps-5-maps');
});

test('setup wizard runs new-data-existing to agreement with the bootstrap report', async ({ page }) => {
  test.setTimeout(420_000);
  await openUi(page);
  await chooseScenario(page, 'new-data-existing', 'new-data-existing');
  await page.getByTestId('option-rows').fill('40');
  await page.getByTestId('option-existing-rows').fill('10');
  await expect(page.getByTestId('scenario-map-customers')).toBeVisible({ timeout: 15_000 });
  await shot(page, 'wizard-new-data-existing-2-options');
  const steps = ['reset', 'provision', 'link', 'createCompany', 'addCompanies', 'bootstrap', 'initialSync', 'live'];
  await reviewAndStart(page, 'new-data-existing', steps);
  await expectDone(page, steps);
  const report = page.getByTestId('bootstrap-report');
  await expect(report).toBeVisible();
  const matchedCount = Number(await page.getByTestId('bootstrap-matched').textContent());
  const unmatchedCount = Number(await page.getByTestId('bootstrap-unmatched').textContent());
  expect(matchedCount + unmatchedCount).toBe(10);
  await expect(report.getByTestId('bootstrap-row')).toHaveCount(10);
  await expect(page.getByTestId('agreement-customers')).toHaveAttribute('data-agrees', 'true');
  await shot(page, 'wizard-new-data-existing-4-done');
  await page.getByTestId('open-maps').click();
  await expect(page.getByTestId('map-state-customers')).toHaveText('Running', { timeout: 60_000 });
});

test('setup page shows the last run after a reload', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'setup');
  await expect(page.getByTestId('last-run')).toContainText('Finance and operations: new with data · Dataverse: existing');
  await page.getByTestId('view-last-run').click();
  await expect(page.getByTestId('run-result')).toHaveAttribute('data-status', 'done');
  await page.getByTestId('run-new').click();
  await expect(page.getByTestId('wizard-step-1')).toHaveAttribute('data-state', 'current');
});
