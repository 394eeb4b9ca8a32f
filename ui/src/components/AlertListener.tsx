import { useEffect } from 'react';
import { backend } from '../backend';
import { alertActionTaken } from '../lib/alerts';
import { desktopNotifier, type DesktopNotifier } from '../lib/notify';
import { useNotify } from './notify';

/**
 * Listens for fired alert rules on every page: a prominent toast, and a
 * system notification when the user allowed them.
 */
export function AlertListener({ notifier = desktopNotifier }: { notifier?: DesktopNotifier }) {
  const notify = useNotify();
  useEffect(
    () =>
      backend.subscribe((event) => {
        if (event.type !== 'alert') return;
        const taken = alertActionTaken(event.action, event.map);
        notify.alert(`Alert on ${event.map}: ${event.message}`, taken, event.action === 'none' ? 'warning' : 'error');
        notifier.show(`Duet alert: ${event.map}`, `${event.message}\n${taken}`, `duet-alert-${event.map}`);
      }),
    [notify, notifier],
  );
  return null;
}
