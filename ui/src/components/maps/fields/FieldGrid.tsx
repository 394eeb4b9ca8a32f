import { Table, TableBody, TableHeader, TableHeaderCell, TableRow, makeStyles } from '@fluentui/react-components';
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { FieldMapping } from '../../../bindings/FieldMapping';
import type { NullPolicy } from '../../../bindings/NullPolicy';
import { draftChanges, removeField, setNullPolicy, setTransform, updateField } from '../../../lib/mapDraft';
import { problemsByField } from '../../../lib/validation';
import { FieldRow } from './FieldRow';
import { TransformDialog } from './TransformDialog';
import type { MapPanelProps } from '../mapPanel';

const NO_PROBLEMS: never[] = [];

const useStyles = makeStyles({
  table: { tableLayout: 'fixed', minWidth: '860px' },
  numberCol: { width: '56px' },
  columnCol: { width: '20%' },
  directionCol: { width: '200px' },
  transformCol: { width: '17%' },
  nullCol: { width: '120px' },
  problemsCol: { width: '52px' },
  removeCol: { width: '40px' },
});

/** The draft's field mappings as an editable grid, with each row's changes and problems. */
export function FieldGrid({ draft, saved, onChange, schema, validation, onRefreshSchema }: MapPanelProps & { onRefreshSchema?: () => void }) {
  const styles = useStyles();
  const [transformOf, setTransformOf] = useState<number | null>(null);
  const statuses = useMemo(() => draftChanges(saved, draft).fields, [saved, draft]);
  const problems = useMemo(() => problemsByField(validation?.problems ?? []), [validation]);
  const foColumns = schema?.financeOperations.columns ?? [];
  const dvColumns = schema?.dataverse.columns ?? [];
  const editing = transformOf === null ? undefined : draft.fields[transformOf];

  // Rows are memoised, so their callbacks stay the same across edits and read the newest draft here.
  const latest = useRef({ draft, onChange });
  useLayoutEffect(() => {
    latest.current = { draft, onChange };
  });
  const change = useCallback((index: number, patch: Partial<FieldMapping>) => {
    const { draft: current, onChange: apply } = latest.current;
    apply(updateField(current, index, patch));
  }, []);
  const nullPolicy = useCallback((index: number, policy: NullPolicy | null) => {
    const { draft: current, onChange: apply } = latest.current;
    apply(setNullPolicy(current, index, policy));
  }, []);
  const remove = useCallback((index: number) => {
    const { draft: current, onChange: apply } = latest.current;
    apply(removeField(current, index));
  }, []);

  return (
    <>
      <Table size="small" className={styles.table} aria-label={`Field mappings of ${draft.title}`} data-testid="fields-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.numberCol}>#</TableHeaderCell>
            <TableHeaderCell className={styles.columnCol}>F&amp;O field</TableHeaderCell>
            <TableHeaderCell className={styles.directionCol}>Direction</TableHeaderCell>
            <TableHeaderCell className={styles.columnCol}>Dataverse column</TableHeaderCell>
            <TableHeaderCell className={styles.transformCol}>Transform</TableHeaderCell>
            <TableHeaderCell className={styles.nullCol}>When empty</TableHeaderCell>
            <TableHeaderCell className={styles.problemsCol} aria-label="Problems" />
            <TableHeaderCell className={styles.removeCol} aria-label="Remove" />
          </TableRow>
        </TableHeader>
        <TableBody>
          {draft.fields.map((field, index) => (
            <FieldRow
              key={index}
              field={field}
              index={index}
              status={statuses[index] ?? 'added'}
              problems={problems.get(index) ?? NO_PROBLEMS}
              foColumns={foColumns}
              dvColumns={dvColumns}
              onChange={change}
              onNullPolicy={nullPolicy}
              onEditTransform={setTransformOf}
              onRemove={remove}
            />
          ))}
        </TableBody>
      </Table>
      {editing && transformOf !== null ? (
        <TransformDialog
          field={editing}
          index={transformOf}
          schema={schema}
          onApply={(transform) => {
            onChange(setTransform(draft, transformOf, transform));
            setTransformOf(null);
          }}
          onClose={() => setTransformOf(null)}
          onRefreshSchema={onRefreshSchema}
        />
      ) : null}
    </>
  );
}
