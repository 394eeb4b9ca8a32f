import { describe, expect, it, vi } from 'vitest';
import {
  createDesktopNotifier,
  permissionIntent,
  permissionOutcome,
  permissionText,
  shellNotifier,
  type NotificationApi,
} from './notify';

function fakeNotification(initial: NotificationPermission, answer: NotificationPermission = 'granted') {
  const shown: { title: string; options?: NotificationOptions }[] = [];
  const requestPermission = vi.fn(async () => {
    Fake.permission = answer;
    return answer;
  });
  class Fake {
    static permission: NotificationPermission = initial;
    static requestPermission = requestPermission;
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, options });
    }
  }
  return { api: Fake as unknown as NotificationApi, shown, requestPermission, fake: Fake };
}

describe('desktop notifier', () => {
  it('leaves notifications to the desktop shell inside the Duet window', async () => {
    expect(shellNotifier.permission()).toBe('shell');
    await expect(shellNotifier.requestPermission()).resolves.toBe('shell');
    expect(shellNotifier.show('t', 'b')).toBe(false);
    expect(permissionText('shell')).toMatch(/Duet window shows every alert/);
  });

  it('says unsupported and shows nothing without the API', async () => {
    const notifier = createDesktopNotifier(undefined);
    expect(notifier.permission()).toBe('unsupported');
    await expect(notifier.requestPermission()).resolves.toBe('unsupported');
    expect(notifier.show('t', 'b')).toBe(false);
    expect(permissionText('unsupported')).toMatch(/not available/);
  });

  it('shows nothing until permission is granted, then shows the alert', async () => {
    const { api, shown, requestPermission } = fakeNotification('default');
    const notifier = createDesktopNotifier(api);
    expect(notifier.permission()).toBe('default');
    expect(notifier.show('Duet alert', 'body')).toBe(false);
    expect(shown).toEqual([]);

    await expect(notifier.requestPermission()).resolves.toBe('granted');
    expect(requestPermission).toHaveBeenCalledTimes(1);
    expect(notifier.show('Duet alert: customers', '3 errors', 'duet-alert-customers')).toBe(true);
    expect(shown).toEqual([{ title: 'Duet alert: customers', options: { body: '3 errors', tag: 'duet-alert-customers' } }]);
  });

  it('asks only once: a decided permission is returned without asking again', async () => {
    const { api, requestPermission } = fakeNotification('denied');
    const notifier = createDesktopNotifier(api);
    await expect(notifier.requestPermission()).resolves.toBe('denied');
    expect(requestPermission).not.toHaveBeenCalled();
    expect(notifier.show('t', 'b')).toBe(false);
  });

  it('never throws when the host refuses to construct a notification', () => {
    const api = class {
      static permission: NotificationPermission = 'granted';
      static requestPermission = async () => 'granted' as const;
      constructor() {
        throw new TypeError('Illegal constructor');
      }
    } as unknown as NotificationApi;
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(createDesktopNotifier(api).show('t', 'b')).toBe(false);
    error.mockRestore();
  });
});

describe('the notification bar and the answer to asking', () => {
  it('is green once alerts reach the desktop', () => {
    expect(permissionIntent('granted')).toBe('success');
    expect(permissionIntent('shell')).toBe('success');
    expect(permissionIntent('default')).toBe('info');
    expect(permissionIntent('denied')).toBe('info');
    expect(permissionIntent('unsupported')).toBe('info');
  });

  it('confirms a grant and warns, with the reason, otherwise', () => {
    expect(permissionOutcome('granted')).toEqual({
      intent: 'success',
      title: 'Desktop notifications enabled',
      text: 'Alerts now also show as system notifications.',
    });
    expect(permissionOutcome('unsupported')).toEqual({
      intent: 'warning',
      title: 'Desktop notifications are not available',
      text: permissionText('unsupported'),
    });
    expect(permissionOutcome('denied')).toEqual({
      intent: 'warning',
      title: 'Desktop notifications not allowed',
      text: permissionText('denied'),
    });
    expect(permissionOutcome('default').title).toBe('Desktop notifications not allowed');
  });
});
