import {
  Badge,
  Caption1,
  Dropdown,
  Option,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { EnvironmentKind } from '../../bindings/EnvironmentKind';
import type { PlanStepChoice } from '../../bindings/PlanStepChoice';
import type { ScenarioMap } from '../../bindings/ScenarioMap';
import { initialSyncLabel, requiredByText, setChoice } from '../../lib/scenarioMaps';
import type { OptionsDraft } from '../../lib/scenarios';

const MASTERS: [EnvironmentKind, string][] = [
  ['financeOperations', 'Finance and operations'],
  ['dataverse', 'Dataverse'],
];

const useStyles = makeStyles({
  wrap: { overflowX: 'auto' },
  table: { minWidth: '720px' },
  order: { width: '40px', color: tokens.colorNeutralForeground3, fontVariantNumeric: 'tabular-nums' },
  name: { display: 'flex', flexDirection: 'column', paddingBlock: tokens.spacingVerticalXS },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3 },
  lookup: { color: tokens.colorNeutralForeground3, fontStyle: 'italic' },
  badges: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  master: { minWidth: '200px' },
});

/** The maps a run starts, in start order, each with its initial-sync switch and master. */
export function ScenarioMapsTable({
  rows,
  choices,
  onChange,
}: {
  rows: ScenarioMap[];
  choices: PlanStepChoice[];
  onChange: (change: Partial<OptionsDraft>) => void;
}) {
  const styles = useStyles();
  const choose = (map: ScenarioMap, change: Partial<Pick<PlanStepChoice, 'initialSync' | 'master'>>) =>
    onChange({ choices: setChoice(choices, map, change) });
  return (
    <div className={styles.wrap}>
      <Table size="small" className={styles.table} aria-label="Maps the run starts" data-testid="scenario-maps">
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.order}>#</TableHeaderCell>
            <TableHeaderCell>Map</TableHeaderCell>
            <TableHeaderCell>Source</TableHeaderCell>
            <TableHeaderCell>Initial sync</TableHeaderCell>
            <TableHeaderCell>Master</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((map, index) => (
            <TableRow key={map.name} data-testid={`scenario-map-${map.name}`} data-initial-sync={map.initialSync}>
              <TableCell className={styles.order}>{index + 1}</TableCell>
              <TableCell>
                <div className={styles.name}>
                  <Text weight="semibold">{map.title}</Text>
                  <span className={styles.mono}>{map.name}</span>
                  {map.requiredBy.length ? (
                    <Caption1 className={styles.lookup} data-testid="required-by">
                      {requiredByText(map)}
                    </Caption1>
                  ) : null}
                </div>
              </TableCell>
              <TableCell>
                <div className={styles.badges}>
                  <Badge appearance="tint" color={map.source === 'stored' ? 'brand' : 'informative'} data-testid="map-source">
                    {map.source}
                  </Badge>
                  {map.companySpecific ? (
                    <Badge appearance="outline" color="subtle">
                      per company
                    </Badge>
                  ) : null}
                </div>
              </TableCell>
              <TableCell>
                <Switch
                  checked={map.initialSync}
                  onChange={(_, d) => choose(map, { initialSync: d.checked })}
                  label={initialSyncLabel(map.initialSync)}
                  data-testid={`choice-sync-${map.name}`}
                />
              </TableCell>
              <TableCell>
                <Dropdown
                  className={styles.master}
                  size="small"
                  aria-label={`Master of ${map.title}`}
                  value={MASTERS.find(([kind]) => kind === map.master)?.[1] ?? ''}
                  selectedOptions={[map.master]}
                  onOptionSelect={(_, d) => {
                    if (d.optionValue) choose(map, { master: d.optionValue as EnvironmentKind });
                  }}
                  data-testid={`choice-master-${map.name}`}
                >
                  {MASTERS.map(([kind, label]) => (
                    <Option key={kind} value={kind}>
                      {label}
                    </Option>
                  ))}
                </Dropdown>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
