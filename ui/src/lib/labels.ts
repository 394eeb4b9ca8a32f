import type { ActivityKind } from '../bindings/ActivityKind';
import type { Direction } from '../bindings/Direction';
import type { EnvironmentKind } from '../bindings/EnvironmentKind';
import type { HealthStatus } from '../bindings/HealthStatus';
import type { MapState } from '../bindings/MapState';

export type BadgeColor = 'brand' | 'danger' | 'important' | 'informative' | 'severe' | 'subtle' | 'success' | 'warning';

const STATE_LABELS: Record<MapState, string> = {
  notRunning: 'Not running',
  initializing: 'Initializing',
  running: 'Running',
  paused: 'Paused',
  resuming: 'Resuming',
  stopped: 'Stopped',
  error: 'Error',
};

const STATE_COLORS: Record<MapState, BadgeColor> = {
  notRunning: 'informative',
  initializing: 'brand',
  running: 'success',
  paused: 'warning',
  resuming: 'brand',
  stopped: 'informative',
  error: 'danger',
};

export function stateLabel(state: MapState): string {
  return STATE_LABELS[state] ?? state;
}

export function stateColor(state: MapState): BadgeColor {
  return STATE_COLORS[state] ?? 'informative';
}

/** Run makes sense when the map is not already going. */
export function canRun(state: MapState): boolean {
  return state === 'notRunning' || state === 'paused' || state === 'stopped' || state === 'error';
}

/** Pause makes sense while the map is going (a catch-up can be paused again). */
export function canPause(state: MapState): boolean {
  return state === 'running' || state === 'initializing' || state === 'resuming';
}

export function directionLabel(direction: Direction | null): string {
  switch (direction) {
    case 'toDataverse':
      return 'F&O → Dataverse';
    case 'toFinanceOperations':
      return 'Dataverse → F&O';
    default:
      return '';
  }
}

export function kindLabel(kind: ActivityKind): string {
  switch (kind) {
    case 'lifecycle':
      return 'Lifecycle';
    case 'row':
      return 'Row';
    case 'error':
      return 'Error';
    default:
      return String(kind);
  }
}

export function environmentKindLabel(kind: EnvironmentKind): string {
  return kind === 'financeOperations' ? 'Finance and operations' : 'Dataverse';
}

export function healthLabel(status: HealthStatus): string {
  switch (status) {
    case 'healthy':
      return 'Healthy';
    case 'unhealthy':
      return 'Unhealthy';
    default:
      return 'Unknown';
  }
}

export function healthColor(status: HealthStatus): BadgeColor {
  switch (status) {
    case 'healthy':
      return 'success';
    case 'unhealthy':
      return 'danger';
    default:
      return 'informative';
  }
}

/** Badge colour for a free-form activity status string such as "ok" or "failed". */
export function statusColor(status: string, kind?: ActivityKind): BadgeColor {
  const s = status.toLowerCase();
  if (kind === 'error' || /(error|fail|reject|conflict)/.test(s)) return 'danger';
  if (/(warn|retry|throttl)/.test(s)) return 'warning';
  if (/(skip|ignor|unchanged)/.test(s)) return 'informative';
  if (/^(ok|success|succeeded|synced|done|created|updated|deleted|applied|started|running)$/.test(s)) return 'success';
  return 'informative';
}

/** Human meaning of the dual-write direction symbols. */
export function fieldDirectionLabel(symbol: string): string {
  switch (symbol.trim()) {
    case '=':
      return 'Two-way';
    case '>':
    case '>>':
      return 'To Dataverse';
    case '<':
    case '<<':
      return 'To finance and operations';
    case '><':
      return 'Two-way with value map';
    default:
      return symbol;
  }
}
