import { expect, test, type Locator, type Page } from '@playwright/test';
import { duetEnv } from './duet-env';
import { goTo, openUi, saveScreenshot } from './helpers';
import { startOtherSandbox } from './other-sandbox';

const FO_NAME = 'Sandbox finance and operations';
const DV_NAME = 'Sandbox Dataverse';
const EXTRA_NAME = 'Playwright Dataverse';

test.describe.configure({ mode: 'serial' });

function envRow(page: Page, name: string): Locator {
  return page.locator(`[data-testid="env-row"][data-name="${name}"]`);
}

async function ensureCustomersRunning(page: Page) {
  await goTo(page, 'maps');
  const state = page.getByTestId('map-state-customers');
  await expect(state).not.toHaveText('');
  if (['Not running', 'Stopped', 'Paused', 'Error'].includes((await state.textContent())?.trim() ?? '')) {
    await page.getByTestId('run-customers').click();
  }
  await expect(state).toHaveText('Running', { timeout: 60_000 });
}

test('the linked pair and its health checks are shown', async ({ page }) => {
  await openUi(page);
  await expect(page.getByTestId('page-environments')).toBeVisible();
  await expect(page.getByTestId('link-pair')).toContainText(FO_NAME);
  await expect(page.getByTestId('link-pair')).toContainText(DV_NAME);
  await expect(page.getByTestId('company-DAT')).toBeVisible();
  await expect(page.getByTestId('company-USMF')).toBeVisible();

  for (const name of [FO_NAME, DV_NAME]) {
    const row = envRow(page, name);
    await expect(row.getByTestId('linked-badge')).toHaveText('Linked');
    await expect(row.getByTestId('row-sandbox-badge')).toHaveText('Sandbox');
    // A linked environment cannot be removed.
    await expect(row.getByTestId('remove-environment')).toHaveAttribute('aria-disabled', 'true');
  }

  await page.getByTestId('check-health').click();
  await expect(page.getByTestId('toast-success')).toBeVisible({ timeout: 30_000 });
  for (const kind of ['financeOperations', 'dataverse'] as const) {
    for (const code of ['DUET-H001', 'DUET-H005']) {
      const check = page.getByTestId(`health-${kind}-${code}`);
      await expect(check).toHaveAttribute('data-status', 'healthy');
      await expect(check.getByTestId('health-message')).not.toBeEmpty();
    }
  }
  await saveScreenshot(page, 'environments-linked');
});

test('the Dataverse environment is edited: a wrong client secret fails its health check, rotating it passes', async ({ page }) => {
  test.setTimeout(180_000);
  const env = duetEnv();
  await openUi(page);
  await ensureCustomersRunning(page);
  await goTo(page, 'environments');

  // The details come back as stored; the secret never does, and left empty it is kept.
  const row = envRow(page, DV_NAME);
  await row.getByTestId('edit-environment').click();
  const edit = page.getByTestId('edit-environment-dialog');
  await expect(edit.getByTestId('env-name-input')).toHaveValue(DV_NAME);
  await expect(edit.getByTestId('env-tenant-input')).toHaveValue(env.DUET_TENANT);
  await expect(edit.getByTestId('env-client-id-input')).toHaveValue(env.DUET_CLIENT_ID);
  await expect(edit.getByTestId('env-token-url-input')).toHaveValue(env.DUET_TOKEN_URL);
  await expect(edit.getByTestId('env-kind-dataverse')).toBeDisabled();
  await expect(edit.getByTestId('env-secret-input')).toHaveValue('');
  await expect(edit.getByTestId('field-client-secret')).toContainText('Leave it empty to keep the stored secret');
  // The sandbox's certificate authority is kept the same way.
  await expect(edit.getByTestId('env-sandbox-switch')).toBeChecked();
  await expect(edit.getByTestId('field-ca')).toContainText('Leave it empty to keep the authority stored');
  await edit.getByTestId('edit-environment-submit').click();
  await expect(edit).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Environment saved' })).toBeVisible();
  const token = page.getByTestId('health-dataverse-DUET-H001');
  await page.getByTestId('check-health').click();
  await expect(token).toHaveAttribute('data-status', 'healthy', { timeout: 30_000 });

  // A wrong secret replaces the stored one: the sign-in check fails.
  await row.getByTestId('edit-environment').click();
  await edit.getByTestId('env-secret-input').fill('not-the-secret');
  await edit.getByTestId('edit-environment-submit').click();
  await expect(edit).toBeHidden({ timeout: 30_000 });

  await page.getByTestId('check-health').click();
  await expect(token).toHaveAttribute('data-status', 'unhealthy', { timeout: 30_000 });
  await expect(token.getByTestId('health-message')).toContainText(/secret/i);
  await saveScreenshot(page, 'environments-secret-wrong');

  // Rotate the secret: Edit, Client secret, Save; the health check passes again.
  await row.getByTestId('edit-environment').click();
  await edit.getByTestId('env-secret-input').fill(env.DUET_CLIENT_SECRET);
  await saveScreenshot(page, 'environments-edit-dialog');
  await edit.getByTestId('edit-environment-submit').click();
  await expect(edit).toBeHidden({ timeout: 30_000 });
  await page.getByTestId('check-health').click();
  await expect(token).toHaveAttribute('data-status', 'healthy', { timeout: 30_000 });
  await expect(page.getByTestId('health-financeOperations-DUET-H001')).toHaveAttribute('data-status', 'healthy');
  await saveScreenshot(page, 'environments-secret-rotated');
  await ensureCustomersRunning(page);
});

test('a sandbox started elsewhere is added, is trusted once given its certificate authority, fails its token check, cannot be linked, and is removed', async ({
  page,
}) => {
  // A sandbox of its own, with a certificate authority neither Duet nor this machine knows.
  const other = await startOtherSandbox();
  try {
    await addOtherSandbox(page, other.env);
  } finally {
    await other.stop();
  }
});

async function addOtherSandbox(page: Page, other: Record<string, string>) {
  await openUi(page);

  await page.getByTestId('add-environment').click();
  const dialog = page.getByTestId('add-environment-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('env-kind-dataverse').click();
  // The backend's message lands under the field it is about.
  await dialog.getByTestId('add-environment-submit').click();
  await expect(dialog.getByTestId('field-name')).toContainText('Give the environment a name.');

  await dialog.getByTestId('env-name-input').fill(EXTRA_NAME);
  await dialog.getByTestId('env-url-input').fill(other.DUET_DV_URL);
  await dialog.getByTestId('env-tenant-input').fill(other.DUET_TENANT);
  await dialog.getByTestId('env-client-id-input').fill(other.DUET_CLIENT_ID);
  await expect(dialog.getByTestId('env-secret-input')).toHaveAttribute('type', 'password');
  await dialog.getByTestId('env-secret-input').fill('not-the-secret');
  await dialog.getByTestId('env-token-url-input').fill(other.DUET_TOKEN_URL);
  await dialog.getByTestId('env-sandbox-switch').check();
  await expect(dialog.getByTestId('field-ca')).toContainText('DUET_CA_FILE');
  await dialog.getByTestId('add-environment-submit').click();
  await expect(dialog).toBeHidden();

  const row = envRow(page, EXTRA_NAME);
  await expect(row).toBeVisible();
  await expect(row.getByTestId('unlinked-badge')).toHaveText('Not linked');

  // Without the sandbox's certificate authority, its HTTPS is not trusted, and the check says so.
  await row.getByTestId('test-connection').click();
  const results = page.locator(`[data-testid="test-results"][data-name="${EXTRA_NAME}"]`);
  const token = results.locator('[data-testid$="-DUET-H001"]');
  await expect(token).toHaveAttribute('data-status', 'unhealthy', { timeout: 30_000 });
  await expect(token.getByTestId('health-message')).toContainText("the server's certificate is not trusted");
  await saveScreenshot(page, 'environments-untrusted');

  // Given the authority file, the connection is trusted and the wrong secret is what fails.
  await row.getByTestId('edit-environment').click();
  const edit = page.getByTestId('edit-environment-dialog');
  await edit.getByTestId('env-ca-file').setInputFiles(other.DUET_CA_FILE);
  await expect(edit.getByTestId('env-ca-input')).toHaveValue(/-----BEGIN CERTIFICATE-----/);
  await edit.getByTestId('env-secret-input').fill('not-the-secret');
  await saveScreenshot(page, 'environments-add-dialog');
  await edit.getByTestId('edit-environment-submit').click();
  await expect(edit).toBeHidden({ timeout: 30_000 });
  await row.getByTestId('test-connection').click();
  await expect(token).toHaveAttribute('data-status', 'unhealthy', { timeout: 30_000 });
  await expect(token.getByTestId('health-status')).toHaveText('Unhealthy');
  await expect(token.getByTestId('health-message')).toContainText(/secret/i);
  await saveScreenshot(page, 'environments-test-connection');

  // Only one link: the dialog says so, and the backend's refusal is shown.
  await row.getByTestId('link-environment').click();
  const linkDialog = page.getByTestId('link-dialog');
  await expect(linkDialog.getByTestId('link-one-only')).toBeVisible();
  await expect(linkDialog.getByTestId('link-dv')).toHaveText(EXTRA_NAME);
  await expect(linkDialog.getByTestId('link-company-DAT')).toBeVisible({ timeout: 30_000 });
  await linkDialog.getByTestId('link-submit').click();
  await expect(linkDialog.getByTestId('link-error')).toContainText('already linked', { timeout: 30_000 });
  await saveScreenshot(page, 'environments-link-refused');
  await linkDialog.getByTestId('link-dialog-close').click();
  await expect(linkDialog).toBeHidden();
  await expect(page.getByTestId('link-pair')).toContainText(DV_NAME);

  await row.getByTestId('remove-environment').click();
  await page.getByTestId('remove-confirm').click();
  await expect(row).toHaveCount(0);
  await expect(page.getByTestId('env-row')).toHaveCount(2);
}

test('the legal entities of the link are edited to DAT only and back', async ({ page }) => {
  await openUi(page);
  await ensureCustomersRunning(page);
  await goTo(page, 'environments');

  await page.getByTestId('edit-companies').click();
  const dialog = page.getByTestId('companies-dialog');
  await expect(dialog.getByTestId('company-option-USMF')).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByTestId('save-companies')).toBeDisabled();
  await dialog.getByTestId('company-option-USMF').uncheck();
  await saveScreenshot(page, 'environments-companies');
  await dialog.getByTestId('save-companies').click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('company-DAT')).toBeVisible();
  await expect(page.getByTestId('company-USMF')).toHaveCount(0);

  // Adding a legal entity restarts running maps with an initial sync; wait until they run.
  await page.getByTestId('edit-companies').click();
  await expect(dialog.getByTestId('company-option-USMF')).toBeVisible({ timeout: 30_000 });
  await dialog.getByTestId('company-option-USMF').check();
  await dialog.getByTestId('save-companies').click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  await expect(page.getByTestId('company-USMF')).toBeVisible();
  await expect(page.getByTestId('company-DAT')).toBeVisible();
  await ensureCustomersRunning(page);
});

test('the link is reset with relink and the customers map runs again', async ({ page }) => {
  await openUi(page);
  await ensureCustomersRunning(page);
  await goTo(page, 'environments');

  await page.getByTestId('reset-link').click();
  const dialog = page.getByTestId('reset-dialog');
  await expect(dialog.getByTestId('reset-deletes').locator('li')).toHaveCount(4);
  await expect(dialog.getByTestId('reset-deletes')).toContainText(`The link between '${FO_NAME}' and '${DV_NAME}'`);
  await expect(dialog.getByTestId('reset-keeps')).toContainText('Both environments and their secrets.');
  await expect(dialog.getByTestId('reset-map-customers')).toBeVisible();
  await expect(dialog.getByTestId('reset-relink')).toBeChecked();

  const submit = dialog.getByTestId('reset-submit');
  await expect(submit).toBeDisabled();
  await dialog.getByTestId('reset-confirm').fill('Sandbox');
  await expect(submit).toBeDisabled();
  await dialog.getByTestId('reset-confirm').fill(FO_NAME);
  await expect(submit).toBeEnabled();
  await saveScreenshot(page, 'environments-reset-dialog');
  await submit.click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });
  await expect(page.getByTestId('toast-success').filter({ hasText: 'Link reset' })).toBeVisible();

  await expect(page.getByTestId('link-pair')).toContainText(FO_NAME);
  await expect(page.getByTestId('link-pair')).toContainText(DV_NAME);
  await expect(page.getByTestId('company-DAT')).toBeVisible();
  await expect(page.getByTestId('company-USMF')).toBeVisible();

  await goTo(page, 'maps');
  await expect(page.getByTestId('map-state-customers')).toHaveText('Running', { timeout: 60_000 });
});

test('after a reset without relink, the pair is linked again from the link form', async ({ page }) => {
  await openUi(page);
  await page.getByTestId('reset-link').click();
  const dialog = page.getByTestId('reset-dialog');
  await expect(dialog.getByTestId('reset-deletes').locator('li')).toHaveCount(4);
  await dialog.getByTestId('reset-relink').uncheck();
  await dialog.getByTestId('reset-confirm').fill(FO_NAME);
  await expect(dialog.getByTestId('reset-submit')).toHaveText('Reset link');
  await dialog.getByTestId('reset-submit').click();
  await expect(dialog).toBeHidden({ timeout: 60_000 });

  // Not linked: both environments stay registered and the link form offers them.
  const empty = page.getByTestId('environments-empty');
  await expect(empty).toBeVisible();
  for (const name of [FO_NAME, DV_NAME]) {
    await expect(envRow(page, name).getByTestId('unlinked-badge')).toBeVisible();
  }
  const form = empty.getByTestId('link-form');
  await expect(form.getByTestId('link-fo')).toHaveText(FO_NAME);
  await expect(form.getByTestId('link-dv')).toHaveText(DV_NAME);
  await expect(form.getByTestId('link-company-DAT')).toBeVisible({ timeout: 30_000 });
  await expect(form.getByTestId('link-submit')).toBeDisabled();
  await form.getByTestId('link-company-DAT').check();
  await form.getByTestId('link-company-USMF').check();
  await saveScreenshot(page, 'environments-not-linked');
  await form.getByTestId('link-submit').click();

  await expect(page.getByTestId('link-pair')).toContainText(FO_NAME, { timeout: 30_000 });
  await expect(page.getByTestId('company-DAT')).toBeVisible();
  await expect(page.getByTestId('company-USMF')).toBeVisible();
  // The reset left the map not running; run it again so later specs find it as before.
  await ensureCustomersRunning(page);
});
