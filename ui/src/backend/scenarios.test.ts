import { describe, expect, it, vi } from 'vitest';
import { createHttpBackend, type HttpEnv } from './http';

describe('scenario commands over HTTP', () => {
  it('sends the scenario commands with their arguments', async () => {
    const fetchMock = vi.fn<HttpEnv['fetch']>(async () => new Response('null', { status: 200 }));
    const backend = createHttpBackend({
      fetch: fetchMock,
      location: { href: 'http://127.0.0.1:4000/', search: '' },
      history: { state: null, replaceState: () => {} },
      storage: { getItem: () => null, setItem: () => {} },
    });
    await backend.scenarios();
    await backend.scenarioPlan('new-data-new', { rows: 40, companies: ['DAT'] });
    await backend.startScenario('new-data-existing', { rows: 40, existingRows: 10, master: 'dataverse' });
    expect(await backend.scenarioRun()).toBeNull();
    await backend.scenarioMaps({ maps: ['customers'], choices: [{ map: 'customers', initialSync: false, master: 'dataverse' }] });
    await backend.bootstrapMap('customers', 'DAT', true);
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init?.body])).toEqual([
      ['/api/scenarios', '{}'],
      ['/api/scenario_plan', '{"id":"new-data-new","options":{"rows":40,"companies":["DAT"]}}'],
      ['/api/start_scenario', '{"id":"new-data-existing","options":{"rows":40,"existingRows":10,"master":"dataverse"}}'],
      ['/api/scenario_run', '{}'],
      [
        '/api/scenario_maps',
        '{"options":{"maps":["customers"],"choices":[{"map":"customers","initialSync":false,"master":"dataverse"}]}}',
      ],
      ['/api/bootstrap_map', '{"name":"customers","company":"DAT","dryRun":true}'],
    ]);
  });
});
