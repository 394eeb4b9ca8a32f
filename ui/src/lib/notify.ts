/**
 * System notifications through the standard Web Notifications API, behind a
 * small interface so the UI can be tested with a fake `Notification`.
 */

/** `shell`: the desktop window shows alerts as system notifications itself. */
export type DesktopPermission = 'unsupported' | 'default' | 'granted' | 'denied' | 'shell';

/** The part of the Web Notifications API this module uses. */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  new (title: string, options?: NotificationOptions): unknown;
}

export interface DesktopNotifier {
  /** What the browser or desktop window allows now. */
  permission(): DesktopPermission;
  /** Asks once; answers "unsupported" when there is no Notifications API. */
  requestPermission(): Promise<DesktopPermission>;
  /** Shows a system notification when allowed; returns whether one was shown. Never throws. */
  show(title: string, body: string, tag?: string): boolean;
}

export function createDesktopNotifier(api: NotificationApi | undefined): DesktopNotifier {
  return {
    permission: () => (api ? api.permission : 'unsupported'),
    async requestPermission() {
      if (!api) return 'unsupported';
      if (api.permission !== 'default') return api.permission;
      try {
        return await api.requestPermission();
      } catch {
        return api.permission;
      }
    },
    show(title, body, tag) {
      if (!api || api.permission !== 'granted') return false;
      try {
        new api(title, { body, tag });
        return true;
      } catch (error) {
        // Some hosts (e.g. Android Chrome) only allow notifications from a service worker.
        console.error('duet: cannot show a notification', error);
        return false;
      }
    },
  };
}

/**
 * In the Duet desktop window the shell turns every alert into a system notification, so the
 * page shows none itself (that would show each alert twice).
 */
export const shellNotifier: DesktopNotifier = {
  permission: () => 'shell',
  requestPermission: async () => 'shell',
  show: () => false,
};

/** The notifier of this page: the shell's in the desktop window, else the Web API when the host has one. */
export const desktopNotifier: DesktopNotifier =
  typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window
    ? shellNotifier
    : createDesktopNotifier(
        typeof globalThis !== 'undefined' && 'Notification' in globalThis
          ? (globalThis as unknown as { Notification: NotificationApi }).Notification
          : undefined,
      );

export function permissionText(permission: DesktopPermission): string {
  switch (permission) {
    case 'unsupported':
      return 'Desktop notifications are not available here: this browser or window has no Notifications API.';
    case 'granted':
      return 'Desktop notifications are on: alerts also show as system notifications.';
    case 'shell':
      return 'Desktop notifications are on: the Duet window shows every alert as a system notification.';
    case 'denied':
      return 'Desktop notifications are blocked; allow them in the browser or system settings to get them.';
    default:
      return 'Desktop notifications are off: alerts show inside Duet only.';
  }
}

/** The notification bar is green once alerts reach the desktop, blue otherwise. */
export function permissionIntent(permission: DesktopPermission): 'success' | 'info' {
  return permission === 'granted' || permission === 'shell' ? 'success' : 'info';
}

/** The toast after asking for desktop notifications: a success once allowed, else a warning saying why not. */
export function permissionOutcome(result: DesktopPermission): { intent: 'success' | 'warning'; title: string; text: string } {
  if (result === 'granted') {
    return { intent: 'success', title: 'Desktop notifications enabled', text: 'Alerts now also show as system notifications.' };
  }
  const title = result === 'unsupported' ? 'Desktop notifications are not available' : 'Desktop notifications not allowed';
  return { intent: 'warning', title, text: permissionText(result) };
}
