import {
  Body1,
  Caption1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { MapView } from '../../bindings/MapView';
import { fieldDirectionLabel } from '../../lib/labels';

const useStyles = makeStyles({
  fieldsTable: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  fieldMono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  symbol: {
    fontFamily: tokens.fontFamilyMonospace,
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorBrandForeground1,
    minWidth: tokens.spacingHorizontalXXL,
    display: 'inline-block',
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** A map's field mappings, as its row's detail in the maps table. */
export function FieldMappings({ map }: { map: MapView }) {
  const styles = useStyles();
  if (map.fields.length === 0) return <Body1 className={styles.muted}>This map has no field mappings.</Body1>;
  return (
    <Table size="small" className={styles.fieldsTable} aria-label={`Field mappings of ${map.title}`}>
      <TableHeader>
        <TableRow>
          <TableHeaderCell>F&amp;O field</TableHeaderCell>
          <TableHeaderCell>Direction</TableHeaderCell>
          <TableHeaderCell>Dataverse column</TableHeaderCell>
          <TableHeaderCell>Note</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {map.fields.map((f, i) => (
          <TableRow key={`${f.financeOperations}-${f.dataverse}-${i}`} data-testid="field-row">
            <TableCell>
              <span className={styles.fieldMono}>{f.financeOperations}</span>
            </TableCell>
            <TableCell>
              <span className={styles.symbol} title={fieldDirectionLabel(f.direction)}>
                {f.direction}
              </span>{' '}
              <Caption1 className={styles.muted}>{fieldDirectionLabel(f.direction)}</Caption1>
            </TableCell>
            <TableCell>
              <span className={styles.fieldMono}>{f.dataverse}</span>
            </TableCell>
            <TableCell>{f.note ?? <span className={styles.muted}>—</span>}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
