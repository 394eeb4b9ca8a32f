// What the WebDriver tests of the real window share: calls to tauri-driver, waiting for a
// condition, a session on an application, the Environments page with the linked sandbox
// pair, and a screenshot of what the window shows.
import { writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

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
  const png = Buffer.from(await call('GET', `/session/${id}/screenshot`), 'base64');
  writeFileSync(path, png);
  return png;
}

/// The pixels of an 8-bit RGB or RGBA, non-interlaced PNG (what WebKit's screenshots are):
/// `{ width, height, channels, rows }`, `rows[y]` a Buffer of one row's samples.
export function decodePng(png) {
  let offset = 8;
  let header;
  const data = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8], color: body[9], interlace: body[12] };
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const channels = { 2: 3, 6: 4 }[header?.color];
  if (!channels || header.depth !== 8 || header.interlace !== 0) {
    throw new Error(`a screenshot in a PNG form this reader does not know: ${JSON.stringify(header)}`);
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = header.width * channels;
  const rows = [];
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < header.height; y += 1) {
    const start = y * (stride + 1);
    const filter = raw[start];
    const row = Buffer.from(raw.subarray(start + 1, start + 1 + stride));
    for (let x = 0; x < stride; x += 1) {
      const left = x >= channels ? row[x - channels] : 0;
      const up = previous[x];
      const upLeft = x >= channels ? previous[x - channels] : 0;
      const p = left + up - upLeft;
      const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
      const paeth = pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      const predictor = [0, left, up, (left + up) >> 1, paeth][filter];
      row[x] = (row[x] + predictor) & 0xff;
    }
    rows.push(row);
    previous = row;
  }
  return { width: header.width, height: header.height, channels, rows };
}

/// Fails when the screenshot's content pane (right of the navigation, below the header) is
/// all one colour: the DOM held the page, but the window showed an empty pane.
export function assertPaneShown(png, what) {
  const image = decodePng(png);
  const colours = new Set();
  for (let y = Math.floor(image.height * 0.15); y < image.height; y += 2) {
    const row = image.rows[y];
    for (let x = Math.floor(image.width * 0.25); x < image.width; x += 2) {
      const at = x * image.channels;
      colours.add((row[at] << 16) | (row[at + 1] << 8) | row[at + 2]);
    }
  }
  if (colours.size < 16) {
    throw new Error(`the screenshot of ${what} shows an empty pane (${colours.size} colours)`);
  }
  return colours.size;
}
