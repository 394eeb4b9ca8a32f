import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** A sandbox started apart from the one `duet serve` embeds, with its own certificate authority. */
export interface OtherSandbox {
  /** The KEY=value lines `duet sandbox up` printed (DUET_DV_URL, DUET_CA_FILE, …). */
  env: Record<string, string>;
  stop: () => Promise<void>;
}

/** Starts `duet sandbox up` in a fresh directory and waits for its settings. */
export async function startOtherSandbox(): Promise<OtherSandbox> {
  const bin = path.resolve(process.env.DUET_BIN ?? '../target/debug/duet');
  const dir = mkdtempSync(path.join(tmpdir(), 'duet-e2e-other-'));
  const child = spawn(bin, ['sandbox', 'up', '--dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const env: Record<string, string> = {};
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('duet sandbox up printed no DUET_CLIENT_SECRET within 60s')), 60_000);
    child.once('exit', (code) => reject(new Error(`duet sandbox up exited early (code ${code})`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (!match) return;
      env[match[1]] = match[2];
      if (match[1] === 'DUET_CLIENT_SECRET') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners('exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { env, stop };
}
