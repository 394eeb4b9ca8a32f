import { Body1, Button, Caption1, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import { Add16Regular, ArrowClockwise16Regular } from '@fluentui/react-icons';
import type { ApiError } from '../../bindings/ApiError';
import { formatDateTime } from '../../lib/format';
import { addField } from '../../lib/mapDraft';
import { ErrorBar } from '../ErrorBar';
import { FieldGrid } from './fields/FieldGrid';
import type { MapPanelProps } from './mapPanel';

const useStyles = makeStyles({
  toolbar: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  spacer: { flexGrow: 1 },
  muted: { color: tokens.colorNeutralForeground3 },
  scroll: { overflowX: 'auto' },
});

/** How the drawer's read of the map's columns went, and how to read them again. */
export interface SchemaStatus {
  error: ApiError | null;
  loading: boolean;
  refresh: () => void;
}

/** The field-map editor: the draft's field mappings, with columns picked from the live schema. */
export function FieldsTab({ schemaStatus, ...props }: MapPanelProps & { schemaStatus: SchemaStatus }) {
  const styles = useStyles();
  const { draft, schema, onChange } = props;
  const sideErrors = schema ? [schema.financeOperations, schema.dataverse].filter((t) => t.error) : [];
  const readAt = schema?.financeOperations.readAt ?? schema?.dataverse.readAt;

  return (
    <>
      <Caption1 className={styles.muted}>
        Edit the field mappings; the changes stay in this drawer (validated as you go, and shown by the Preview tab) until you save
        them as a new version.
      </Caption1>
      <div className={styles.toolbar}>
        <Button icon={<Add16Regular />} onClick={() => onChange(addField(draft))} data-testid="field-add">
          Add field
        </Button>
        <span className={styles.spacer} />
        <Caption1 className={styles.muted} data-testid="schema-status">
          {schema
            ? `${schema.financeOperations.columns.length} F&O and ${schema.dataverse.columns.length} Dataverse columns${readAt ? `, read ${formatDateTime(readAt)}` : ''}`
            : schemaStatus.loading
              ? 'Reading the columns…'
              : 'Columns not read'}
        </Caption1>
        <Button
          size="small"
          icon={<ArrowClockwise16Regular />}
          disabled={schemaStatus.loading}
          onClick={schemaStatus.refresh}
          data-testid="schema-refresh"
        >
          Read columns again
        </Button>
      </div>
      {schemaStatus.error ? <ErrorBar title="Cannot read the map's columns" error={schemaStatus.error} onRetry={schemaStatus.refresh} /> : null}
      {sideErrors.map((t) => (
        <MessageBar key={t.table} intent="warning" layout="multiline" data-testid="schema-side-error">
          <MessageBarBody>
            <MessageBarTitle>Cannot read the columns of {t.table}</MessageBarTitle>
            {t.error} The pickers list no columns of this side; type the names.
          </MessageBarBody>
        </MessageBar>
      ))}
      {draft.fields.length === 0 ? <Body1 className={styles.muted}>This map has no field mappings: add one.</Body1> : null}
      <div className={styles.scroll}>
        <FieldGrid {...props} onRefreshSchema={schemaStatus.refresh} />
      </div>
    </>
  );
}
