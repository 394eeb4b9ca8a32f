import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { DUET_ENV_FILE_VAR, DUET_KEYS, type DuetEnv } from './duet-env';

const STARTUP_TIMEOUT_MS = 120_000;

/** Starts `duet serve --sandbox` and returns the teardown that stops it. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const bin = path.resolve(process.env.DUET_BIN ?? '../target/debug/duet');
  const dir = mkdtempSync(path.join(tmpdir(), 'duet-e2e-'));
  const dataDir = path.join(dir, 'data');
  const log = createWriteStream(path.join(dir, 'duet.log'));

  // The specs also add the embedded sandbox's environments as cloud ones (not marked
  // sandbox), which Duet checks against the system's certificate authorities: for this backend
  // the system's authority is the sandbox's own (SSL_CERT_FILE, read when a client is built,
  // by then written), as on a machine whose administrator installed it.
  const child = spawn(bin, ['serve', '--sandbox', '--port', '0', '--data', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', SSL_CERT_FILE: path.join(dataDir, 'sandbox', 'ca.pem') },
  });

  const values: Partial<Record<string, string>> = {};
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`duet did not print DUET_UI_URL within ${STARTUP_TIMEOUT_MS / 1000}s (log: ${log.path})`)),
        STARTUP_TIMEOUT_MS,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`cannot start ${bin}: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`duet exited early (code ${code}, signal ${signal}); log: ${log.path}`));
      });
      // Keep draining both streams for the whole run so the server never blocks on a full pipe.
      child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        log.write(`${line}\n`);
        const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
        if (!match) return;
        values[match[1]] = match[2];
        if (match[1] === 'DUET_UI_URL') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    stop(child);
    throw error;
  }
  child.removeAllListeners('exit');

  // Give the other KEY=value lines (if printed after the URL) a moment to arrive.
  const deadline = Date.now() + 5_000;
  while (DUET_KEYS.some((k) => values[k] === undefined) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }

  const env: DuetEnv = {
    DUET_UI_URL: values.DUET_UI_URL ?? '',
    DUET_FO_URL: values.DUET_FO_URL ?? '',
    DUET_DV_URL: values.DUET_DV_URL ?? '',
    DUET_TOKEN_URL: values.DUET_TOKEN_URL ?? '',
    DUET_TENANT: values.DUET_TENANT ?? '',
    DUET_CLIENT_ID: values.DUET_CLIENT_ID ?? '',
    DUET_CA_FILE: values.DUET_CA_FILE ?? '',
    DUET_CLIENT_SECRET: values.DUET_CLIENT_SECRET ?? '',
    dataDir,
    logFile: path.join(dir, 'duet.log'),
  };
  const envFile = path.join(dir, 'duet-env.json');
  writeFileSync(envFile, JSON.stringify(env, null, 2));
  // Workers inherit the environment of the runner process.
  process.env[DUET_ENV_FILE_VAR] = envFile;
  for (const key of DUET_KEYS) process.env[key] = env[key];
  // The specs reach the sandbox over HTTPS themselves (tokens, rows, faults): the workers,
  // started after this, trust its certificate authority, and nothing else learns of it.
  process.env.NODE_EXTRA_CA_CERTS = env.DUET_CA_FILE;
  process.env.DUET_BIN = bin;

  const onExit = () => stop(child);
  process.once('exit', onExit);

  return async () => {
    process.off('exit', onExit);
    await stopAndWait(child);
    log.end();
    if (!process.env.DUET_E2E_KEEP) rmSync(dir, { recursive: true, force: true });
  };
}

function stop(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

async function stopAndWait(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}
