import { describe, expect, it, vi } from 'vitest';
import type { DuetEvent } from '../bindings/DuetEvent';
import { TOKEN_STORAGE_KEY, createHttpBackend, logCsvUrl, takeToken, type HttpEnv } from './http';

function memoryStorage(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial));
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    data,
  };
}

function pageEnv(href: string, stored: Record<string, string> = {}) {
  const location = { href, search: new URL(href).search };
  const replaced: string[] = [];
  const history = {
    state: null,
    replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)),
  };
  return { location, history, storage: memoryStorage(stored), replaced };
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

describe('takeToken', () => {
  it('takes the token from the URL, stores it and removes it from the address bar', () => {
    const env = pageEnv('http://127.0.0.1:4000/?token=XYZ&x=1#/maps');
    expect(takeToken(env)).toBe('XYZ');
    expect(env.storage.data.get(TOKEN_STORAGE_KEY)).toBe('XYZ');
    expect(env.replaced).toEqual(['/?x=1#/maps']);
  });
  it('falls back to sessionStorage and leaves the URL alone', () => {
    const env = pageEnv('http://127.0.0.1:4000/', { [TOKEN_STORAGE_KEY]: 'OLD' });
    expect(takeToken(env)).toBe('OLD');
    expect(env.replaced).toEqual([]);
  });
  it('prefers a fresh URL token to a stored one', () => {
    const env = pageEnv('http://127.0.0.1:4000/?token=NEW', { [TOKEN_STORAGE_KEY]: 'OLD' });
    expect(takeToken(env)).toBe('NEW');
    expect(env.storage.data.get(TOKEN_STORAGE_KEY)).toBe('NEW');
    expect(env.replaced).toEqual(['/']);
  });
  it('returns null without any token', () => {
    expect(takeToken(pageEnv('http://127.0.0.1:4000/'))).toBeNull();
  });
});

describe('http backend', () => {
  function setup(fetchImpl: HttpEnv['fetch'], env = pageEnv('http://127.0.0.1:4000/?token=T0K')) {
    return createHttpBackend({ ...env, fetch: fetchImpl });
  }

  it('POSTs commands with the bearer token and camelCase args', async () => {
    const fetchMock = vi.fn<HttpEnv['fetch']>(async () => jsonResponse(200, []));
    const backend = setup(fetchMock);
    await backend.activity(500);
    await backend.runMap('customers');
    await backend.link();
    const calls = fetchMock.mock.calls.map(([url, init]) => [
      url,
      init?.method,
      (init?.headers as Record<string, string>).Authorization,
      init?.body,
    ]);
    expect(calls).toEqual([
      ['/api/activity', 'POST', 'Bearer T0K', '{"limit":500}'],
      ['/api/run_map', 'POST', 'Bearer T0K', '{"name":"customers"}'],
      ['/api/link', 'POST', 'Bearer T0K', '{}'],
    ]);
  });

  it('sends the queue commands with camelCase args and leaves out absent ones', async () => {
    const fetchMock = vi.fn<HttpEnv['fetch']>(async () => jsonResponse(200, []));
    const backend = setup(fetchMock);
    await backend.resumeMap('customers', 'skip-keep');
    await backend.stopMap('customers');
    await backend.queuedChanges('customers');
    await backend.queuedChanges('customers', { key: 'DAT|C1', limit: 50 });
    await backend.queuedChanges('customers', { key: '' });
    await backend.retryChanges('customers');
    await backend.retryChanges('customers', 7);
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init?.body])).toEqual([
      ['/api/resume_map', '{"name":"customers","mode":"skip-keep"}'],
      ['/api/stop_map', '{"name":"customers"}'],
      ['/api/queued_changes', '{"name":"customers"}'],
      ['/api/queued_changes', '{"name":"customers","key":"DAT|C1","limit":50}'],
      ['/api/queued_changes', '{"name":"customers"}'],
      ['/api/retry_changes', '{"name":"customers"}'],
      ['/api/retry_changes', '{"name":"customers","seq":7}'],
    ]);
  });

  it('sends the alert-rule commands with their arguments', async () => {
    const fetchMock = vi.fn<HttpEnv['fetch']>(async () => jsonResponse(200, null));
    const backend = setup(fetchMock);
    const rule = { id: null, map: null, class: '400', threshold: 1, windowMinutes: 5, action: 'none' as const, enabled: true };
    await backend.alertRules();
    await backend.saveAlertRule(rule);
    await backend.deleteAlertRule(3);
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init?.body])).toEqual([
      ['/api/alert_rules', '{}'],
      ['/api/save_alert_rule', JSON.stringify({ rule })],
      ['/api/delete_alert_rule', '{"id":3}'],
    ]);
  });

  it('sends the environment and link commands with camelCase args', async () => {
    const fetchMock = vi.fn<HttpEnv['fetch']>(async () => jsonResponse(200, null));
    const backend = setup(fetchMock);
    const environment = {
      kind: 'dataverse' as const,
      name: 'Test',
      url: 'https://test.crm.dynamics.com',
      tokenUrl: '',
      tenant: 'contoso.onmicrosoft.com',
      clientId: 'app',
      clientSecret: 's3cret',
      sandbox: false,
    };
    await backend.environments();
    await backend.addEnvironment(environment);
    await backend.updateEnvironment(4, environment);
    await backend.removeEnvironment(4);
    await backend.testConnection(2);
    await backend.legalEntities(1);
    await backend.linkEnvironments(1, 2, ['DAT', 'USMF']);
    await backend.setLinkCompanies(['DAT']);
    await backend.resetPlan();
    await backend.resetLink('Contoso', true);
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init?.body])).toEqual([
      ['/api/environments', '{}'],
      ['/api/add_environment', JSON.stringify({ environment })],
      ['/api/update_environment', JSON.stringify({ id: 4, environment })],
      ['/api/remove_environment', '{"id":4}'],
      ['/api/test_connection', '{"id":2}'],
      ['/api/legal_entities', '{"id":1}'],
      ['/api/link_environments', '{"financeOperationsId":1,"dataverseId":2,"companies":["DAT","USMF"]}'],
      ['/api/set_link_companies', '{"companies":["DAT"]}'],
      ['/api/reset_plan', '{}'],
      ['/api/reset_link', '{"confirm":"Contoso","relink":true}'],
    ]);
  });

  it('sends the map lifecycle commands with their arguments and leaves out absent ones', async () => {
    const fetchMock = vi.fn<HttpEnv['fetch']>(async () => jsonResponse(200, null));
    const backend = setup(fetchMock);
    const map = { name: 'customers', fields: [] };
    const pkg = { format: 'duet.maps', version: 1, maps: [map] };
    await backend.saveMap(map, 'credit limit one-way');
    await backend.saveMap(map, '   ');
    await backend.mapVersions('customers');
    await backend.mapDiff('customers', 1, 3);
    await backend.rollbackMap('customers', 2);
    await backend.exportMaps(['customers']);
    await backend.importMaps(pkg, true);
    await backend.previewMap(map, 4);
    await backend.previewMap(map);
    expect(fetchMock.mock.calls.map(([url, init]) => [url, init?.body])).toEqual([
      ['/api/save_map', JSON.stringify({ map, note: 'credit limit one-way' })],
      ['/api/save_map', JSON.stringify({ map })],
      ['/api/map_versions', '{"name":"customers"}'],
      ['/api/map_diff', '{"name":"customers","from":1,"to":3}'],
      ['/api/rollback_map', '{"name":"customers","version":2}'],
      ['/api/export_maps', '{"names":["customers"]}'],
      ['/api/import_maps', JSON.stringify({ package: pkg, replace: true })],
      ['/api/preview_map', JSON.stringify({ map, limit: 4 })],
      ['/api/preview_map', JSON.stringify({ map })],
    ]);
  });

  it('returns null for a JSON null link', async () => {
    const backend = setup(async () => jsonResponse(200, null));
    await expect(backend.link()).resolves.toBeNull();
  });

  it('rejects with the ApiError body on non-2xx', async () => {
    const backend = setup(async () => jsonResponse(404, { code: 'unknownMap', message: 'No map named x' }));
    await expect(backend.pauseMap('x')).rejects.toEqual({ code: 'unknownMap', message: 'No map named x' });
  });

  it('rejects with an http code when the body is not an ApiError', async () => {
    const backend = setup(async () => new Response('boom', { status: 500, statusText: 'Internal Server Error' }));
    await expect(backend.maps()).rejects.toEqual({ code: 'http500', message: 'boom' });
  });

  it('wraps network failures as code "network"', async () => {
    const backend = setup(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(backend.maps()).rejects.toMatchObject({ code: 'network' });
    await expect(backend.maps()).rejects.toHaveProperty('message', expect.stringContaining('Failed to fetch'));
  });

  it('subscribes to /api/events with the token and parses each message', () => {
    const sources: FakeSource[] = [];
    class FakeSource {
      onmessage: ((m: MessageEvent) => void) | null = null;
      onerror: (() => void) | null = null;
      closed = false;
      constructor(public url: string) {
        sources.push(this);
      }
      close() {
        this.closed = true;
      }
    }
    const env = pageEnv('http://127.0.0.1:4000/?token=a b');
    const backend = createHttpBackend({
      ...env,
      fetch: async () => jsonResponse(200, null),
      EventSource: FakeSource as unknown as HttpEnv['EventSource'],
    });
    const seen: DuetEvent[] = [];
    const stop = backend.subscribe((e) => seen.push(e));
    expect(sources[0].url).toBe('/api/events?token=a%20b');
    const event: DuetEvent = {
      type: 'activity',
      entry: {
        id: 1,
        at: '2024-01-01T00:00:00Z',
        map: 'customers',
        kind: 'lifecycle',
        direction: null,
        key: null,
        operation: null,
        status: 'ok',
        message: 'started',
        latencyMs: null,
        payload: null,
        errorClass: null,
      },
    };
    sources[0].onmessage?.({ data: JSON.stringify(event) } as MessageEvent);
    expect(seen).toEqual([event]);
    stop();
    expect(sources[0].closed).toBe(true);
  });
});

describe('activity CSV export over HTTP', () => {
  it('puts the filters and the token in the URL, leaving out the cursor and empty filters', () => {
    const url = logCsvUrl({ map: 'vendors-v2', errorClass: '401/403', text: 'a b', after: 42, offset: 7, kind: null, order: 'newestFirst' }, 'T 0');
    const parsed = new URL(url, 'http://127.0.0.1');
    expect(parsed.pathname).toBe('/api/logs.csv');
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      map: 'vendors-v2',
      errorClass: '401/403',
      text: 'a b',
      order: 'newestFirst',
      token: 'T 0',
    });
  });
  it('starts a browser download of that URL with the session token', async () => {
    const urls: string[] = [];
    const env = pageEnv('http://127.0.0.1:4000/?token=T0K');
    const backend = createHttpBackend({ ...env, fetch: vi.fn<HttpEnv['fetch']>(), download: (url) => urls.push(url) });
    await expect(backend.exportActivityCsv({ map: 'customers', pattern: "x '…'" })).resolves.toEqual({ kind: 'download' });
    expect(urls).toHaveLength(1);
    const params = new URL(urls[0], 'http://127.0.0.1:4000').searchParams;
    expect([params.get('map'), params.get('pattern'), params.get('token')]).toEqual(['customers', "x '…'", 'T0K']);
  });
});
