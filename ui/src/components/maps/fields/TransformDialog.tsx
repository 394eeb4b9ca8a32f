import {
  Body1,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Option,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { FieldMapping } from '../../../bindings/FieldMapping';
import type { MapSchemaView } from '../../../bindings/MapSchemaView';
import type { Transform } from '../../../bindings/Transform';
import { enumOptions, fieldLabel, findColumn } from '../../../lib/mapDraft';
import { TRANSFORM_KINDS, newTransform } from '../../../lib/transforms';
import { TransformSettings } from './TransformSettings';
import { ValueMapEditor } from './ValueMapEditor';

const NONE = 'none';

const useStyles = makeStyles({
  surface: { maxWidth: '760px', width: '90vw' },
  content: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  field: { fontFamily: tokens.fontFamilyMonospace },
});

/**
 * Edits one field's transform: its kind and that kind's settings. The edit is applied to the
 * draft only on Apply, so Cancel leaves the field as it was.
 */
export function TransformDialog({
  field,
  index,
  schema,
  onApply,
  onClose,
  onRefreshSchema,
}: {
  field: FieldMapping;
  index: number;
  schema: MapSchemaView | null;
  onApply: (transform: Transform | null) => void;
  onClose: () => void;
  onRefreshSchema?: () => void;
}) {
  const styles = useStyles();
  const [transform, setTransform] = useState<Transform | null>(field.transform);
  const foColumn = findColumn(schema, 'financeOperations', field.financeOperations);
  const dvColumn = findColumn(schema, 'dataverse', field.dataverse);
  const kindLabel = TRANSFORM_KINDS.find((k) => k.kind === transform?.kind)?.label ?? 'None';

  return (
    <Dialog open onOpenChange={(_, data) => (data.open ? undefined : onClose())}>
      <DialogSurface className={styles.surface} data-testid="transform-dialog">
        <DialogBody>
          <DialogTitle>
            Transform of field {index + 1}: <span className={styles.field}>{fieldLabel(field)}</span>
          </DialogTitle>
          <DialogContent className={styles.content}>
            <Field label="Kind">
              <Dropdown
                value={kindLabel}
                selectedOptions={[transform?.kind ?? NONE]}
                onOptionSelect={(_, data) => {
                  const kind = TRANSFORM_KINDS.find((k) => k.kind === data.optionValue)?.kind;
                  setTransform(kind ? (kind === transform?.kind ? transform : newTransform(kind)) : null);
                }}
                data-testid="transform-kind"
              >
                <Option value={NONE} text="None">
                  None: the value crosses as it is
                </Option>
                {TRANSFORM_KINDS.map((k) => (
                  <Option key={k.kind} value={k.kind} text={k.label} data-testid={`transform-kind-${k.kind}`}>
                    {k.label}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            {transform === null ? <Body1>The value crosses unchanged.</Body1> : null}
            {transform?.kind === 'valueMap' ? (
              <ValueMapEditor
                pairs={transform.pairs}
                onChange={(pairs) => setTransform({ ...transform, pairs })}
                members={foColumn?.members ?? []}
                options={enumOptions(dvColumn)}
                financeOperationsColumn={field.financeOperations}
                dataverseColumn={field.dataverse}
                onRefreshSchema={onRefreshSchema}
              />
            ) : null}
            {transform && transform.kind !== 'valueMap' ? <TransformSettings transform={transform} onChange={setTransform} /> : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} data-testid="transform-cancel">
              Cancel
            </Button>
            <Button appearance="primary" onClick={() => onApply(transform)} data-testid="transform-apply">
              Apply
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
