import {
  Badge,
  Body1,
  Caption1,
  Checkbox,
  Field,
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import { searchMapOptions, toggleMap } from '../../lib/scenarioMaps';
import type { DraftErrors, OptionsDraft } from '../../lib/scenarios';
import { ScenarioMapsTable } from './ScenarioMapsTable';
import { useMapOptions, useScenarioMaps } from './useScenarioMaps';

const useStyles = makeStyles({
  block: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  picker: {
    display: 'flex',
    flexDirection: 'column',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    maxHeight: '220px',
    overflowY: 'auto',
    paddingBlock: tokens.spacingVerticalXS,
  },
  option: {
    display: 'grid',
    gridTemplateColumns: 'auto minmax(0, 1fr) auto',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    paddingInline: tokens.spacingHorizontalS,
  },
  optionText: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3 },
  muted: { color: tokens.colorNeutralForeground3 },
});

/**
 * The maps to set up: a searchable list of stored maps and templates to choose from, and
 * the maps the run starts (the chosen ones and their lookups, in start order) with each
 * one's initial sync and master.
 */
export function MapsOption({
  draft,
  errors,
  onChange,
}: {
  draft: OptionsDraft;
  errors: DraftErrors;
  onChange: (change: Partial<OptionsDraft>) => void;
}) {
  const styles = useStyles();
  const [query, setQuery] = useState('');
  const { options, error: optionsError } = useMapOptions();
  const { rows, error, pending } = useScenarioMaps(draft);
  const shown = options ? searchMapOptions(options, query) : [];

  return (
    <div className={styles.block}>
      <Field
        label="Maps"
        required
        validationState={errors.maps ? 'error' : 'none'}
        validationMessage={errors.maps ?? `${draft.maps.length} chosen. The maps they look up are added and start first.`}
      >
        <SearchBox
          placeholder="Search maps and templates by name or table"
          value={query}
          onChange={(_, d) => setQuery(d.value)}
          data-testid="map-search"
        />
      </Field>
      {optionsError ? (
        <MessageBar intent="error" data-testid="map-options-error">
          <MessageBarBody>Cannot read the maps and templates: {optionsError.message}</MessageBarBody>
        </MessageBar>
      ) : options === null ? (
        <Spinner size="tiny" label="Reading maps and templates…" labelPosition="after" />
      ) : (
        <div className={styles.picker} role="group" aria-label="Maps to choose" data-testid="map-picker">
          {shown.length === 0 ? <Body1 className={styles.muted}>No map or template matches “{query}”.</Body1> : null}
          {shown.map((option) => (
            <div key={option.name} className={styles.option}>
              <Checkbox
                checked={draft.maps.includes(option.name)}
                onChange={(_, d) => onChange({ maps: toggleMap(draft.maps, option.name, d.checked === true) })}
                aria-label={option.title}
                data-testid={`map-option-${option.name}`}
              />
              <div className={styles.optionText}>
                <Text>{option.title}</Text>
                <span className={styles.mono}>
                  {option.name} · {option.tables}
                </span>
              </div>
              <Badge appearance="tint" color={option.source === 'stored' ? 'brand' : 'informative'} size="small">
                {option.source}
              </Badge>
            </div>
          ))}
        </div>
      )}
      {error ? (
        <MessageBar intent="error" layout="multiline" data-testid="scenario-maps-error">
          <MessageBarBody>{error.message}</MessageBarBody>
        </MessageBar>
      ) : null}
      {draft.maps.length ? (
        <>
          <Caption1 className={styles.muted}>
            The run starts these maps in this order{pending ? ' (updating…)' : ''}:
          </Caption1>
          <ScenarioMapsTable rows={rows} onChange={onChange} choices={draft.choices} />
        </>
      ) : null}
    </div>
  );
}
