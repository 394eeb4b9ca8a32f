import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { MapView } from '../../bindings/MapView';
import type { ResumeMode } from '../../bindings/ResumeMode';
import { stateLabel } from '../../lib/labels';
import { changesByItself, mergeMaps, selectAllState, toggleSelection, upsertMap } from '../../lib/maps';
import { resumeDoneMessage } from '../../lib/queue';
import { refusalText, refusedCodes, runRefusals } from '../../lib/runRefusal';
import type { DetailsTab } from './MapDetailsDrawer';
import { useNotify, type NotifyAction } from '../notify';

/** While a map is paused or on its way to Running, its row changes by itself: look again this often. */
const POLL_MS = 5_000;

/** A confirmation asked before stopping a map or discarding its queue. */
export type MapConfirm = { kind: 'stop' | 'discard'; name: string };

/**
 * The Maps page's state and what it does: loads the maps and keeps them fresh (events, and
 * polling while one changes by itself), runs a map's commands, and holds the selection, the
 * confirmation asked and which drawer or dialog is open.
 */
export function useMaps() {
  const { maps, setMaps, loading, error, load } = useMapList();
  // Which map's details are open, and at which tab: a refused Run opens its validation.
  const [details, setDetails] = useState<{ name: string; tab: DetailsTab } | null>(null);
  const detailsName = details?.name ?? null;
  const openProblems = (name: string) => setDetails({ name, tab: 'validation' });
  const { busy, run, pause, resume, stop } = useMapCommands(setMaps, openProblems);
  const [confirm, setConfirm] = useState<MapConfirm | null>(null);
  const [queueName, setQueueName] = useState<string | null>(null);
  const [packageDialog, setPackageDialog] = useState<'export' | 'import' | 'promote' | 'templates' | null>(null);
  /** Names of the maps chosen for a bulk action or a run plan, in table order. */
  const [selected, setSelected] = useState<string[]>([]);

  const find = (name: string | null) => (name ? maps.find((m) => m.name === name) : undefined);
  const confirmMap = confirm ? find(confirm.name) : undefined;
  const allSelected = selectAllState(selected.length, maps.length) === true;

  const onConfirm = () => {
    if (!confirm || !confirmMap) return;
    setConfirm(null);
    void (confirm.kind === 'stop' ? stop(confirmMap) : resume(confirmMap, 'skip-discard'));
  };

  return {
    maps,
    loading,
    error,
    busy,
    selected,
    packageDialog,
    confirm: confirm && confirmMap ? { ...confirm, map: confirmMap } : null,
    queueMap: find(queueName),
    detailsMap: find(detailsName),
    detailsTab: details?.tab ?? 'fields',
    reload: () => void load(),
    run: (map: MapView) => void run(map),
    pause: (map: MapView) => void pause(map),
    resume: (map: MapView, mode: ResumeMode) => void resume(map, mode),
    askConfirm: (kind: MapConfirm['kind'], map: MapView) => setConfirm({ kind, name: map.name }),
    cancelConfirm: () => setConfirm(null),
    onConfirm,
    toggleSelected: (name: string, on: boolean) =>
      setSelected((current) => toggleSelection(maps.map((m) => m.name), current, name, on)),
    toggleAll: () => setSelected(allSelected ? [] : maps.map((m) => m.name)),
    clearSelection: () => setSelected([]),
    openQueue: (map: MapView) => setQueueName(map.name),
    closeQueue: () => setQueueName(null),
    openDetails: (map: MapView) => setDetails({ name: map.name, tab: 'fields' }),
    /** Opens a map's validation by name (a refused Run names the map, not its view). */
    openDetailsOf: openProblems,
    closeDetails: () => setDetails(null),
    /** Export, Import, Compare and promote, or the template gallery. */
    openPackage: (dialog: 'export' | 'import' | 'promote' | 'templates') => setPackageDialog(dialog),
    /** Opens a map's history (a promotion's version, to roll back), closing the dialog over it. */
    openVersionsOf: (name: string) => {
      setPackageDialog(null);
      setDetails({ name, tab: 'versions' });
    },
    closePackage: () => setPackageDialog(null),
    mapUpdated: (updated: MapView) => setMaps((current) => upsertMap(current, updated)),
  };
}

export type MapsModel = ReturnType<typeof useMaps>;

/** The maps, kept up to date by events and, while one changes by itself, by polling. */
function useMapList() {
  const [maps, setMaps] = useState<MapView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  const load = useCallback(() => {
    return backend.maps().then(
      (value) => {
        setMaps((current) => mergeMaps(current, value));
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(toApiError(e));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'mapChanged') setMaps((current) => upsertMap(current, event.map));
    });
    void load();
    return unsubscribe;
  }, [load]);

  // Paused maps keep capturing into their queue, and maps on their way to Running change by
  // themselves: keep counts and states fresh even if an event was missed.
  const anyMoving = maps.some((m) => changesByItself(m.state));
  useEffect(() => {
    if (!anyMoving) return;
    const timer = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(timer);
  }, [anyMoving, load]);

  return { maps, setMaps, loading, error, load };
}

/**
 * Run, Pause, Resume and Stop of one map: each shows its outcome and keeps the row up to date.
 * A Run refused for validation errors names the codes and offers the map's details.
 */
function useMapCommands(
  setMaps: (update: (current: MapView[]) => MapView[]) => void,
  openDetails: (name: string) => void,
) {
  const notify = useNotify();
  const [busy, setBusy] = useState<Record<string, boolean>>({});

  const perform = async (
    map: MapView,
    call: () => Promise<MapView>,
    success: (updated: MapView) => string,
    failure: string,
  ) => {
    setBusy((b) => ({ ...b, [map.name]: true }));
    try {
      const updated = await call();
      setMaps((current) => upsertMap(current, updated));
      notify.success(success(updated), `State: ${stateLabel(updated.state)}`);
    } catch (e) {
      const error = toApiError(e);
      if (runRefusals(error).length > 0) {
        const action: NotifyAction = {
          label: 'Open details',
          onClick: () => openDetails(map.name),
          testId: `toast-open-details-${map.name}`,
        };
        notify.error(failure, { code: error.code, message: refusalText(refusedCodes(error, map.name)) }, action);
      } else {
        notify.error(failure, error);
      }
    } finally {
      setBusy((b) => ({ ...b, [map.name]: false }));
    }
  };

  return {
    busy,
    run: (map: MapView) =>
      perform(map, () => backend.runMap(map.name), () => `Started ${map.title}`, `Cannot run ${map.title}`),
    pause: (map: MapView) =>
      perform(map, () => backend.pauseMap(map.name), () => `Paused ${map.title}`, `Cannot pause ${map.title}`),
    resume: (map: MapView, mode: ResumeMode) => {
      const queued = map.queued;
      return perform(
        map,
        () => backend.resumeMap(map.name, mode),
        () => resumeDoneMessage(mode, map.title, queued),
        `Cannot resume ${map.title}`,
      );
    },
    stop: (map: MapView) =>
      perform(
        map,
        () => backend.stopMap(map.name),
        () => `Stopped ${map.title}; the next run starts with an initial sync`,
        `Cannot stop ${map.title}`,
      ),
  };
}
