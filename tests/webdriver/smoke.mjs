// Drives the real Duet window through tauri-driver: it opens, renders the environments page
// with the linked sandbox pair, styled under its Content-Security-Policy, a screenshot is
// saved, and a test alert becomes a system notification (seen by dbus-monitor on the session
// bus). Every page is then opened with no CSP violation, and the policy is shown to refuse
// an inline script, eval, an inline style and a request elsewhere; the window's capability
// lets the page listen to events and nothing more of Tauri's core.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  assertPaneShown,
  byTestId as byTestIdIn,
  call,
  linkedSandboxShown,
  openSession,
  screenshot,
  textOf as textOfIn,
  waitFor,
} from './driver.mjs';
import { assertRefusals, assertStyledAndLocal, violations } from './csp.mjs';

const [application, screenshotPath, notificationLog] = process.argv.slice(2);
const id = await openSession(application);
let failed = false;
try {
  const byTestId = (testId) => byTestIdIn(id, testId);
  const execute = (script, args = []) => call('POST', `/session/${id}/execute/sync`, { script, args });
  const executeAsync = (script, args = []) => call('POST', `/session/${id}/execute/async`, { script, args });
  const textOf = (element) => textOfIn(id, element);

  await linkedSandboxShown(id);
  const title = await call('GET', `/session/${id}/title`);
  if (!title.startsWith('Duet')) throw new Error(`unexpected window title '${title}'`);
  // The DOM is checked; the screenshot must show it too.
  assertPaneShown(await screenshot(id, screenshotPath), 'the Environments page');
  console.log(`webdriver smoke: window '${title}' rendered the environments page; screenshot ${screenshotPath}`);
  const styled = await assertStyledAndLocal(execute);
  console.log(
    `webdriver smoke: ${styled.styleElements} style elements, all with the CSP nonce, ${styled.rules} rules; ` +
      `${styled.resources.length} resources, all from ${styled.origin}`,
  );

  // A test alert from the Alerts page reaches the desktop as a system notification.
  const click = async (element) => call('POST', `/session/${id}/element/${Object.values(element)[0]}/click`, {});
  await click(await byTestId('nav-alerts'));
  await waitFor('the alerts page', 30, () => byTestId('page-alerts'));
  const status = await waitFor('the desktop notification status', 30, () => byTestId('desktop-notifications-status'));
  const statusText = await textOf(status);
  if (!statusText.includes('Duet window shows every alert')) {
    throw new Error(`the window does not leave notifications to the shell: '${statusText}'`);
  }
  await click(await byTestId('send-test-alert'));
  await waitFor('the test alert as a system notification', 30, async () => {
    const log = readFileSync(notificationLog, 'utf8');
    return log.includes('Duet alert: alerts') && log.includes('Test alert');
  });
  console.log('webdriver smoke: a test alert was sent to the desktop notification service');
  // The page heard the same alert as an event: the capability lets it listen.
  await waitFor('the alert toast from the duet://event event', 30, () => byTestId('toast-alert'));

  // The capability grants listen, unlisten and save, and nothing else of Tauri's core: a
  // command that core:default would allow (the app's version) is refused.
  const refusal = await executeAsync(`
    const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke('plugin:app|version').then(
      (version) => done('allowed: ' + version),
      (error) => done('refused: ' + String(error)),
    );
  `);
  if (!refusal.startsWith('refused') || !refusal.includes('not allowed')) {
    throw new Error(`a core command outside the capability answered: ${refusal}`);
  }
  console.log(`webdriver smoke: the alert reached the page as an event; a core command outside the capability was ${refusal}`);

  // Every page renders under the policy without a violation.
  for (const section of ['setup', 'environments', 'maps', 'dashboard', 'activity', 'errors', 'alerts', 'demo']) {
    await click(await byTestId(`nav-${section}`));
    await waitFor(`the ${section} page`, 30, () => byTestId(`page-${section}`));
  }
  const seen = await violations(execute);
  if (seen.length > 0) throw new Error(`the CSP refused something the app uses: ${JSON.stringify(seen)}`);
  const { outcome, reported } = await assertRefusals(execute, executeAsync);
  console.log(
    `webdriver smoke: every page opened with no CSP violation; the policy refused ${Object.keys(outcome).join(', ')} ` +
      `(reported: ${[...new Set(reported)].join(', ')})`,
  );
} catch (error) {
  failed = true;
  console.error(`webdriver smoke failed: ${error.message}`);
  try {
    const png = await call('GET', `/session/${id}/screenshot`);
    writeFileSync(screenshotPath.replace(/\.png$/, '-failure.png'), Buffer.from(png, 'base64'));
  } catch {
    // The failure itself is what matters; a missing failure screenshot changes nothing.
  }
} finally {
  await call('DELETE', `/session/${id}`).catch(() => undefined);
}
process.exit(failed ? 1 : 0);
