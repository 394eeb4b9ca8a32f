import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { command, goTo, openUi, saveScreenshot } from './helpers';

/** Screenshots go to /tmp as well, to look at the layout. */
async function shoot(page: Page, name: string) {
  await saveScreenshot(page, name);
  await page.screenshot({ path: `/tmp/maps-layout-${name}.png` });
}

function template(name: string): { name: string; title: string } {
  return JSON.parse(readFileSync(path.resolve(`../crates/duet-maps/templates/${name}.json`), 'utf8')) as {
    name: string;
    title: string;
  };
}

/** Standard maps with the longest titles and entity names of the templates. */
const LONG_TEMPLATES = [
  'released-products-v2',
  'released-distinct-products',
  'customer-payment-methods',
  'vendor-payment-methods',
  'sales-order-origins',
  'sales-invoice-lines',
  'price-customer-groups',
];

/**
 * Asserts that neither the page nor the maps table scrolls sideways, and that every
 * row's action buttons lie inside the table's visible box and the viewport.
 */
async function expectNoHorizontalOverflow(page: Page, label: string) {
  const viewport = page.viewportSize()!;
  const sizes = await page.getByTestId('maps-table').evaluate((table) => {
    const container = table.parentElement!;
    const main = table.closest('main')!;
    return {
      container: { scroll: container.scrollWidth, client: container.clientWidth },
      main: { scroll: main.scrollWidth, client: main.clientWidth },
      document: { scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth },
    };
  });
  expect(sizes.container.scroll, `${label}: the maps table fits its container`).toBeLessThanOrEqual(sizes.container.client + 1);
  expect(sizes.main.scroll, `${label}: the page content does not scroll sideways`).toBeLessThanOrEqual(sizes.main.client + 1);
  expect(sizes.document.scroll, `${label}: the window does not scroll sideways`).toBeLessThanOrEqual(sizes.document.client + 1);

  const tableBox = (await page.getByTestId('maps-table').locator('xpath=..').boundingBox())!;
  const buttons = page.locator(
    '[data-testid^="map-row-"] :is([data-testid^="run-"], [data-testid^="pause-"], [data-testid^="resume-"], [data-testid^="stop-"], [data-testid^="queue-"])',
  );
  const count = await buttons.count();
  expect(count, `${label}: the rows have action buttons`).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const button = buttons.nth(i);
    const id = await button.getAttribute('data-testid');
    await expect(button, `${label}: ${id} is visible`).toBeVisible();
    const box = (await button.boundingBox())!;
    expect(box.x, `${label}: ${id} starts inside the table`).toBeGreaterThanOrEqual(tableBox.x - 0.5);
    expect(box.x + box.width, `${label}: ${id} ends inside the table`).toBeLessThanOrEqual(tableBox.x + tableBox.width + 0.5);
    expect(box.x + box.width, `${label}: ${id} ends inside the window`).toBeLessThanOrEqual(viewport.width);
  }
}

test('the maps table fits a 1280 px window with long titles, truncating them with the full title on hover', async ({ page, request }) => {
  // GIVEN the demo map and several standard maps with long titles.
  const titles: Record<string, string> = {};
  for (const name of LONG_TEMPLATES) {
    const map = template(name);
    titles[map.name] = map.title;
    await command(request, 'save_map', { map, note: 'Playwright: maps layout' });
  }

  await page.setViewportSize({ width: 1280, height: 800 });
  await openUi(page);
  await goTo(page, 'maps');
  for (const name of Object.keys(titles)) await expect(page.getByTestId(`map-row-${name}`)).toBeVisible();

  // AND the demo map paused, so its row shows all four actions (Resume too).
  const state = page.getByTestId('map-state-customers');
  await expect(state).not.toHaveText('');
  if ((await state.textContent())?.trim() !== 'Running' && (await page.getByTestId('run-customers').isEnabled())) {
    await page.getByTestId('run-customers').click();
  }
  await expect(state).toHaveText('Running', { timeout: 60_000 });
  await page.getByTestId('pause-customers').click();
  await expect(state).toHaveText('Paused', { timeout: 30_000 });
  await expect(page.getByTestId('resume-customers')).toBeVisible();

  // AND one map selected, so the bulk toolbar is in use.
  await page.getByTestId('select-released-products-v2').check();
  await expect(page.getByTestId('bulk-count')).toHaveText('1 selected');

  try {
    // THEN at 1280 × 800 nothing scrolls sideways and every action button is in view.
    await shoot(page, '1280');
    await expectNoHorizontalOverflow(page, '1280 px');

    // AND the longest title is cut with an ellipsis, and hovering shows it in full.
    const longest = page.getByTestId('map-title-released-products-v2');
    await expect(longest).toHaveText(titles['released-products-v2']);
    const cut = await longest.evaluate((el) => ({
      truncated: el.scrollWidth > el.clientWidth,
      overflow: getComputedStyle(el).textOverflow,
    }));
    expect(cut.overflow).toBe('ellipsis');
    expect(cut.truncated, 'the longest title is truncated at 1280 px').toBe(true);
    await longest.hover();
    await expect(page.getByRole('tooltip').filter({ hasText: titles['released-products-v2'] })).toBeVisible();
    await shoot(page, '1280-tooltip');
    await page.mouse.move(0, 0);
    await expect(page.getByRole('tooltip')).toHaveCount(0);

    // AND at 1024 × 768 nothing is cut off either.
    await page.setViewportSize({ width: 1024, height: 768 });
    await shoot(page, '1024');
    await expectNoHorizontalOverflow(page, '1024 px');
  } finally {
    // Leave the demo map running for the specs that follow.
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.getByTestId('select-released-products-v2').uncheck();
    await page.getByTestId('resume-customers').click();
    await page.getByTestId('resume-catch-up-customers').click();
    await expect(state).toHaveText('Running', { timeout: 60_000 });
  }
});
