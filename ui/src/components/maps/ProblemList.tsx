import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from '@fluentui/react-components';
import type { MapProblemView } from '../../bindings/MapProblemView';

const useStyles = makeStyles({
  table: { tableLayout: 'auto' },
  code: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold, whiteSpace: 'nowrap', color: tokens.colorPaletteRedForeground1 },
  pathCol: { minWidth: '240px' },
  path: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  fix: { color: tokens.colorNeutralForeground2 },
});

/** Map and package problems: code, JSON path, what is wrong and the fix. */
export function ProblemList({ problems, label }: { problems: readonly MapProblemView[]; label: string }) {
  const styles = useStyles();
  return (
    <Table size="small" className={styles.table} aria-label={label} data-testid="problem-list">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Code</TableHeaderCell>
          <TableHeaderCell className={styles.pathCol}>JSON path</TableHeaderCell>
          <TableHeaderCell>Problem</TableHeaderCell>
          <TableHeaderCell>Fix</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {problems.map((p, i) => (
          <TableRow key={`${p.code}-${p.path}-${i}`} data-testid="problem-row" data-code={p.code}>
            <TableCell>
              <span className={styles.code} data-testid="problem-code">
                {p.code}
              </span>
            </TableCell>
            <TableCell>
              <span className={styles.path} data-testid="problem-path">
                {p.path}
              </span>
            </TableCell>
            <TableCell data-testid="problem-message">{p.message}</TableCell>
            <TableCell className={styles.fix} data-testid="problem-fix">
              {p.fix}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
