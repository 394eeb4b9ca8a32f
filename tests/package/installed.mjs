// Starts Duet as installed, through tauri-driver: the .deb's binary on a fresh home shows the
// Environments page with the sandbox linked; a second copy started meanwhile on the same data
// directory refuses with the lock's message and opens no window of its own; then the AppImage
// starts on the same data and shows the same page.
import { spawn, execFileSync } from 'node:child_process';
import { assertPaneShown, call, linkedSandboxShown, openSession, screenshot, waitFor } from '../webdriver/driver.mjs';

const [installed, appImage, work] = process.argv.slice(2);
const MAIN_TITLE = 'Duet — dual-write administration';

function windowsNamed(name) {
  try {
    return execFileSync('xdotool', ['search', '--onlyvisible', '--name', name], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // xdotool exits 1 when nothing matches
  }
}

/// A second copy on the data directory the first holds: it says why it cannot start, on
/// standard error and in a message window, opens no main window, and ends with status 1
/// once the message is closed.
async function secondCopyRefuses() {
  const second = spawn(installed, [], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  second.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => second.on('exit', (code) => resolve(code)));
  try {
    await waitFor('the second copy to say why it cannot start', 60, () =>
      stderr.includes('is in use by another Duet process'),
    );
    const [dialog] = await waitFor('the message window', 30, () => {
      const found = windowsNamed('Duet cannot start');
      return found.length > 0 ? found : null;
    });
    execFileSync('import', ['-window', 'root', `${work}/second-copy-refused.png`]);
    const mains = windowsNamed(MAIN_TITLE);
    if (mains.length !== 1) throw new Error(`${mains.length} main windows are open; the second copy opened one`);
    execFileSync('xdotool', ['windowfocus', '--sync', dialog, 'key', 'Return']);
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('running'), 20000))]);
    if (code !== 1) throw new Error(`the second copy ended with ${code} after its message was closed, not 1`);
    console.log(`installed app: a second copy refused to start (${stderr.trim().split('\n').pop()})`);
  } finally {
    second.kill('SIGKILL');
  }
}

async function showsLinkedSandbox(application, name, check = async () => undefined) {
  const id = await openSession(application);
  try {
    await linkedSandboxShown(id);
    const title = await call('GET', `/session/${id}/title`);
    if (!title.startsWith('Duet')) throw new Error(`unexpected page title '${title}'`);
    assertPaneShown(await screenshot(id, `${work}/${name}-environments.png`), `the ${name}'s Environments page`);
    console.log(`installed app: the ${name} showed the Environments page with the sandbox linked`);
    await check();
  } catch (error) {
    await screenshot(id, `${work}/${name}-failure.png`).catch(() => undefined);
    throw error;
  } finally {
    await call('DELETE', `/session/${id}`).catch(() => undefined);
  }
}

try {
  await showsLinkedSandbox(installed, 'deb', secondCopyRefuses);
  // The first copy has gone with its session; the AppImage reopens the same data.
  await waitFor('the first copy to end', 30, () => windowsNamed(MAIN_TITLE).length === 0);
  await showsLinkedSandbox(appImage, 'AppImage');
} catch (error) {
  console.error(`installed app: ${error.message}`);
  process.exit(1);
}
