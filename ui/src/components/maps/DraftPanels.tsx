import { useState } from 'react';
import type { MapProblemView } from '../../bindings/MapProblemView';
import type { TableMap } from '../../bindings/TableMap';
import { applyEdits, type FieldEdits, type MapDefinition } from '../../lib/mapsAlm';
import { ErrorBar } from '../ErrorBar';
import { FiltersTab } from './FiltersTab';
import { PreviewTab } from './PreviewTab';
import { SettingsTab } from './SettingsTab';
import { ValidationPanel } from './ValidationPanel';
import { useMapSchema } from './useMapSchema';
import { useValidation } from './useValidation';

export type DraftPanel = 'filters' | 'settings' | 'validation' | 'preview';

/**
 * The Filters, Settings, Validation and Preview panels over one draft of the current version:
 * the Fields tab's edit and the panels' own changes. Stays mounted while the drawer is open so
 * the draft survives switching tabs; shows the panel `shown`, or nothing.
 */
export function DraftPanels({
  version,
  definition,
  edits,
  shown,
  onSelectProblem,
}: {
  version: number;
  definition: MapDefinition;
  edits: FieldEdits;
  shown: DraftPanel | null;
  onSelectProblem: (problem: MapProblemView) => void;
}) {
  const saved = definition as unknown as TableMap;
  const [changed, setChanged] = useState<{ version: number; draft: TableMap } | null>(null);
  const fields = (applyEdits(definition, edits) as unknown as TableMap).fields;
  const draft: TableMap = { ...(changed?.version === version ? changed.draft : saved), fields };
  const onChange = (next: TableMap) => setChanged({ version, draft: next });
  const { schema, error: schemaError, refresh } = useMapSchema(saved.financeOperationsEntity, saved.dataverseTable);
  const { validation, error: validationError } = useValidation(draft);
  const props = { draft, saved, onChange, schema, validation };

  return (
    <>
      {shown && schemaError ? <ErrorBar title="Cannot read the columns of the map's tables" error={schemaError} onRetry={() => void refresh()} /> : null}
      {shown === 'validation' && validationError ? <ErrorBar title="Cannot validate the map" error={validationError} /> : null}
      {shown === 'filters' ? <FiltersTab {...props} /> : null}
      {shown === 'settings' ? <SettingsTab {...props} /> : null}
      {shown === 'validation' ? <ValidationPanel {...props} onSelectProblem={onSelectProblem} onRefreshSchema={refresh} /> : null}
      {shown === 'preview' ? <PreviewTab {...props} /> : null}
    </>
  );
}
