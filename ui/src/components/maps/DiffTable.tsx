import { Badge, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from '@fluentui/react-components';
import type { FieldChange } from '../../bindings/FieldChange';
import type { MapDiffView } from '../../bindings/MapDiffView';
import type { BadgeColor } from '../../lib/labels';
import { changeLabel, diffRows } from '../../lib/mapsAlm';

const CHANGE_COLORS: Record<FieldChange, BadgeColor> = { added: 'success', removed: 'danger', changed: 'warning' };

const useStyles = makeStyles({
  table: { tableLayout: 'auto' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  added: { backgroundColor: tokens.colorPaletteGreenBackground1, ':hover': { backgroundColor: tokens.colorPaletteGreenBackground1 } },
  removed: { backgroundColor: tokens.colorPaletteRedBackground1, ':hover': { backgroundColor: tokens.colorPaletteRedBackground1 } },
  changed: { backgroundColor: tokens.colorPaletteYellowBackground2, ':hover': { backgroundColor: tokens.colorPaletteYellowBackground2 } },
  before: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere', color: tokens.colorNeutralForeground2 },
  after: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere', fontWeight: tokens.fontWeightSemibold },
});

/**
 * The changed properties and field mappings of a map, a row each with the value before and
 * after: two versions compared (Versions tab), or a map here beside a package's (promotion).
 * Draws nothing when nothing differs.
 */
export function DiffTable({
  diff,
  beforeLabel,
  afterLabel,
  label,
  testId = 'diff-table',
}: {
  diff: MapDiffView;
  beforeLabel: string;
  afterLabel: string;
  label: string;
  testId?: string;
}) {
  const styles = useStyles();
  const rows = diffRows(diff);
  if (rows.length === 0) return null;
  return (
    <Table size="small" className={styles.table} aria-label={label} data-testid={testId}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Change</TableHeaderCell>
          <TableHeaderCell>Field</TableHeaderCell>
          <TableHeaderCell>JSON path</TableHeaderCell>
          <TableHeaderCell>{beforeLabel}</TableHeaderCell>
          <TableHeaderCell>{afterLabel}</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.key} className={styles[row.change]} data-testid="diff-row" data-change={row.change}>
            <TableCell>
              <Badge appearance="filled" color={CHANGE_COLORS[row.change]}>
                {changeLabel(row.change)}
              </Badge>
            </TableCell>
            <TableCell>
              <span className={styles.mono} data-testid="diff-field">
                {row.subject}
              </span>
            </TableCell>
            <TableCell>
              <span className={styles.mono}>{row.path}</span>
            </TableCell>
            <TableCell>
              <span className={styles.before} data-testid="diff-before">
                {row.before}
              </span>
            </TableCell>
            <TableCell>
              <span className={styles.after} data-testid="diff-after">
                {row.after}
              </span>
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
