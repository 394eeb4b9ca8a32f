import { describe, expect, it } from 'vitest';
import { backendFromInvoke, toApiError, type Invoke } from './types';

describe('toApiError', () => {
  it('keeps an ApiError as is', () => {
    expect(toApiError({ code: 'x', message: 'y', extra: 1 })).toEqual({ code: 'x', message: 'y' });
  });
  it('wraps strings and Errors', () => {
    expect(toApiError('bad')).toEqual({ code: 'error', message: 'bad' });
    expect(toApiError(new Error('worse'), 'network')).toEqual({ code: 'network', message: 'worse' });
    expect(toApiError(42)).toEqual({ code: 'error', message: 'Unknown error' });
  });
});

describe('backendFromInvoke', () => {
  it('routes the map lifecycle methods to their commands, as the Tauri transport sends them', async () => {
    const calls: [string, Record<string, unknown> | undefined][] = [];
    const invoke: Invoke = async <T,>(command: string, args?: Record<string, unknown>) => {
      calls.push([command, args]);
      return null as T;
    };
    const backend = backendFromInvoke('tauri', invoke, () => () => {}, async () => ({ kind: 'cancelled' }));
    await backend.mapVersions('vendors');
    await backend.rollbackMap('vendors', 1);
    await backend.importMaps({ maps: [] }, false);
    await backend.exportMaps([]);
    await backend.bulkMaps('pause', ['a', 'b']);
    await backend.bulkMaps('resume', ['a'], 'catch-up');
    await backend.runPlan(['a']);
    await backend.startPlan([{ map: 'a', initialSync: false, master: 'dataverse' }]);
    await backend.compareMaps({ remote: { url: 'http://127.0.0.1:1/?token=t' } });
    await backend.promoteMaps({ maps: [] }, 'release.json');
    await backend.logPage({ map: 'customers', kind: 'error', after: 42 }, 200);
    await backend.errorGroups('vendors-v2');
    await backend.errorGroups();
    await backend.retryErrorGroup({ map: 'vendors-v2', status: 'failed', errorClass: '400', pattern: 'p' }, true);
    expect(calls).toEqual([
      ['map_versions', { name: 'vendors' }],
      ['rollback_map', { name: 'vendors', version: 1 }],
      ['import_maps', { package: { maps: [] }, replace: false }],
      ['export_maps', { names: [] }],
      ['bulk_maps', { action: 'pause', names: ['a', 'b'] }],
      ['bulk_maps', { action: 'resume', names: ['a'], mode: 'catch-up' }],
      ['run_plan', { names: ['a'] }],
      ['start_plan', { steps: [{ map: 'a', initialSync: false, master: 'dataverse' }] }],
      ['compare_maps', { remote: { url: 'http://127.0.0.1:1/?token=t' } }],
      ['promote_maps', { package: { maps: [] }, source: 'release.json' }],
      ['log_page', { query: { map: 'customers', kind: 'error', after: 42 }, limit: 200 }],
      ['error_groups', { map: 'vendors-v2' }],
      ['error_groups', {}],
      ['retry_error_group', { map: 'vendors-v2', status: 'failed', errorClass: '400', pattern: 'p', dryRun: true }],
    ]);
  });
});
