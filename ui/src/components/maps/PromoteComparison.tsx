import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ChevronDown16Regular, ChevronRight16Regular } from '@fluentui/react-icons';
import { Fragment, useState } from 'react';
import type { MapsComparison } from '../../bindings/MapsComparison';
import { changeSummary, isPromotable, statusColor, statusHint, statusLabel, toggleChoice } from '../../lib/promote';
import { DiffTable } from './DiffTable';

const useStyles = makeStyles({
  table: { tableLayout: 'auto' },
  pickCol: { width: '44px' },
  expandCol: { width: '44px' },
  muted: { color: tokens.colorNeutralForeground3 },
  name: { display: 'flex', flexDirection: 'column' },
  detail: { paddingBlock: tokens.spacingVerticalS, paddingInlineStart: tokens.spacingHorizontalXXL },
});

/** Every map of both sides in a row: its status, what promoting changes, a checkbox to choose it, and its changed fields on demand. */
export function PromoteComparison({
  comparison,
  chosen,
  onChoose,
}: {
  comparison: MapsComparison;
  chosen: readonly string[];
  onChoose: (chosen: string[]) => void;
}) {
  const styles = useStyles();
  const [open, setOpen] = useState<string[]>([]);
  const toggleOpen = (name: string) => setOpen((current) => (current.includes(name) ? current.filter((n) => n !== name) : [...current, name]));
  return (
    <Table size="small" className={styles.table} aria-label="Maps here and in the source" data-testid="promote-comparison">
      <TableHeader>
        <TableRow>
          <TableHeaderCell className={styles.pickCol} aria-label="Promote" />
          <TableHeaderCell>Map</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell>Promoting</TableHeaderCell>
          <TableHeaderCell className={styles.expandCol} aria-label="Changed fields" />
        </TableRow>
      </TableHeader>
      <TableBody>
        {comparison.maps.map((map) => {
          const expanded = open.includes(map.name);
          return (
            <Fragment key={map.name}>
              <TableRow data-testid={`promote-row-${map.name}`} data-status={map.status}>
                <TableCell>
                  {isPromotable(map) ? (
                    <Checkbox
                      checked={chosen.includes(map.name)}
                      onChange={(_, data) => onChoose(toggleChoice(comparison, chosen, map.name, !!data.checked))}
                      aria-label={`Promote ${map.title}`}
                      data-testid={`promote-pick-${map.name}`}
                    />
                  ) : null}
                </TableCell>
                <TableCell>
                  <span className={styles.name}>
                    <span>{map.title}</span>
                    <Caption1 className={styles.muted}>{map.name}</Caption1>
                  </span>
                </TableCell>
                <TableCell>
                  <Badge appearance="tint" color={statusColor(map.status)} title={statusHint(map.status)} data-testid="promote-status">
                    {statusLabel(map.status)}
                  </Badge>{' '}
                  {map.running ? (
                    <Badge appearance="outline" color="success" title="Running here: it takes a promoted version at its next safe point">
                      running
                    </Badge>
                  ) : null}
                </TableCell>
                <TableCell data-testid="promote-summary">{changeSummary(map)}</TableCell>
                <TableCell>
                  {map.diff ? (
                    <Button
                      size="small"
                      appearance="subtle"
                      icon={expanded ? <ChevronDown16Regular /> : <ChevronRight16Regular />}
                      aria-label={expanded ? `Hide the changes of ${map.title}` : `Show the changes of ${map.title}`}
                      aria-expanded={expanded}
                      onClick={() => toggleOpen(map.name)}
                      data-testid={`promote-expand-${map.name}`}
                    />
                  ) : null}
                </TableCell>
              </TableRow>
              {expanded && map.diff ? (
                <TableRow data-testid={`promote-diff-${map.name}`}>
                  <TableCell colSpan={5} className={styles.detail}>
                    <DiffTable
                      diff={map.diff}
                      beforeLabel={`Here (v${map.diff.from})`}
                      afterLabel={`${comparison.source} (v${map.diff.to})`}
                      label={`Changes promoting makes to ${map.title}`}
                    />
                  </TableCell>
                </TableRow>
              ) : null}
            </Fragment>
          );
        })}
      </TableBody>
    </Table>
  );
}
