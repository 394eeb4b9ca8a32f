import {
  Badge,
  Body1,
  Button,
  Caption1,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  Building20Regular,
  Cloud20Regular,
  Delete20Regular,
  Edit20Regular,
  Link20Regular,
  PlugConnected20Regular,
} from '@fluentui/react-icons';
import { Fragment, useState } from 'react';
import { backend, toApiError } from '../../backend';
import type { ApiError } from '../../bindings/ApiError';
import type { EnvironmentView } from '../../bindings/EnvironmentView';
import type { HealthCheck } from '../../bindings/HealthCheck';
import { healthSummary } from '../../lib/environments';
import { formatDateTime } from '../../lib/format';
import { environmentKindLabel } from '../../lib/labels';
import { HealthList } from './HealthList';

const useStyles = makeStyles({
  table: { tableLayout: 'auto', width: '100%' },
  nameCell: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, minWidth: 0 },
  icon: { color: tokens.colorBrandForeground1, display: 'flex', flexShrink: 0 },
  nameText: { display: 'flex', flexDirection: 'column', minWidth: 0 },
  url: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, whiteSpace: 'nowrap' },
  badges: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalXS, justifyContent: 'flex-end', flexWrap: 'nowrap', whiteSpace: 'nowrap' },
  results: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalS,
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalS,
  },
  muted: { color: tokens.colorNeutralForeground3 },
  actionsHeader: { '& > div, & > button': { justifyContent: 'flex-end' }, textAlign: 'right' },
});

type TestResult = { running: true } | { running: false; checks: HealthCheck[] } | { running: false; error: ApiError };

/** Every registered environment with its badges, a connection test, editing and removal. */
export function EnvironmentTable({
  environments,
  onLink,
  onEdit,
  onRemoved,
}: {
  environments: EnvironmentView[];
  onLink: (environment: EnvironmentView) => void;
  /** Opens the environment's edit dialog (details and client secret). */
  onEdit: (environment: EnvironmentView) => void;
  onRemoved: (environment: EnvironmentView) => void;
}) {
  const styles = useStyles();
  const [results, setResults] = useState<Record<number, TestResult>>({});
  const [removing, setRemoving] = useState<EnvironmentView | null>(null);

  const test = async (env: EnvironmentView) => {
    setResults((r) => ({ ...r, [env.id]: { running: true } }));
    try {
      const checks = await backend.testConnection(env.id);
      setResults((r) => ({ ...r, [env.id]: { running: false, checks } }));
    } catch (e) {
      setResults((r) => ({ ...r, [env.id]: { running: false, error: toApiError(e) } }));
    }
  };

  return (
    <>
      <Table className={styles.table} aria-label="Registered environments" data-testid="environment-table">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Environment</TableHeaderCell>
            <TableHeaderCell>URL</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell className={styles.actionsHeader}>Actions</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {environments.map((env) => {
            const result = results[env.id];
            return (
              <Fragment key={env.id}>
                <TableRow data-testid="env-row" data-name={env.name} data-kind={env.kind}>
                  <TableCell>
                    <div className={styles.nameCell}>
                      <span className={styles.icon}>
                        {env.kind === 'financeOperations' ? <Building20Regular /> : <Cloud20Regular />}
                      </span>
                      <div className={styles.nameText}>
                        <Text weight="semibold" data-testid="env-row-name">
                          {env.name}
                        </Text>
                        <Caption1 className={styles.muted}>
                          {environmentKindLabel(env.kind)} · added{' '}
                          <time dateTime={env.addedAt}>{formatDateTime(env.addedAt)}</time>
                        </Caption1>
                      </div>
                    </div>
                  </TableCell>
                  <TableCell>
                    <span className={styles.url}>{env.url}</span>
                  </TableCell>
                  <TableCell>
                    <div className={styles.badges}>
                      {env.linked ? (
                        <Badge appearance="filled" color="brand" icon={<Link20Regular />} data-testid="linked-badge">
                          Linked
                        </Badge>
                      ) : (
                        <Badge appearance="outline" color="informative" data-testid="unlinked-badge">
                          Not linked
                        </Badge>
                      )}
                      {env.sandbox ? (
                        <Badge appearance="tint" color="warning" data-testid="row-sandbox-badge">
                          Sandbox
                        </Badge>
                      ) : null}
                    </div>
                  </TableCell>
                  <TableCell>
                    <div className={styles.actions}>
                      <Button
                        size="small"
                        icon={result?.running ? <Spinner size="extra-tiny" /> : <PlugConnected20Regular />}
                        disabled={result?.running === true}
                        onClick={() => void test(env)}
                        data-testid="test-connection"
                      >
                        {result?.running ? 'Testing…' : 'Test connection'}
                      </Button>
                      <Button size="small" icon={<Edit20Regular />} onClick={() => onEdit(env)} data-testid="edit-environment">
                        Edit
                      </Button>
                      {env.linked ? null : (
                        <Button size="small" icon={<Link20Regular />} onClick={() => onLink(env)} data-testid="link-environment">
                          Link…
                        </Button>
                      )}
                      {env.linked ? (
                        <Tooltip
                          content={`'${env.name}' is linked; reset the link without relinking before removing it.`}
                          relationship="description"
                        >
                          <Button size="small" icon={<Delete20Regular />} disabledFocusable data-testid="remove-environment">
                            Remove
                          </Button>
                        </Tooltip>
                      ) : (
                        <Button
                          size="small"
                          icon={<Delete20Regular />}
                          onClick={() => setRemoving(env)}
                          data-testid="remove-environment"
                        >
                          Remove
                        </Button>
                      )}
                    </div>
                  </TableCell>
                </TableRow>
                {result && !result.running ? (
                  <TableRow data-testid="test-results" data-name={env.name}>
                    <TableCell colSpan={4}>
                      <div className={styles.results}>
                        {'error' in result ? (
                          <MessageBar intent="error" layout="multiline">
                            <MessageBarBody>
                              <MessageBarTitle>Cannot test the connection</MessageBarTitle>
                              {result.error.message}
                            </MessageBarBody>
                          </MessageBar>
                        ) : (
                          <>
                            <Body1 data-testid="test-summary">
                              <strong>Connection test:</strong> {healthSummary(result.checks).text}
                            </Body1>
                            <HealthList checks={result.checks} scope={`test-${env.id}`} />
                          </>
                        )}
                      </div>
                    </TableCell>
                  </TableRow>
                ) : null}
              </Fragment>
            );
          })}
        </TableBody>
      </Table>
      {removing ? (
        <RemoveDialog
          environment={removing}
          onClose={() => setRemoving(null)}
          onRemoved={(env) => {
            setRemoving(null);
            setResults((r) => Object.fromEntries(Object.entries(r).filter(([id]) => Number(id) !== env.id)));
            onRemoved(env);
          }}
        />
      ) : null}
    </>
  );
}

function RemoveDialog({
  environment,
  onClose,
  onRemoved,
}: {
  environment: EnvironmentView;
  onClose: () => void;
  onRemoved: (environment: EnvironmentView) => void;
}) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const remove = async () => {
    setBusy(true);
    try {
      await backend.removeEnvironment(environment.id);
      onRemoved(environment);
    } catch (e) {
      setError(toApiError(e));
      setBusy(false);
    }
  };
  return (
    <Dialog open onOpenChange={(_, d) => (d.open ? undefined : onClose())}>
      <DialogSurface data-testid="remove-dialog">
        <DialogBody>
          <DialogTitle>Remove &lsquo;{environment.name}&rsquo;?</DialogTitle>
          <DialogContent>
            <Body1>Duet forgets this environment and its connection details. It is not linked, so no sync stops.</Body1>
            {error ? (
              <MessageBar intent="error" layout="multiline" data-testid="remove-error">
                <MessageBarBody>
                  <MessageBarTitle>Cannot remove it</MessageBarTitle>
                  {error.message}
                </MessageBarBody>
              </MessageBar>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button appearance="primary" onClick={() => void remove()} disabled={busy} data-testid="remove-confirm">
              {busy ? 'Removing…' : 'Remove'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
