import { useCallback, useEffect, useRef, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import type { ApiError } from '../../bindings/ApiError';
import type { DemoRowView } from '../../bindings/DemoRowView';
import type { Side } from '../../bindings/Side';
import { arrival, changedCells, parseEdit, type PendingWrite } from '../../lib/demo';

/** How often the row is read again: often while a write is on its way, calmly otherwise. */
const FAST_MS = 250;
const CALM_MS = 1500;
/** How long a changed cell flashes. */
const FLASH_MS = 2000;

export interface Latency {
  side: Side;
  ms: number;
}

/** One row of a map as both sides hold it, read again and again; changed cells flash. */
export function useDemoRow(map: string, key: string | null) {
  // Each read is kept with the row it is of, so another row never shows an older row's read.
  const [read, setRead] = useState<{ key: string; row: DemoRowView; history: ActivityEntry[] } | null>(null);
  const [flash, setFlash] = useState<Set<string>>(new Set());
  const [latency, setLatency] = useState<(Latency & { key: string }) | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const pending = useRef<PendingWrite | null>(null);
  const last = useRef<DemoRowView | null>(null);

  const readRow = useCallback(async () => {
    if (!key) return;
    try {
      const [next, lines] = await Promise.all([backend.demoRow(map, key), backend.demoHistory(map, key)]);
      const changed = changedCells(last.current, next);
      last.current = next;
      setRead({ key, row: next, history: lines });
      setError(null);
      if (changed.size > 0) {
        setFlash(changed);
        window.setTimeout(() => setFlash((now) => (now === changed ? new Set() : now)), FLASH_MS);
      }
      const waiting = pending.current;
      if (waiting) {
        const ms = arrival(waiting, next);
        if (ms !== null) {
          setLatency({ key, side: waiting.side, ms });
          pending.current = null;
        }
      }
    } catch (caught) {
      setError(toApiError(caught));
    }
  }, [map, key]);

  useEffect(() => {
    last.current = null;
    pending.current = null;
    if (!key) return;
    let stopped = false;
    let timer = 0;
    const loop = async () => {
      await readRow();
      if (!stopped) timer = window.setTimeout(loop, pending.current ? FAST_MS : CALM_MS);
    };
    void loop();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [key, readRow]);

  const row = read && read.key === key ? read.row : null;
  const history = read && read.key === key ? read.history : [];
  const shownLatency = latency && latency.key === key ? latency : null;

  /** Writes a cell through the backend; the row is then read quickly until the other side has it. */
  const write = useCallback(
    async (side: Side, line: number, text: string) => {
      const field = row?.fields[line];
      if (!key || !field) return;
      const column = side === 'financeOperations' ? field.financeOperations : field.dataverse;
      if (!column) return;
      const previous = side === 'financeOperations' ? field.financeOperationsValue : field.dataverseValue;
      const value = parseEdit(text, previous);
      try {
        const written = await backend.demoWrite(map, side, key, column, value);
        setLatency(null);
        pending.current = { side, line, value, writtenAtMs: written.writtenAtMs };
        setError(null);
      } catch (caught) {
        setError(toApiError(caught));
      }
    },
    [map, key, row],
  );

  return { row, history, flash, latency: shownLatency, error, write };
}
