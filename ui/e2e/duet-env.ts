import { readFileSync } from 'node:fs';

export const DUET_ENV_FILE_VAR = 'DUET_E2E_ENV_FILE';

/** The KEY=value lines `duet serve --sandbox` prints on startup. */
export const DUET_KEYS = [
  'DUET_UI_URL',
  'DUET_FO_URL',
  'DUET_DV_URL',
  'DUET_TOKEN_URL',
  'DUET_TENANT',
  'DUET_CLIENT_ID',
  'DUET_CA_FILE',
  'DUET_CLIENT_SECRET',
] as const;

export type DuetEnv = Record<(typeof DUET_KEYS)[number], string> & { dataDir: string; logFile: string };

/** Settings of the backend started by global-setup.ts. */
export function duetEnv(): DuetEnv {
  const file = process.env[DUET_ENV_FILE_VAR];
  if (!file) throw new Error(`${DUET_ENV_FILE_VAR} is not set: run the specs through playwright.config.ts`);
  return JSON.parse(readFileSync(file, 'utf8')) as DuetEnv;
}
