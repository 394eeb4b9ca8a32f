import {
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { ArrowUndo16Regular, Eye16Regular, Save16Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { MapProblemView } from '../../bindings/MapProblemView';
import type { MapView } from '../../bindings/MapView';
import {
  FIELD_DIRECTIONS,
  applyEdits,
  describeEdits,
  directionName,
  directionSymbol,
  editCount,
  setFieldDirection,
  setFieldEnabled,
  type FieldEdits,
  type MapDefinition,
} from '../../lib/mapsAlm';
import { useNotify } from '../notify';
import { ProblemList } from './ProblemList';

const useStyles = makeStyles({
  toolbar: { display: 'flex', alignItems: 'center', justifyContent: 'flex-end', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  table: { tableLayout: 'auto' },
  enabledCol: { width: '80px' },
  directionCol: { width: '260px' },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: 'anywhere' },
  muted: { color: tokens.colorNeutralForeground3 },
  editedRow: {
    backgroundColor: tokens.colorPaletteYellowBackground2,
    ':hover': { backgroundColor: tokens.colorPaletteYellowBackground2 },
  },
  disabledRow: { textDecorationLine: 'line-through', color: tokens.colorNeutralForeground4 },
  direction: { width: '240px', minWidth: '240px' },
  symbol: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold, color: tokens.colorBrandForeground1 },
  dialogText: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  list: { margin: 0, paddingInlineStart: tokens.spacingHorizontalXL, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/** The field mappings of the current version, with an unsaved edit of directions and enabled fields. */
export function FieldsTab({
  map,
  definition,
  edits,
  onEditsChange,
  onSaved,
  onPreview,
}: {
  map: MapView;
  definition: MapDefinition;
  edits: FieldEdits;
  onEditsChange: (edits: FieldEdits) => void;
  onSaved: () => void;
  onPreview: () => void;
}) {
  const styles = useStyles();
  const notify = useNotify();
  const [saving, setSaving] = useState(false);
  const [dialogOpen, setDialogOpen] = useState(false);
  const [note, setNote] = useState('');
  const [problems, setProblems] = useState<{ version: number; problems: MapProblemView[] } | null>(null);
  const pending = editCount(edits);

  const save = async () => {
    setSaving(true);
    try {
      const saved = await backend.saveMap(applyEdits(definition, edits), note);
      setDialogOpen(false);
      setNote('');
      setProblems(saved.problems.length > 0 ? { version: saved.version.version, problems: saved.problems } : null);
      notify.success(`Saved ${map.title} as version ${saved.version.version}`, saved.version.note ?? undefined);
      onSaved();
    } catch (e) {
      notify.error(`Cannot save ${map.title}`, toApiError(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Caption1 className={styles.muted}>
        Change a field&apos;s direction or turn it off, preview the effect on live rows, then save the edit as a new version.
      </Caption1>
      <div className={styles.toolbar}>
        <Button icon={<ArrowUndo16Regular />} disabled={pending === 0} onClick={() => onEditsChange({})} data-testid="fields-discard">
          Discard changes
        </Button>
        <Button icon={<Eye16Regular />} onClick={onPreview} data-testid="fields-preview">
          Preview
        </Button>
        <Button
          appearance="primary"
          icon={<Save16Regular />}
          disabled={pending === 0 || saving}
          onClick={() => setDialogOpen(true)}
          data-testid="fields-save"
        >
          Save…
        </Button>
      </div>
      {problems ? (
        <MessageBar intent="warning" layout="multiline" data-testid="save-problems">
          <MessageBarBody>
            <MessageBarTitle>
              Version {problems.version} is saved, but the map has {problems.problems.length}{' '}
              {problems.problems.length === 1 ? 'problem' : 'problems'} to fix before it can run cleanly
            </MessageBarTitle>
            <ProblemList problems={problems.problems} label="Problems of the saved map" />
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {definition.fields.length === 0 ? (
        <Body1 className={styles.muted}>This map has no field mappings.</Body1>
      ) : (
        <Table size="small" className={styles.table} aria-label={`Field mappings of ${map.title}`} data-testid="fields-table">
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.enabledCol}>Enabled</TableHeaderCell>
              <TableHeaderCell>F&amp;O field</TableHeaderCell>
              <TableHeaderCell className={styles.directionCol}>Direction</TableHeaderCell>
              <TableHeaderCell>Dataverse column</TableHeaderCell>
              <TableHeaderCell>Note</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {definition.fields.map((field, index) => {
              const edit = edits[index];
              const disabled = !!edit?.disabled;
              const direction = edit?.direction ?? directionName(field.direction) ?? field.direction;
              const id = field.financeOperations ?? field.dataverse ?? String(index);
              return (
                <TableRow
                  key={`${id}-${index}`}
                  className={mergeClasses(edit && styles.editedRow)}
                  data-testid={`field-edit-row-${id}`}
                  data-edited={edit ? 'true' : 'false'}
                >
                  <TableCell>
                    <Switch
                      checked={!disabled}
                      onChange={(_, data) => onEditsChange(setFieldEnabled(edits, index, data.checked))}
                      aria-label={`Sync ${id}`}
                      title={disabled ? 'Turned off: left out of the map when saved' : 'Synced; turn off to leave it out of the map'}
                      data-testid={`field-enabled-${id}`}
                    />
                  </TableCell>
                  <TableCell className={mergeClasses(disabled && styles.disabledRow)}>
                    <span className={styles.mono}>{field.financeOperations ?? '—'}</span>
                  </TableCell>
                  <TableCell>
                    <Dropdown
                      className={styles.direction}
                      size="small"
                      disabled={disabled}
                      value={`${directionSymbol(direction)}  ${FIELD_DIRECTIONS.find((d) => d.name === direction)?.label ?? direction}`}
                      selectedOptions={[direction]}
                      onOptionSelect={(_, data) => {
                        const chosen = directionName(data.optionValue ?? '');
                        if (chosen) onEditsChange(setFieldDirection(edits, index, field, chosen));
                      }}
                      aria-label={`Direction of ${id}`}
                      data-testid={`field-direction-${id}`}
                    >
                      {FIELD_DIRECTIONS.map((d) => (
                        <Option key={d.name} value={d.name} text={`${d.symbol}  ${d.label}`} data-testid={`direction-option-${d.name}`}>
                          <span className={styles.symbol}>{d.symbol}</span> {d.label}
                        </Option>
                      ))}
                    </Dropdown>
                  </TableCell>
                  <TableCell className={mergeClasses(disabled && styles.disabledRow)}>
                    <span className={styles.mono}>{field.dataverse ?? '—'}</span>
                  </TableCell>
                  <TableCell className={mergeClasses(disabled && styles.disabledRow)}>
                    {field.note ?? <span className={styles.muted}>—</span>}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      {dialogOpen ? (
        <Dialog open onOpenChange={(_, data) => (data.open ? undefined : setDialogOpen(false))}>
          <DialogSurface data-testid="save-dialog">
            <DialogBody>
              <DialogTitle>Save {map.title} as a new version</DialogTitle>
              <DialogContent className={styles.dialogText}>
                <Body1>This edit changes:</Body1>
                <ul className={styles.list} data-testid="save-summary">
                  {describeEdits(definition, edits).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
                <Field label="Note" hint="Shown in the version history: why the map changed.">
                  <Textarea value={note} onChange={(_, data) => setNote(data.value)} resize="vertical" data-testid="save-note" />
                </Field>
              </DialogContent>
              <DialogActions>
                <Button appearance="secondary" onClick={() => setDialogOpen(false)} data-testid="save-cancel">
                  Cancel
                </Button>
                <Button appearance="primary" disabled={saving} onClick={() => void save()} data-testid="save-confirm">
                  {saving ? 'Saving…' : 'Save version'}
                </Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      ) : null}
    </>
  );
}
