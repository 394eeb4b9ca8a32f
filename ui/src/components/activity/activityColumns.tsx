import { Badge, makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { useMemo } from 'react';
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import { formatCount } from '../../lib/format';
import { directionLabel, kindLabel, statusColor } from '../../lib/labels';
import { Dash, RowTime, type ChangeColumn } from '../ChangeTable';

const useStyles = makeStyles({
  colTime: { width: '140px' },
  colMap: { width: '120px' },
  colKind: { width: '65px' },
  colDirection: { width: '125px' },
  colKey: { width: '150px' },
  colOperation: { width: '80px' },
  colStatus: { width: '90px' },
  colClass: { width: '95px' },
  colLatency: { width: '95px' },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/** The Activity table's columns: one line each, so every row has the same height. */
export function useActivityColumns(): ChangeColumn<ActivityEntry>[] {
  const styles = useStyles();
  return useMemo(
    () => [
      { id: 'time', header: 'Time', headerClassName: styles.colTime, cellClassName: styles.cell, render: (e) => <RowTime iso={e.at} /> },
      { id: 'map', header: 'Map', headerClassName: styles.colMap, cellClassName: mergeClasses(styles.cell, styles.mono), render: (e) => e.map },
      { id: 'kind', header: 'Kind', headerClassName: styles.colKind, cellClassName: styles.cell, render: (e) => kindLabel(e.kind) },
      {
        id: 'direction',
        header: 'Direction',
        headerClassName: styles.colDirection,
        cellClassName: styles.cell,
        render: (e) => (e.direction ? directionLabel(e.direction) : <Dash />),
      },
      {
        id: 'key',
        header: 'Key',
        headerClassName: styles.colKey,
        cellClassName: mergeClasses(styles.cell, styles.mono),
        title: (e) => e.key ?? undefined,
        render: (e) => e.key ?? <Dash />,
      },
      { id: 'operation', header: 'Operation', headerClassName: styles.colOperation, cellClassName: styles.cell, render: (e) => e.operation ?? <Dash /> },
      {
        id: 'status',
        header: 'Status',
        headerClassName: styles.colStatus,
        cellClassName: styles.cell,
        render: (e) => (
          <Badge appearance="tint" color={statusColor(e.status, e.kind)} data-testid="activity-status">
            {e.status}
          </Badge>
        ),
      },
      {
        id: 'errorClass',
        header: 'Error class',
        headerClassName: styles.colClass,
        cellClassName: styles.cell,
        render: (e) => (e.errorClass ? <span data-testid="activity-class-cell">{e.errorClass}</span> : <Dash />),
      },
      { id: 'message', header: 'Message', cellClassName: styles.cell, title: (e) => e.message, render: (e) => e.message },
      {
        id: 'latency',
        header: 'Latency (ms)',
        numeric: true,
        headerClassName: styles.colLatency,
        cellClassName: styles.cell,
        render: (e) => (e.latencyMs === null ? <Dash /> : formatCount(e.latencyMs)),
      },
    ],
    [styles],
  );
}
