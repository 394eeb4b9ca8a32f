import { expect, test, type Page } from '@playwright/test';
import path from 'node:path';
import { duetEnv } from './duet-env';

/** Opens the UI with its token and waits for the shell. */
export async function openUi(page: Page) {
  await page.goto(duetEnv().DUET_UI_URL);
  await expect(page.getByTestId('app-header')).toBeVisible();
  // The token is moved out of the address bar at startup.
  expect(page.url()).not.toContain('token=');
}

export async function goTo(page: Page, section: 'environments' | 'maps' | 'activity') {
  await page.getByTestId(`nav-${section}`).click();
  await expect(page.getByTestId(`page-${section}`)).toBeVisible();
}

/** Saves a full-page screenshot as test-results/<name>.png. */
export async function saveScreenshot(page: Page, name: string) {
  const file = path.join(test.info().project.outputDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}
