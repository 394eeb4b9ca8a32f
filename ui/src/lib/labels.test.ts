import { describe, expect, it } from 'vitest';
import type { MapState } from '../bindings/MapState';
import {
  canPause,
  canRun,
  directionLabel,
  fieldDirectionLabel,
  healthColor,
  kindLabel,
  stateColor,
  stateLabel,
  statusColor,
} from './labels';

const ALL: MapState[] = ['notRunning', 'initializing', 'running', 'paused', 'resuming', 'stopped', 'error'];

describe('map states', () => {
  it('has the human labels', () => {
    expect(ALL.map(stateLabel)).toEqual(['Not running', 'Initializing', 'Running', 'Paused', 'Resuming', 'Stopped', 'Error']);
  });
  it('colours running green and error red', () => {
    expect(stateColor('running')).toBe('success');
    expect(stateColor('error')).toBe('danger');
  });
  it('enables exactly one of run and pause in every state', () => {
    for (const s of ALL) expect(canRun(s) !== canPause(s)).toBe(true);
    expect(ALL.filter(canPause)).toEqual(['initializing', 'running', 'resuming']);
  });
});

describe('directions', () => {
  it('labels row directions', () => {
    expect(directionLabel('toDataverse')).toBe('F&O → Dataverse');
    expect(directionLabel('toFinanceOperations')).toBe('Dataverse → F&O');
    expect(directionLabel(null)).toBe('');
  });
  it('explains dual-write symbols', () => {
    expect(fieldDirectionLabel('=')).toBe('Two-way');
    expect(fieldDirectionLabel('>>')).toBe('To Dataverse');
    expect(fieldDirectionLabel('<')).toBe('To finance and operations');
    expect(fieldDirectionLabel('><')).toBe('Two-way with value map');
    expect(fieldDirectionLabel('?')).toBe('?');
  });
});

describe('other labels', () => {
  it('labels kinds', () => {
    expect(kindLabel('lifecycle')).toBe('Lifecycle');
    expect(kindLabel('row')).toBe('Row');
    expect(kindLabel('error')).toBe('Error');
  });
  it('colours health and status', () => {
    expect(healthColor('healthy')).toBe('success');
    expect(healthColor('unhealthy')).toBe('danger');
    expect(healthColor('unknown')).toBe('informative');
    expect(statusColor('ok')).toBe('success');
    expect(statusColor('Failed')).toBe('danger');
    expect(statusColor('ok', 'error')).toBe('danger');
    expect(statusColor('skipped')).toBe('informative');
  });
});
