import { expect, test, type Page } from '@playwright/test';
import { goTo, openUi, saveScreenshot } from './helpers';

// Runs last (the file name sorts after the other specs): each setup resets the
// sandbox link and provisions fresh sandbox environments.

/** A screenshot of the whole page: the shell scrolls inside <main>, so grow the window to fit it. */
async function shot(page: Page, name: string) {
  const height = await page.locator('main').evaluate((el) => el.scrollHeight + el.getBoundingClientRect().top);
  await page.setViewportSize({ width: 1440, height: Math.max(900, Math.ceil(height)) });
  await saveScreenshot(page, name);
  await page.setViewportSize({ width: 1440, height: 900 });
}

const SCENARIOS = [
  { id: 'new-data-new', rows: '40', existingRows: null, bootstrap: false },
  { id: 'new-data-existing', rows: '40', existingRows: '10', bootstrap: true },
] as const;

const STEPS_DONE = ['reset', 'provision', 'link', 'createCompany', 'addCompanies', 'initialSync', 'live'];

async function runScenario(page: Page, scenario: (typeof SCENARIOS)[number]) {
  await openUi(page);
  await goTo(page, 'setup');

  // 1. Scenario.
  await expect(page.getByTestId('wizard-step-1')).toHaveAttribute('data-state', 'current');
  await expect(page.getByRole('radio')).toHaveCount(6);
  await expect(page.getByTestId('wizard-next')).toBeDisabled();
  const card = page.getByTestId(`scenario-${scenario.id}`);
  await expect(card).toContainText('F&O: New with data');
  await card.click();
  await expect(card).toHaveAttribute('data-selected', 'true');
  await shot(page, `wizard-${scenario.id}-1-scenario`);
  await page.getByTestId('wizard-next').click();

  // 2. Options, with validation.
  await expect(page.getByTestId('options-card')).toBeVisible();
  await page.getByTestId('option-companies').fill('');
  await expect(page.getByTestId('options-card')).toContainText('Enter at least one legal entity.');
  await expect(page.getByTestId('wizard-review')).toBeDisabled();
  await page.getByTestId('option-companies').fill('dat');
  await page.getByTestId('option-rows').fill('0');
  await expect(page.getByTestId('options-card')).toContainText('must be at least 1');
  await expect(page.getByTestId('wizard-review')).toBeDisabled();
  await page.getByTestId('option-rows').fill(scenario.rows);
  if (scenario.existingRows) await page.getByTestId('option-existing-rows').fill(scenario.existingRows);
  else await expect(page.getByTestId('option-existing-rows')).toHaveCount(0);
  await expect(page.getByTestId('wizard-review')).toBeEnabled();
  await shot(page, `wizard-${scenario.id}-2-options`);
  await page.getByTestId('wizard-review').click();

  // 3. The plan: the sandbox is linked, so it starts with a reset that needs confirming.
  await expect(page.getByTestId('plan-card')).toBeVisible();
  for (const id of STEPS_DONE) await expect(page.getByTestId(`plan-step-${id}`)).toBeVisible();
  await expect(page.getByTestId('plan-step-provision')).toContainText(`${scenario.rows} generated customers`);
  await expect(page.getByTestId('options-summary')).toContainText('DAT');
  await expect(page.getByTestId('reset-warning')).toContainText('Reset that link first');
  await expect(page.getByTestId('wizard-start')).toBeDisabled();
  await page.getByTestId('confirm-reset').click();
  await expect(page.getByTestId('wizard-start')).toBeEnabled();
  await shot(page, `wizard-${scenario.id}-3-plan`);
  await page.getByTestId('wizard-start').click();

  // 4. Progress until both sides agree.
  await expect(page.getByTestId('run-card')).toBeVisible();
  await expect(page.getByTestId('wizard-step-4')).toHaveAttribute('data-state', 'current');
  if ((await page.getByTestId('run-status').textContent()) === 'Running') await shot(page, `wizard-${scenario.id}-4-running`);
  const result = page.getByTestId('run-result');
  await expect(result).toBeVisible({ timeout: 240_000 });
  await expect(result).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('run-status')).toHaveText('Done');
  for (const id of STEPS_DONE) {
    await expect(page.getByTestId(`run-step-${id}`)).toHaveAttribute('data-status', 'done');
  }
  await expect(page.getByTestId('run-step-bootstrap')).toHaveAttribute('data-status', scenario.bootstrap ? 'done' : 'skipped');
  if (scenario.bootstrap) {
    await expect(page.getByTestId('bootstrap-report')).toBeVisible();
  }
  const agreement = page.getByTestId('agreement-customers');
  await expect(agreement).toHaveAttribute('data-agrees', 'true');
  await expect(agreement.getByTestId('agreement-status')).toHaveText('Both sides agree');
  await shot(page, `wizard-${scenario.id}-4-done`);

  // The map it set up runs live.
  await page.getByTestId('open-maps').click();
  await expect(page.getByTestId('page-maps')).toBeVisible();
  await expect(page.getByTestId('map-state-customers')).toHaveText('Running', { timeout: 60_000 });
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
    bootstrap: null,
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

for (const scenario of SCENARIOS) {
  test(`setup wizard runs ${scenario.id} to agreement`, async ({ page }) => {
    test.setTimeout(360_000);
    await runScenario(page, scenario);
  });
}

test('setup page shows the last run after a reload', async ({ page }) => {
  await openUi(page);
  await goTo(page, 'setup');
  await expect(page.getByTestId('last-run')).toContainText('Finance and operations: new with data · Dataverse: existing');
  await page.getByTestId('view-last-run').click();
  await expect(page.getByTestId('run-result')).toHaveAttribute('data-status', 'done');
  await page.getByTestId('run-new').click();
  await expect(page.getByTestId('wizard-step-1')).toHaveAttribute('data-state', 'current');
});
