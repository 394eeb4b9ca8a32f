import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { ChevronDown16Regular, ChevronRight16Regular } from '@fluentui/react-icons';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, type ReactNode, type RefObject } from 'react';
import type { ActivityEntry } from '../../bindings/ActivityEntry';
import { useChangeTableStyles, type ChangeColumn } from '../ChangeTable';

/** Every row is one line high, so the virtualizer can place rows it has never drawn. */
export const ROW_HEIGHT = 36;

const useStyles = makeStyles({
  scroller: { height: 'calc(100vh - 300px)', minHeight: '360px', overflow: 'auto', position: 'relative' },
  table: { minWidth: '1100px', tableLayout: 'fixed' },
  head: { position: 'sticky', top: 0, zIndex: 1, backgroundColor: tokens.colorNeutralBackground1 },
  row: { height: `${ROW_HEIGHT}px` },
  errorRow: { backgroundColor: tokens.colorPaletteRedBackground1 },
  openRow: { backgroundColor: tokens.colorNeutralBackground1Selected },
  cell: { paddingBlock: 0 },
  spacer: { padding: 0, border: 'none' },
});

interface Props {
  entries: readonly ActivityEntry[];
  columns: readonly ChangeColumn<ActivityEntry>[];
  openId: number | null;
  onToggle: (entry: ActivityEntry) => void;
  /** Told the index of the last row drawn, so the next page can load before it is reached. */
  onLastVisible: (index: number) => void;
  scrollRef: RefObject<HTMLDivElement | null>;
  onScroll: () => void;
  empty: ReactNode;
}

/**
 * The activity log as a virtualised table: only the rows in view (and a few around) are in
 * the DOM; spacer rows above and below keep the scroll height of everything loaded.
 */
export function VirtualLogTable({ entries, columns, openId, onToggle, onLastVisible, scrollRef, onScroll, empty }: Props) {
  const styles = useStyles();
  const shared = useChangeTableStyles();
  // The virtualizer keeps its own state; this component re-renders on each of its changes.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: entries.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => entries[index].id,
    overscan: 15,
  });
  const items = virtualizer.getVirtualItems();
  const last = items.length > 0 ? items[items.length - 1].index : -1;
  useEffect(() => onLastVisible(last), [last, entries.length, onLastVisible]);
  const before = items.length > 0 ? items[0].start : 0;
  const after = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;
  const span = columns.length + 1;

  return (
    <div ref={scrollRef} className={styles.scroller} onScroll={onScroll} data-testid="activity-scroller">
      <Table size="small" className={styles.table} aria-label="Activity" data-testid="activity-table">
        <TableHeader className={styles.head}>
          <TableRow>
            <TableHeaderCell className={shared.expandCol} aria-label="Details" />
            {columns.map((column) => (
              <TableHeaderCell
                key={column.id}
                className={column.headerClassName}
                button={column.numeric ? { className: shared.numHeader } : undefined}
              >
                {column.header}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {entries.length === 0 ? (
            <TableRow>
              <TableCell colSpan={span}>{empty}</TableCell>
            </TableRow>
          ) : null}
          {before > 0 ? <tr aria-hidden style={{ height: before }} className={styles.spacer} /> : null}
          {items.map((item) => {
            const entry = entries[item.index];
            return (
              <LogRow
                key={item.key}
                index={item.index}
                measure={virtualizer.measureElement}
                entry={entry}
                columns={columns}
                open={entry.id === openId}
                onToggle={onToggle}
              />
            );
          })}
          {after > 0 ? <tr aria-hidden style={{ height: after }} className={styles.spacer} /> : null}
        </TableBody>
      </Table>
    </div>
  );
}

interface RowProps {
  index: number;
  /** The virtualizer's measure, so a row a pixel off the estimate cannot drift the rows below. */
  measure: (node: HTMLTableRowElement | null) => void;
  entry: ActivityEntry;
  columns: readonly ChangeColumn<ActivityEntry>[];
  open: boolean;
  onToggle: (entry: ActivityEntry) => void;
}

/** One line of the log; memoized so scrolling redraws only rows that come into view. */
const LogRow = memo(function LogRow({ index, measure, entry, columns, open, onToggle }: RowProps) {
  const styles = useStyles();
  const shared = useChangeTableStyles();
  const label = `${open ? 'Hide' : 'Show'} details`;
  return (
    <TableRow
      ref={measure}
      data-index={index}
      className={mergeClasses(styles.row, entry.kind === 'error' && styles.errorRow, open && styles.openRow)}
      data-testid="activity-row"
      data-id={entry.id}
      data-kind={entry.kind}
    >
      <TableCell className={styles.cell}>
        <Button
          appearance="subtle"
          size="small"
          icon={open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
          aria-expanded={open}
          aria-label={label}
          title={label}
          onClick={() => onToggle(entry)}
          data-testid="activity-row-toggle"
        />
      </TableCell>
      {columns.map((column) => (
        <TableCell
          key={column.id}
          className={mergeClasses(styles.cell, column.numeric && shared.num, column.cellClassName)}
          title={column.title?.(entry)}
        >
          {column.render(entry)}
        </TableCell>
      ))}
    </TableRow>
  );
});
