// What the WebDriver tests of the real window share: calls to tauri-driver, waiting for a
// condition, a session on an application, the Environments page with the linked sandbox
// pair, and a screenshot of what the window shows.
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const driver = `http://127.0.0.1:${process.env.DUET_WEBDRIVER_PORT ?? '4444'}`;

export async function call(method, path, body) {
  const response = await fetch(`${driver}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) {
    throw new Error(`${method} ${path} -> ${response.status}: ${JSON.stringify(json)}`);
  }
  return json.value;
}

export async function waitFor(what, seconds, probe) {
  const deadline = Date.now() + seconds * 1000;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const result = await probe();
      if (result) return result;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

/// A new session on `application` (a path); its id.
export async function openSession(application) {
  await waitFor('tauri-driver to listen', 30, async () => (await fetch(`${driver}/status`)).ok);
  const session = await call('POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application } } },
  });
  return session.sessionId;
}

export const byTestId = (id, testId) =>
  call('POST', `/session/${id}/element`, { using: 'css selector', value: `[data-testid="${testId}"]` });

export const textOf = (id, element) => call('GET', `/session/${id}/element/${Object.values(element)[0]}/text`);

/// Waits for the Environments page to show both sandbox environments, linked, with their
/// health checks; the page's text.
export async function linkedSandboxShown(id) {
  const page = await waitFor('the environments page', 60, () => byTestId(id, 'page-environments'));
  const text = await waitFor('the linked sandbox pair with its health checks', 90, async () => {
    const current = await textOf(id, page);
    if (!current.includes('Sandbox Dataverse')) return null;
    // The checks sit below the fold; WebDriver's element text leaves out what is scrolled
    // away, so the check's own element is looked up and its text read once in view.
    const check = await call('POST', `/session/${id}/element`, {
      using: 'css selector',
      value: '[data-testid$="-DUET-H001"]',
    }).catch(() => null);
    if (!check) return null;
    await call('POST', `/session/${id}/execute/sync`, {
      script: 'arguments[0].scrollIntoView({block: "center"});',
      args: [check],
    });
    const checkText = await textOf(id, check);
    return checkText.includes('DUET-H001') ? `${current}\n${checkText}` : null;
  });
  if (!text.includes('Sandbox finance and operations')) {
    throw new Error(`the finance and operations environment is not shown: ${text}`);
  }
  return text;
}

/// Saves a screenshot of the window. WebKit may hand back the last painted frame, which can
/// still be the loading state or a pane scrolled but not yet painted again, so two animation
/// frames and a moment pass first.
export async function screenshot(id, path) {
  await call('POST', `/session/${id}/execute/async`, {
    script:
      'const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 750)));',
    args: [],
  });
  const png = await call('GET', `/session/${id}/screenshot`);
  writeFileSync(path, Buffer.from(png, 'base64'));
  return path;
}

/// Fails when the screenshot at `path` shows an empty content pane (right of the navigation,
/// below the header, all one colour): the DOM held the page, but the window did not show it.
/// ImageMagick's `identify` counts the colours; the number is returned.
export function assertPaneShown(path, what) {
  const [width, height] = execFileSync('identify', ['-format', '%w %h', path], { encoding: 'utf8' })
    .trim()
    .split(' ')
    .map(Number);
  const [left, top] = [Math.floor(width * 0.25), Math.floor(height * 0.15)];
  const pane = `${path}[${width - left}x${height - top}+${left}+${top}]`;
  const colours = Number(execFileSync('identify', ['-format', '%k', pane], { encoding: 'utf8' }).trim());
  if (!(colours >= 16)) {
    throw new Error(`the screenshot of ${what} shows an empty pane (${colours} colours)`);
  }
  return colours;
}
