import { Caption1, Card, Field, Input, Radio, RadioGroup, Subtitle2, Switch, makeStyles, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import type { CompanyStriping } from '../../bindings/CompanyStriping';
import type { KeyRange } from '../../bindings/KeyRange';
import type { Side } from '../../bindings/Side';
import {
  DEFAULT_COMPANY,
  SIDES,
  masterOf,
  numberSequenceMode,
  setCompanyPart,
  setCompanyStriping,
  setKeyEnteredByHand,
  setMaster,
  setNumberSequenceMode,
  setPrefix,
  setRangeEnd,
  sideName,
  type NumberSequenceMode,
} from '../../lib/mapSettings';
import { KeyColumnsEditor } from './KeyColumnsEditor';
import type { MapPanelProps } from './mapPanel';

const useStyles = makeStyles({
  // The drawer body is a flex column; a card that shrinks there clips its own content.
  card: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalL, flexShrink: 0 },
  why: { color: tokens.colorNeutralForeground2 },
  sides: { display: 'flex', gap: tokens.spacingHorizontalXXL, flexWrap: 'wrap' },
  grid: { display: 'grid', gridTemplateColumns: 'repeat(2, minmax(200px, 1fr))', gap: tokens.spacingHorizontalL },
  mono: { fontFamily: tokens.fontFamilyMonospace },
  range: { display: 'flex', alignItems: 'flex-end', gap: tokens.spacingHorizontalS },
});

const COMPANY_PARTS: readonly { part: keyof CompanyStriping; label: string; testid: string }[] = [
  { part: 'financeOperationsField', label: 'Finance and operations company field', testid: 'company-fo-field' },
  { part: 'dataverseLookup', label: 'Dataverse company lookup', testid: 'company-dv-lookup' },
  { part: 'companyEntitySet', label: 'Company entity set', testid: 'company-entity-set' },
  { part: 'companyCodeColumn', label: 'Company code column', testid: 'company-code-column' },
];

/** The documented split of one key format between the two sides. */
const RANGE_EXAMPLES: Record<Side, KeyRange> = {
  financeOperations: { from: 'US0001', to: 'US4999' },
  dataverse: { from: 'US5000', to: 'US9999' },
};

const sideId = (side: Side) => (side === 'financeOperations' ? 'fo' : 'dv');

function Section({ title, why, testid, children }: { title: string; why: string; testid: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <Card className={styles.card} data-testid={testid}>
      <Subtitle2>{title}</Subtitle2>
      <Caption1 className={styles.why}>{why}</Caption1>
      {children}
    </Card>
  );
}

/** How the map identifies, scopes and numbers rows: integration key, company striping, number sequences, master side. */
export function SettingsTab({ draft, saved, onChange, schema }: MapPanelProps) {
  const styles = useStyles();
  const mode = numberSequenceMode(draft);
  const company = draft.company;

  return (
    <>
      <Section
        title="Integration key"
        why="The key is how the same row is found on both sides, so give each side the same number of columns in the same order; every key column must be mapped and must never change."
        testid="settings-key"
      >
        <div className={styles.sides}>
          {SIDES.map((side) => (
            <KeyColumnsEditor key={side} side={side} draft={draft} onChange={onChange} table={schema?.[side] ?? null} />
          ))}
        </div>
      </Section>

      <Section
        title="Company striping"
        why="Company-specific tables hold one set of rows per legal entity, so the company belongs to every row's identity; without it rows of two companies with the same number would overwrite each other."
        testid="settings-company"
      >
        <Switch
          checked={company !== null}
          onChange={(_, data) => onChange(setCompanyStriping(draft, data.checked, saved))}
          label={company ? 'Rows are company-specific' : 'Rows are shared by all companies'}
          data-testid="company-enabled"
        />
        {company ? (
          <div className={styles.grid}>
            {COMPANY_PARTS.map(({ part, label, testid }) => (
              <Field key={part} label={label} hint={`Standard: ${DEFAULT_COMPANY[part]}`}>
                <Input
                  className={styles.mono}
                  value={company[part]}
                  onChange={(_, data) => onChange(setCompanyPart(draft, part, data.value))}
                  data-testid={testid}
                />
              </Field>
            ))}
          </div>
        ) : null}
      </Section>

      <Section
        title="Number sequences"
        why="Finance and operations number sequences and Dataverse autonumbers are not connected, so rows created on both sides get the same key unless each side has its own prefix or range."
        testid="settings-numseq"
      >
        <RadioGroup
          layout="horizontal"
          value={mode}
          onChange={(_, data) => onChange(setNumberSequenceMode(draft, data.value as NumberSequenceMode, saved))}
          data-testid="numseq-mode"
        >
          <Radio value="none" label="None" data-testid="numseq-none" />
          <Radio value="prefixes" label="A prefix per side" data-testid="numseq-prefixes" />
          <Radio value="ranges" label="A range per side" data-testid="numseq-ranges" />
        </RadioGroup>
        {mode === 'prefixes' && draft.numberSequencePrefixes ? (
          <div className={styles.grid}>
            {SIDES.map((side) => (
              <Field key={side} label={`${sideName(side)} prefix`} hint={side === 'financeOperations' ? 'For example FO-' : 'For example CE-'}>
                <Input
                  className={styles.mono}
                  value={draft.numberSequencePrefixes?.[side] ?? ''}
                  onChange={(_, data) => onChange(setPrefix(draft, side, data.value))}
                  data-testid={`numseq-prefix-${sideId(side)}`}
                />
              </Field>
            ))}
          </div>
        ) : null}
        {mode === 'ranges' && draft.numberSequenceRanges ? (
          <div className={styles.grid}>
            {SIDES.map((side) => (
              <div key={side} className={styles.range}>
                {(['from', 'to'] as const satisfies readonly (keyof KeyRange)[]).map((end) => (
                  <Field key={end} label={`${sideName(side)} ${end}`} hint={`For example ${RANGE_EXAMPLES[side][end]}`}>
                    <Input
                      className={styles.mono}
                      value={draft.numberSequenceRanges?.[side][end] ?? ''}
                      onChange={(_, data) => onChange(setRangeEnd(draft, side, end, data.value))}
                      data-testid={`numseq-range-${sideId(side)}-${end}`}
                    />
                  </Field>
                ))}
              </div>
            ))}
          </div>
        ) : null}
      </Section>

      <Section
        title="Master side"
        why="When both sides change the same row before either change is applied, the master side's change wins and the other is logged as a conflict."
        testid="settings-master"
      >
        <RadioGroup layout="horizontal" value={masterOf(draft)} onChange={(_, data) => onChange(setMaster(draft, data.value as Side))}>
          {SIDES.map((side) => (
            <Radio key={side} value={side} label={sideName(side)} data-testid={`master-${sideId(side)}`} />
          ))}
        </RadioGroup>
      </Section>

      <Section
        title="Key entered by hand"
        why="Keys that people type (customer groups, payment terms) are not drawn from a number sequence, so the two sides cannot hand out the same key by accident and need no prefix or range."
        testid="settings-by-hand"
      >
        <Switch
          checked={draft.keyEnteredByHand ?? false}
          onChange={(_, data) => onChange(setKeyEnteredByHand(draft, data.checked))}
          label="People type this map's keys"
          data-testid="key-by-hand"
        />
      </Section>
    </>
  );
}
