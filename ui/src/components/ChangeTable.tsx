import {
  Button,
  Caption1,
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
import { Fragment, memo, useCallback, useState, type ReactNode } from 'react';
import { formatDateTime, formatRowTime } from '../lib/format';

/**
 * The row tables of Activity, Errors, the queue drawer and Maps: a header,
 * one row per item, an optional chevron that opens a detail row under it,
 * and an empty state. Pages describe their columns; the markup, the
 * expansion state and the data-testids live here.
 */

export const useChangeTableStyles = makeStyles({
  expandCol: { width: '36px' },
  num: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  numHeader: { justifyContent: 'flex-end' },
  nowrap: { whiteSpace: 'nowrap' },
  ellipsis: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  error: { color: tokens.colorPaletteRedForeground1, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  dash: { color: tokens.colorNeutralForeground3 },
  detailRow: {
    backgroundColor: tokens.colorNeutralBackground2,
    ':hover': { backgroundColor: tokens.colorNeutralBackground2 },
  },
  detailCell: { paddingBlock: tokens.spacingVerticalS },
  empty: { padding: tokens.spacingHorizontalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
});

/** One column: its header and how an item fills its cell. */
export interface ChangeColumn<T> {
  id: string;
  /** Header text; leave it out for an icon or action column and give `label`. */
  header?: ReactNode;
  /** Accessible name of a header without text. */
  label?: string;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** Class of the header cell (widths go here). */
  headerClassName?: string;
  /** Class of the header cell's inner button (alignment, wrapping). */
  headerButtonClassName?: string;
  /** Class of each body cell. */
  cellClassName?: string;
  /** Tooltip of each body cell. */
  title?: (item: T) => string | undefined;
  render: (item: T) => ReactNode;
}

/** The detail row that opens under an item. */
export interface ChangeExpansion<T> {
  /** What the chevron shows, in lower case: "captured row" gives "Show captured row". */
  what: string;
  /** Accessible name of the chevron column's header. */
  headerLabel: string;
  toggleTestId: string | ((item: T) => string);
  detailTestId?: string | ((item: T) => string);
  /** Class of the detail cell. */
  cellClassName?: string;
  render: (item: T) => ReactNode;
}

/** Attributes such as `data-seq` put on each row, for tests and tools. */
type DataAttributes = Record<`data-${string}`, string | number | undefined>;

export interface ChangeTableProps<T> {
  items: readonly T[];
  itemKey: (item: T) => string | number;
  columns: readonly ChangeColumn<T>[];
  ariaLabel: string;
  testId?: string;
  size?: 'small' | 'medium';
  className?: string;
  rowTestId: string | ((item: T) => string);
  rowData?: (item: T) => DataAttributes;
  rowClassName?: (item: T) => string | undefined;
  /** Shown in a full-width row when there are no items; nothing when left out. */
  empty?: { testId: string; text: ReactNode };
  expansion?: ChangeExpansion<T>;
}

const resolve = <T,>(value: string | ((item: T) => string) | undefined, item: T) =>
  typeof value === 'function' ? value(item) : value;

export function ChangeTable<T>({
  items,
  itemKey,
  columns,
  ariaLabel,
  testId,
  size = 'small',
  className,
  rowTestId,
  rowData,
  rowClassName,
  empty,
  expansion,
}: ChangeTableProps<T>) {
  const styles = useChangeTableStyles();
  const [open, setOpen] = useState<ReadonlySet<string | number>>(() => new Set());
  const toggle = useCallback((key: string | number) => {
    setOpen((current) => {
      const next = new Set(current);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  }, []);
  const span = columns.length + (expansion ? 1 : 0);

  return (
    <Table size={size} className={className} aria-label={ariaLabel} data-testid={testId}>
      <TableHeader>
        <TableRow>
          {expansion ? <TableHeaderCell className={styles.expandCol} aria-label={expansion.headerLabel} /> : null}
          {columns.map((column) => (
            <TableHeaderCell
              key={column.id}
              className={column.headerClassName}
              aria-label={column.header === undefined ? column.label : undefined}
              button={
                column.numeric || column.headerButtonClassName
                  ? { className: mergeClasses(column.numeric && styles.numHeader, column.headerButtonClassName) }
                  : undefined
              }
            >
              {column.header}
            </TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.length === 0 && empty ? (
          <TableRow>
            <TableCell colSpan={span}>
              <div className={styles.empty} data-testid={empty.testId}>
                {empty.text}
              </div>
            </TableCell>
          </TableRow>
        ) : null}
        {items.map((item) => {
          const key = itemKey(item);
          return (
            <ChangeRow
              key={key}
              item={item}
              rowKey={key}
              columns={columns}
              open={open.has(key)}
              onToggle={toggle}
              span={span}
              rowTestId={rowTestId}
              rowData={rowData}
              rowClassName={rowClassName}
              expansion={expansion}
            />
          );
        })}
      </TableBody>
    </Table>
  );
}

interface ChangeRowProps<T> {
  item: T;
  rowKey: string | number;
  columns: readonly ChangeColumn<T>[];
  open: boolean;
  onToggle: (key: string | number) => void;
  span: number;
  rowTestId: ChangeTableProps<T>['rowTestId'];
  rowData?: ChangeTableProps<T>['rowData'];
  rowClassName?: ChangeTableProps<T>['rowClassName'];
  expansion?: ChangeExpansion<T>;
}

/** Memoized: a long list re-renders only the rows whose item or open state changed. */
const ChangeRow = memo(function ChangeRow<T>({
  item,
  rowKey,
  columns,
  open,
  onToggle,
  span,
  rowTestId,
  rowData,
  rowClassName,
  expansion,
}: ChangeRowProps<T>) {
  const styles = useChangeTableStyles();
  const toggleLabel = expansion ? `${open ? 'Hide' : 'Show'} ${expansion.what}` : '';
  return (
    <Fragment>
      <TableRow className={rowClassName?.(item)} data-testid={resolve(rowTestId, item)} {...rowData?.(item)}>
        {expansion ? (
          <TableCell>
            <Button
              appearance="subtle"
              size="small"
              icon={open ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
              aria-expanded={open}
              aria-label={toggleLabel}
              title={toggleLabel}
              onClick={() => onToggle(rowKey)}
              data-testid={resolve(expansion.toggleTestId, item)}
            />
          </TableCell>
        ) : null}
        {columns.map((column) => (
          <TableCell
            key={column.id}
            className={mergeClasses(column.numeric && styles.num, column.cellClassName)}
            title={column.title?.(item)}
          >
            {column.render(item)}
          </TableCell>
        ))}
      </TableRow>
      {expansion && open ? (
        <TableRow className={styles.detailRow} data-testid={resolve(expansion.detailTestId, item)}>
          <TableCell colSpan={span} className={mergeClasses(styles.detailCell, expansion.cellClassName)}>
            {expansion.render(item)}
          </TableCell>
        </TableRow>
      ) : null}
    </Fragment>
  );
}) as <T>(props: ChangeRowProps<T>) => ReactNode;

/** The placeholder of an empty cell. */
export function Dash() {
  const styles = useChangeTableStyles();
  return <span className={styles.dash}>—</span>;
}

/** A row time: compact in the cell, full date and time on hover. */
export function RowTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {formatRowTime(iso)}
    </time>
  );
}

/** A row key in monospace, or a dash. */
export function KeyText({ value, testId }: { value: string | null; testId?: string }) {
  const styles = useChangeTableStyles();
  if (value === null || value === '') return <Dash />;
  return (
    <span className={styles.mono} data-testid={testId}>
      {value}
    </span>
  );
}

/** An error text in red, or a dash. */
export function ErrorText({ value }: { value: string | null }) {
  const styles = useChangeTableStyles();
  return value ? <Caption1 className={styles.error}>{value}</Caption1> : <Dash />;
}
