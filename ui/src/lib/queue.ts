import type { EnvironmentKind } from '../bindings/EnvironmentKind';
import type { MapState } from '../bindings/MapState';
import type { MapView } from '../bindings/MapView';
import type { QueueStatus } from '../bindings/QueueStatus';
import type { QueuedChangeView } from '../bindings/QueuedChangeView';
import type { ResumeMode } from '../bindings/ResumeMode';
import { formatCount } from './format';
import type { BadgeColor } from './labels';

/** Short side name for queue tables. */
export function sideLabel(side: EnvironmentKind): string {
  return side === 'financeOperations' ? 'F&O' : 'Dataverse';
}

const QUEUE_STATUS_LABELS: Record<QueueStatus, string> = { queued: 'Queued', parked: 'Parked', failed: 'Failed' };
const QUEUE_STATUS_COLORS: Record<QueueStatus, BadgeColor> = {
  queued: 'informative',
  parked: 'warning',
  failed: 'danger',
};

export function queueStatusLabel(status: QueueStatus): string {
  return QUEUE_STATUS_LABELS[status] ?? status;
}

export function queueStatusColor(status: QueueStatus): BadgeColor {
  return QUEUE_STATUS_COLORS[status] ?? 'informative';
}

/** Only parked and failed changes can be put back in the queue. */
export function isRetryable(change: Pick<QueuedChangeView, 'status'>): boolean {
  return change.status === 'parked' || change.status === 'failed';
}

/** Parked plus failed: what "Retry all" would queue again. */
export function retryableCount(map: Pick<MapView, 'parked' | 'failed'>): number {
  return map.parked + map.failed;
}

/** "1 queued change", "1,204 queued changes". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

/** Resume applies to a paused map only. */
export function canResume(state: MapState): boolean {
  return state === 'paused';
}

/** Stop makes sense whenever the map has something to forget or a task to end. */
export function canStop(state: MapState): boolean {
  return (
    state === 'running' ||
    state === 'initializing' ||
    state === 'paused' ||
    state === 'resuming' ||
    state === 'error'
  );
}

/** The menu text for each resume mode, given how many changes are queued. */
export function resumeOptionLabel(mode: ResumeMode, queued: number): string {
  switch (mode) {
    case 'catch-up':
      return `Catch up (apply ${countOf(queued, 'queued change')} in order)`;
    case 'skip-keep':
      return 'Skip to live, keep queue for retry';
    case 'skip-discard':
      return 'Skip to live, discard queue';
    default:
      return String(mode);
  }
}

/** A longer explanation shown under each resume option. */
export function resumeOptionHint(mode: ResumeMode, queued: number): string {
  switch (mode) {
    case 'catch-up':
      return 'Nothing is lost; live changes wait until the queue is applied.';
    case 'skip-keep':
      return `${countOf(queued, 'queued change')} set aside as parked; retry them later from the queue.`;
    case 'skip-discard':
      return `${countOf(queued, 'queued change')} dropped for good.`;
    default:
      return '';
  }
}

/** What the toast says after a successful resume. */
export function resumeDoneMessage(mode: ResumeMode, title: string, queued: number): string {
  switch (mode) {
    case 'catch-up':
      return `Resumed ${title}: catching up on ${countOf(queued, 'queued change')}`;
    case 'skip-keep':
      return `Resumed ${title} at live: ${countOf(queued, 'queued change')} parked for retry`;
    case 'skip-discard':
      return `Resumed ${title} at live: ${countOf(queued, 'queued change')} discarded`;
    default:
      return `Resumed ${title}`;
  }
}

/** The confirmation text for skip-and-discard. */
export function discardConfirmation(map: Pick<MapView, 'title' | 'queued'>): string {
  if (map.queued === 0) return `${map.title} has no queued changes; it resumes at live and nothing is dropped.`;
  return (
    `${countOf(map.queued, 'queued change')} captured while ${map.title} was paused will be dropped ` +
    'and never applied to the other side. The map then resumes with live changes only. This cannot be undone.'
  );
}

/** The confirmation text for Stop: exactly what the backend forgets. */
export function stopConfirmation(map: Pick<MapView, 'title' | 'queued' | 'parked' | 'failed'>): string[] {
  const lines = [
    `${map.title} stops syncing now.`,
    `Its change-tracking cursors are forgotten, and so ${
      map.queued === 0 ? 'is its queue (no changes are queued now)' : `are its ${countOf(map.queued, 'queued change')}`
    }: they will not be applied.`,
    'The next run starts with an initial sync of the whole table.',
  ];
  const kept = retryableCount(map);
  if (kept > 0) lines.push(`${countOf(kept, 'parked or failed change', 'parked or failed changes')} stay in the queue for retry.`);
  return lines;
}
