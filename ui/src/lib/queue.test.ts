import { describe, expect, it } from 'vitest';
import type { MapState } from '../bindings/MapState';
import {
  canResume,
  canStop,
  countOf,
  discardConfirmation,
  isRetryable,
  queueStatusColor,
  queueStatusLabel,
  resumeDoneMessage,
  resumeOptionLabel,
  retryableCount,
  sideLabel,
  stopConfirmation,
} from './queue';

const ALL: MapState[] = ['notRunning', 'initializing', 'running', 'paused', 'resuming', 'stopped', 'error'];
const counts = (queued: number, parked = 0, failed = 0) => ({ title: 'Customers', queued, parked, failed });

describe('queue labels', () => {
  it('names sides briefly', () => {
    expect(sideLabel('financeOperations')).toBe('F&O');
    expect(sideLabel('dataverse')).toBe('Dataverse');
  });
  it('labels and colours statuses', () => {
    expect(queueStatusLabel('queued')).toBe('Queued');
    expect(queueStatusLabel('parked')).toBe('Parked');
    expect(queueStatusColor('failed')).toBe('danger');
    expect(queueStatusColor('parked')).toBe('warning');
  });
  it('retries only parked and failed changes', () => {
    expect(isRetryable({ status: 'queued' })).toBe(false);
    expect(isRetryable({ status: 'parked' })).toBe(true);
    expect(isRetryable({ status: 'failed' })).toBe(true);
    expect(retryableCount({ parked: 2, failed: 3 })).toBe(5);
  });
  it('pluralises counts', () => {
    expect(countOf(1, 'queued change')).toBe('1 queued change');
    expect(countOf(0, 'queued change')).toBe('0 queued changes');
    expect(countOf(2, 'entry', 'entries')).toBe('2 entries');
  });
});

describe('actions by state', () => {
  it('resumes only a paused map', () => {
    expect(ALL.filter(canResume)).toEqual(['paused']);
  });
  it('stops a map that is going, paused or in error', () => {
    expect(ALL.filter(canStop)).toEqual(['initializing', 'running', 'paused', 'resuming', 'error']);
  });
});

describe('resume texts', () => {
  it('says how many changes catch-up applies', () => {
    expect(resumeOptionLabel('catch-up', 3)).toBe('Catch up (apply 3 queued changes in order)');
    expect(resumeOptionLabel('catch-up', 1)).toBe('Catch up (apply 1 queued change in order)');
    expect(resumeOptionLabel('skip-keep', 3)).toBe('Skip to live, keep queue for retry');
    expect(resumeOptionLabel('skip-discard', 3)).toBe('Skip to live, discard queue');
  });
  it('reports what each resume did', () => {
    expect(resumeDoneMessage('skip-discard', 'Customers', 4)).toBe('Resumed Customers at live: 4 queued changes discarded');
    expect(resumeDoneMessage('skip-keep', 'Customers', 1)).toBe('Resumed Customers at live: 1 queued change parked for retry');
  });
  it('warns how many changes a discard drops', () => {
    expect(discardConfirmation(counts(12))).toMatch(/^12 queued changes .* will be dropped/);
    expect(discardConfirmation(counts(0))).toContain('nothing is dropped');
  });
});

describe('stop confirmation', () => {
  it('says cursors and queued changes are forgotten and the next run syncs from scratch', () => {
    const text = stopConfirmation(counts(5)).join(' ');
    expect(text).toContain('cursors are forgotten');
    expect(text).toContain('5 queued changes');
    expect(text).toContain('initial sync');
    expect(text).not.toContain('parked or failed');
  });
  it('mentions that parked and failed changes are kept', () => {
    expect(stopConfirmation(counts(0, 1, 1)).at(-1)).toBe('2 parked or failed changes stay in the queue for retry.');
  });
});
