import type { ActivityEntry } from '../bindings/ActivityEntry';

/** A remote failure as the engine words it: `METHOD url failed (class): message — solution`. */
export interface FailureText {
  /** The request that failed, e.g. `PATCH http://…/accounts(…)`; null when the text names none. */
  request: string | null;
  /** The remote status or error class, e.g. `400`, `401/403`, `application`, `timeout`. */
  status: string | null;
  /** What went wrong, without the request and the solution. */
  error: string;
  /** What the admin does about it, when the message carries one. */
  solution: string | null;
}

const FAILED = /^([\s\S]*?) failed \(([^)]*)\): ([\s\S]*)$/;
/** The separator the engine puts between the remote's message and the written solution. */
const SOLUTION_SEPARATOR = ' — ';

/**
 * Splits a failure message into request, remote status, error text and
 * solution. Text that does not follow the engine's wording comes back whole
 * as the error, so nothing is ever lost.
 */
export function parseFailure(message: string): FailureText {
  let rest = message.trim();
  let solution: string | null = null;
  const cut = rest.lastIndexOf(SOLUTION_SEPARATOR);
  if (cut > 0) {
    solution = rest.slice(cut + SOLUTION_SEPARATOR.length).trim() || null;
    rest = rest.slice(0, cut).trim();
  }
  const match = FAILED.exec(rest);
  if (!match) return { request: null, status: null, error: rest, solution };
  return { request: match[1].trim() || null, status: match[2].trim() || null, error: match[3].trim(), solution };
}

/** A stored payload split into what Duet sent and what the remote answered. */
export interface PayloadParts {
  /** The row written or sent; undefined when nothing was stored. */
  sent: unknown;
  /** The remote's answer (parsed when it is JSON text); undefined when there was none. */
  remote: unknown;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON text; anything else (or text that does not parse) comes back as is. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

/**
 * A failure's payload is stored as `{"sent": …, "remote": …}` when the remote
 * answered; a written row is stored as the row itself. `null` means nothing
 * was stored.
 */
export function splitPayload(payload: unknown): PayloadParts {
  if (payload === null || payload === undefined) return { sent: undefined, remote: undefined };
  if (isPlainObject(payload) && 'remote' in payload && Object.keys(payload).every((k) => k === 'sent' || k === 'remote')) {
    return { sent: payload.sent ?? undefined, remote: parseMaybeJson(payload.remote) };
  }
  return { sent: payload, remote: undefined };
}

/** Pretty JSON for a detail panel and the clipboard; never throws. */
export function formatJson(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The newest failure logged for a map's row key, so a failed queued change
 * can show what was sent and what the remote said. `entries` may be in any order.
 */
export function lastFailureFor(
  entries: readonly ActivityEntry[],
  map: string,
  key: string | null,
): ActivityEntry | undefined {
  if (key === null) return undefined;
  let found: ActivityEntry | undefined;
  for (const e of entries) {
    if (e.kind === 'error' && e.status === 'failed' && e.map === map && e.key === key && (!found || e.id > found.id)) found = e;
  }
  return found;
}
