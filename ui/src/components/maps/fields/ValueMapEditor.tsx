import {
  Badge,
  Body1,
  Button,
  Caption1,
  Dropdown,
  Input,
  Option,
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
import { Add16Regular, ArrowClockwise16Regular, LinkMultiple16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { autoPair, setPair, unpaired, valueMapRows, type EnumOption, type Pairs } from '../../../lib/mapDraft';

const NONE = '';

const useStyles = makeStyles({
  box: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  table: { tableLayout: 'auto' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  muted: { color: tokens.colorNeutralForeground3 },
  unpairedRow: {
    backgroundColor: tokens.colorPaletteYellowBackground2,
    ':hover': { backgroundColor: tokens.colorPaletteYellowBackground2 },
  },
  option: { minWidth: '0', width: '100%' },
  leftOver: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap', alignItems: 'center' },
});

/**
 * The pairs of a value map: each finance and operations enum member with one Dataverse option
 * (value and label, from the schema). Members and options no pair uses are highlighted.
 */
export function ValueMapEditor({
  pairs,
  onChange,
  members,
  options,
  financeOperationsColumn,
  dataverseColumn,
  onRefreshSchema,
}: {
  pairs: Pairs;
  onChange: (next: Pairs) => void;
  members: readonly string[];
  options: readonly EnumOption[];
  financeOperationsColumn: string | null;
  dataverseColumn: string | null;
  /** Reads both tables' columns again (a cached read may predate the members). */
  onRefreshSchema?: () => void;
}) {
  const styles = useStyles();
  const [newMember, setNewMember] = useState('');
  const rows = valueMapRows(pairs, members);
  const left = unpaired(pairs, members, options);
  const labelOf = (value: string | null) => options.find((o) => o.value === value)?.label ?? value ?? '';

  return (
    <div className={styles.box} data-testid="value-map-editor">
      <div className={styles.toolbar}>
        <Button
          size="small"
          icon={<LinkMultiple16Regular />}
          disabled={left.members.length === 0 || options.length === 0}
          onClick={() => onChange(autoPair(pairs, members, options))}
          data-testid="value-map-auto"
        >
          Pair matching names
        </Button>
        <Caption1 className={styles.muted} data-testid="value-map-status">
          {left.members.length === 0 && left.options.length === 0
            ? 'Every member and option is paired.'
            : `${left.members.length} ${left.members.length === 1 ? 'member' : 'members'} and ${left.options.length} ${left.options.length === 1 ? 'option' : 'options'} unpaired.`}
        </Caption1>
      </div>
      {members.length === 0 ? (
        <div className={styles.toolbar}>
          <Body1 className={styles.muted}>
            The schema lists no enum members for {financeOperationsColumn ?? 'the finance and operations column'}: read the columns
            again, or add members by name below.
          </Body1>
          {onRefreshSchema ? (
            <Button size="small" icon={<ArrowClockwise16Regular />} onClick={onRefreshSchema} data-testid="value-map-refresh-schema">
              Read columns again
            </Button>
          ) : null}
        </div>
      ) : null}
      {options.length === 0 ? (
        <Body1 className={styles.muted}>
          The schema lists no options for {dataverseColumn ?? 'the Dataverse column'}: type each option&apos;s value.
        </Body1>
      ) : null}
      <Table size="extra-small" className={styles.table} aria-label="Value map pairs" data-testid="value-map-pairs">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Finance and operations member</TableHeaderCell>
            <TableHeaderCell>Dataverse option (value: label)</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map(({ member, option, known }) => (
            <TableRow
              key={member}
              className={mergeClasses(option === null && styles.unpairedRow)}
              data-testid={`value-map-row-${member}`}
              data-paired={option === null ? 'false' : 'true'}
            >
              <TableCell>
                <span className={styles.mono}>{member}</span>{' '}
                {known ? null : (
                  <Badge size="small" appearance="tint" color="warning" title="The schema does not list this member">
                    not in schema
                  </Badge>
                )}
              </TableCell>
              <TableCell>
                {options.length > 0 ? (
                  <Dropdown
                    className={styles.option}
                    size="small"
                    placeholder="unpaired"
                    value={option === null ? '' : `${option}: ${labelOf(option)}`}
                    selectedOptions={[option ?? NONE]}
                    onOptionSelect={(_, data) => onChange(setPair(pairs, member, data.optionValue ? data.optionValue : null))}
                    aria-label={`Dataverse option for ${member}`}
                    data-testid={`value-map-pair-${member}`}
                  >
                    <Option value={NONE} text="unpaired">
                      unpaired
                    </Option>
                    {options.map((o) => (
                      <Option key={o.value} value={o.value} text={`${o.value}: ${o.label}`} data-testid={`value-map-option-${o.value}`}>
                        {`${o.value}: ${o.label}`}
                      </Option>
                    ))}
                  </Dropdown>
                ) : (
                  <Input
                    size="small"
                    value={option ?? ''}
                    placeholder="option value"
                    onChange={(_, data) => onChange(setPair(pairs, member, data.value.trim() ? data.value.trim() : null))}
                    aria-label={`Dataverse option value for ${member}`}
                    data-testid={`value-map-pair-${member}`}
                  />
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <div className={styles.toolbar}>
        <Input
          size="small"
          value={newMember}
          placeholder="member name"
          onChange={(_, data) => setNewMember(data.value)}
          aria-label="Finance and operations member to add"
          data-testid="value-map-new-member"
        />
        <Button
          size="small"
          icon={<Add16Regular />}
          disabled={!newMember.trim() || rows.some((r) => r.member === newMember.trim())}
          onClick={() => {
            onChange(setPair(pairs, newMember.trim(), options.find((o) => !pairs.some(([, v]) => String(v) === o.value))?.value ?? ''));
            setNewMember('');
          }}
          data-testid="value-map-add-member"
        >
          Add member
        </Button>
      </div>
      {left.options.length > 0 ? (
        <div className={styles.leftOver} data-testid="value-map-unpaired-options">
          <Caption1 className={styles.muted}>Options no member uses:</Caption1>
          {left.options.map((o) => (
            <Badge key={o.value} appearance="tint" color="warning">
              {o.value}: {o.label}
            </Badge>
          ))}
        </div>
      ) : null}
    </div>
  );
}
