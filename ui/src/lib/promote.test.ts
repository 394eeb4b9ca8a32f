import { describe, expect, it } from 'vitest';
import type { MapComparisonView } from '../bindings/MapComparisonView';
import type { PromotionReport } from '../bindings/PromotionReport';
import {
  changeSummary,
  comparisonHeadline,
  outcomeText,
  parseRemoteUrl,
  promotableNames,
  promoteLabel,
  reportSummary,
  toggleChoice,
} from './promote';

const map = (name: string, status: MapComparisonView['status'], extra: Partial<MapComparisonView> = {}): MapComparisonView => ({
  name,
  title: name,
  status,
  hereVersion: status === 'added' ? null : 3,
  running: false,
  diff: null,
  ...extra,
});

const comparison = {
  maps: [
    map('units', 'added'),
    map('customers', 'changed', {
      diff: {
        name: 'customers',
        from: 3,
        to: 4,
        properties: [],
        fields: [{ field: 'SalesMemo', change: 'changed', path: '$.fields[5]', changes: [], before: null, after: null }],
      },
    }),
    map('currencies', 'unchanged'),
    map('vendors', 'removed'),
  ],
};

describe('choosing maps to promote', () => {
  it('chooses the added and changed maps, in comparison order', () => {
    expect(promotableNames(comparison)).toEqual(['units', 'customers']);
  });
  it('keeps comparison order when a map is chosen again, and never chooses one promoting cannot change', () => {
    expect(toggleChoice(comparison, ['units'], 'customers', true)).toEqual(['units', 'customers']);
    expect(toggleChoice(comparison, ['customers'], 'units', true)).toEqual(['units', 'customers']);
    expect(toggleChoice(comparison, ['units', 'customers'], 'units', false)).toEqual(['customers']);
    expect(toggleChoice(comparison, [], 'vendors', true)).toEqual([]);
  });
  it('names the button by the count', () => {
    expect(promoteLabel(1)).toBe('Promote 1 map');
    expect(promoteLabel(2)).toBe('Promote 2 maps');
    expect(promoteLabel(0)).toBe('Nothing to promote');
  });
});

describe('the comparison', () => {
  it('counts each status, calling maps not in the source "only here"', () => {
    expect(comparisonHeadline(comparison)).toBe('1 added, 1 changed, 1 unchanged, 1 only here');
    expect(comparisonHeadline({ maps: [] })).toBe('No maps on either side');
  });
  it('summarises what differs with the versions', () => {
    expect(changeSummary(comparison.maps[1])).toBe('v3 → v4: 1 field');
    expect(changeSummary(comparison.maps[0])).toBe('New map, added stopped');
    expect(changeSummary(comparison.maps[3])).toBe('v3, kept');
    const both = { ...comparison.maps[1], diff: { ...comparison.maps[1].diff!, properties: [{ path: '$.title', before: 'a', after: 'b' }, { path: '$.note', before: null, after: 'c' }] } };
    expect(changeSummary(both)).toBe('v3 → v4: 1 field, 2 properties');
  });
});

describe('another Duet', () => {
  it('takes the DUET_UI_URL with its token', () => {
    expect(parseRemoteUrl(' http://127.0.0.1:4000/?token=abc ')).toEqual({ ok: true, remote: { url: 'http://127.0.0.1:4000/?token=abc' } });
  });
  it('refuses an address without a token, or not an address', () => {
    const noToken = parseRemoteUrl('http://127.0.0.1:4000/');
    expect(noToken.ok).toBe(false);
    if (!noToken.ok) expect(noToken.error.message).toMatch(/token/);
    expect(parseRemoteUrl('duet at home').ok).toBe(false);
    expect(parseRemoteUrl('ftp://x/?token=a').ok).toBe(false);
  });
});

describe('the report', () => {
  it('says what happened to each map', () => {
    expect(outcomeText({ kind: 'updated', from: 3, to: 4, running: true })).toBe('Updated v3 → v4; the running map takes it at its next safe point');
    expect(outcomeText({ kind: 'added', version: 1 })).toBe('Added as version 1, stopped');
    expect(outcomeText({ kind: 'refused', codes: ['DW-V016'], message: 'has DW-V016' })).toBe('Refused: has DW-V016');
  });
  it('sums up a promotion, or why nothing was promoted', () => {
    const done: PromotionReport = {
      source: 'release.json',
      promoted: true,
      maps: [
        { name: 'units', outcome: { kind: 'added', version: 1 } },
        { name: 'customers', outcome: { kind: 'updated', from: 3, to: 4, running: false } },
        { name: 'currencies', outcome: { kind: 'unchanged' } },
      ],
    };
    expect(reportSummary(done)).toEqual({ intent: 'success', title: 'Promoted 2 maps from release.json' });
    const refused: PromotionReport = {
      source: 'x',
      promoted: false,
      maps: [
        { name: 'customers', outcome: { kind: 'refused', codes: ['DW-V016'], message: 'm' } },
        { name: 'units', outcome: { kind: 'notApplied' } },
      ],
    };
    expect(reportSummary(refused)).toEqual({ intent: 'error', title: 'Nothing was promoted: 1 map refuses its new definition' });
  });
});
