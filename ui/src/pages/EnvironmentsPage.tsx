import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Divider,
  Link,
  Spinner,
  Subtitle1,
  Subtitle2,
  Tag,
  TagGroup,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  Add20Regular,
  ArrowReset20Regular,
  ArrowSwap20Regular,
  ArrowSync20Regular,
  Building20Regular,
  Cloud20Regular,
  Edit20Regular,
  Link20Regular,
  PlugDisconnected20Regular,
  PlugDisconnected48Regular,
} from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { EnvironmentView } from '../bindings/EnvironmentView';
import type { LinkView } from '../bindings/LinkView';
import { ErrorBar } from '../components/ErrorBar';
import { AddEnvironmentDialog } from '../components/environments/AddEnvironmentDialog';
import { CompaniesDialog } from '../components/environments/CompaniesDialog';
import { EnvironmentTable } from '../components/environments/EnvironmentTable';
import { HealthList } from '../components/environments/HealthList';
import { LinkForm } from '../components/environments/LinkForm';
import { ResetLinkDialog } from '../components/environments/ResetLinkDialog';
import { useNotify } from '../components/notify';
import { PageHeader } from '../components/PageHeader';
import { healthSummary } from '../lib/environments';
import { formatDateTime } from '../lib/format';
import { environmentKindLabel } from '../lib/labels';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, maxWidth: '1400px' },
  cards: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))',
    gap: tokens.spacingHorizontalXL,
    alignItems: 'start',
  },
  card: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalL },
  cardIcon: { color: tokens.colorBrandForeground1, fontSize: tokens.fontSizeBase600, display: 'flex' },
  headerTitle: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  kind: { color: tokens.colorNeutralForeground3 },
  details: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  dt: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase300 },
  dd: {
    margin: 0,
    fontSize: tokens.fontSizeBase300,
    overflowWrap: 'anywhere',
    fontFamily: tokens.fontFamilyBase,
  },
  mono: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  sectionTitle: { margin: 0 },
  healthSection: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  cardActions: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'nowrap', whiteSpace: 'nowrap' },
  fieldBlock: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  companies: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  tableCard: { padding: tokens.spacingHorizontalS, overflowX: 'auto' },
  linkDialog: { maxWidth: '720px', width: '100%' },
  muted: { color: tokens.colorNeutralForeground3 },
  linkCard: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalM },
  linkRow: { display: 'flex', gap: tokens.spacingHorizontalXXXL, flexWrap: 'wrap', alignItems: 'flex-start' },
  empty: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'center',
    gap: tokens.spacingVerticalM,
    paddingBlock: tokens.spacingVerticalXXXL,
    paddingInline: tokens.spacingHorizontalXXL,
    textAlign: 'center',
    color: tokens.colorNeutralForeground3,
  },
  emptyIcon: { fontSize: tokens.fontSizeHero800, color: tokens.colorNeutralForeground4, display: 'flex' },
});

export function EnvironmentsPage() {
  const styles = useStyles();
  const notify = useNotify();
  const [link, setLink] = useState<LinkView | null>(null);
  const [environments, setEnvironments] = useState<EnvironmentView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(false);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<EnvironmentView | null>(null);
  const [linking, setLinking] = useState<EnvironmentView | null>(null);
  const [editingCompanies, setEditingCompanies] = useState(false);
  const [resetting, setResetting] = useState(false);

  const load = useCallback(() => {
    return Promise.all([backend.link(), backend.environments()]).then(
      ([value, list]) => {
        setLink(value);
        setEnvironments(list);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(toApiError(e));
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // While Duet is still starting (no link yet, or its checks not run), the first map events
  // mean the link and its health are ready: read them again then.
  const waiting =
    link === null || (link.financeOperations.health.length === 0 && link.dataverse.health.length === 0);
  useEffect(() => {
    if (!waiting) return undefined;
    const unsubscribe = backend.subscribe((event) => {
      if (event.type === 'mapChanged' || event.type === 'scenarioChanged') void load();
    });
    return unsubscribe;
  }, [load, waiting]);

  const checkHealth = async () => {
    setChecking(true);
    try {
      const value = await backend.checkHealth();
      setLink(value);
      setError(null);
      const summary = healthSummary([...value.financeOperations.health, ...value.dataverse.health]);
      if (summary.ok) notify.success('Health check complete', summary.text);
      else notify.warning('Health check complete', summary.text);
    } catch (e) {
      notify.error('Health check failed', toApiError(e));
    } finally {
      setChecking(false);
    }
  };

  const linked = (value: LinkView) => {
    setLink(value);
    setLinking(null);
    notify.success('Environments linked', `'${value.financeOperations.name}' ↔ '${value.dataverse.name}'`);
    void load();
  };

  const linkTarget = linking;
  return (
    <div className={styles.page} data-testid="page-environments">
      <PageHeader
        title="Environments"
        description="Register finance and operations and Dataverse environments, link one of each, and watch the link's health."
        actions={
          <Button appearance="primary" icon={<Add20Regular />} onClick={() => setAdding(true)} data-testid="add-environment">
            Add environment
          </Button>
        }
      />
      {error ? <ErrorBar title="Cannot load the environments" error={error} onRetry={() => void load()} /> : null}
      {loading ? (
        <Spinner label="Loading environments…" data-testid="environments-loading" />
      ) : (
        <>
          <section className={styles.section} aria-labelledby="link-heading">
            <Subtitle1 as="h3" id="link-heading" className={styles.sectionTitle}>
              Link
            </Subtitle1>
            {link ? (
              <>
                <Card className={styles.linkCard} data-testid="link-card">
                  <CardHeader
                    image={
                      <span className={styles.cardIcon}>
                        <Link20Regular />
                      </span>
                    }
                    header={
                      <div className={styles.headerTitle} data-testid="link-pair">
                        <Subtitle2>{link.financeOperations.name}</Subtitle2>
                        <ArrowSwap20Regular className={styles.muted} aria-label="linked with" />
                        <Subtitle2>{link.dataverse.name}</Subtitle2>
                      </div>
                    }
                    description={<Caption1 className={styles.kind}>Rows sync both ways for the legal entities below.</Caption1>}
                    action={
                      <div className={styles.cardActions}>
                        <Button
                          appearance="primary"
                          icon={checking ? <Spinner size="tiny" /> : <ArrowSync20Regular />}
                          onClick={() => void checkHealth()}
                          disabled={checking}
                          data-testid="check-health"
                        >
                          {checking ? 'Checking…' : 'Check health'}
                        </Button>
                        <Button icon={<ArrowReset20Regular />} onClick={() => setResetting(true)} data-testid="reset-link">
                          Reset link…
                        </Button>
                      </div>
                    }
                  />
                  <div className={styles.linkRow}>
                    <div className={styles.fieldBlock}>
                      <Caption1 className={styles.muted}>Legal entities</Caption1>
                      <div className={styles.companies}>
                        {link.companies.length ? (
                          <TagGroup aria-label="Companies in the link" data-testid="companies">
                            {link.companies.map((c) => (
                              <Tag key={c} value={c} appearance="brand" size="small" data-testid={`company-${c}`}>
                                {c}
                              </Tag>
                            ))}
                          </TagGroup>
                        ) : (
                          <Body1 className={styles.muted}>None</Body1>
                        )}
                        <Button
                          size="small"
                          appearance="subtle"
                          icon={<Edit20Regular />}
                          onClick={() => setEditingCompanies(true)}
                          data-testid="edit-companies"
                        >
                          Edit
                        </Button>
                      </div>
                    </div>
                    <div className={styles.fieldBlock}>
                      <Caption1 className={styles.muted}>Linked</Caption1>
                      <Body1 data-testid="linked-at">
                        <time dateTime={link.linkedAt}>{formatDateTime(link.linkedAt)}</time>
                      </Body1>
                    </div>
                  </div>
                </Card>
              </>
            ) : (
              <Card className={styles.linkCard} data-testid="environments-empty">
                <CardHeader
                  image={
                    <span className={styles.cardIcon}>
                      <PlugDisconnected20Regular />
                    </span>
                  }
                  header={<Subtitle2>No environments are linked</Subtitle2>}
                  description={
                    <Caption1 className={styles.kind}>
                      Link a finance and operations environment to a Dataverse environment to start syncing.
                    </Caption1>
                  }
                />
                <LinkForm environments={environments} link={null} onLinked={linked} />
              </Card>
            )}
          </section>
          <section className={styles.section} aria-labelledby="registered-heading">
            <Subtitle1 as="h3" id="registered-heading" className={styles.sectionTitle}>
              Registered environments
            </Subtitle1>
            <Card className={styles.tableCard}>
              {environments.length ? (
                <EnvironmentTable
                  environments={environments}
                  onLink={setLinking}
                  onEdit={setEditing}
                  onRemoved={(env) => {
                    notify.success('Environment removed', `'${env.name}' was removed.`);
                    void load();
                  }}
                />
              ) : (
                <div className={styles.empty}>
                  <span className={styles.emptyIcon}>
                    <PlugDisconnected48Regular />
                  </span>
                  <Subtitle2>No environments yet</Subtitle2>
                  <Body1>Add a finance and operations and a Dataverse environment with their app registrations.</Body1>
                </div>
              )}
            </Card>
          </section>
          {link ? (
            <section className={styles.section} aria-labelledby="health-heading">
              <Subtitle1 as="h3" id="health-heading" className={styles.sectionTitle}>
                Link health
              </Subtitle1>
              <div className={styles.cards}>
                <EnvironmentCard env={link.financeOperations} icon={<Building20Regular />} />
                <EnvironmentCard env={link.dataverse} icon={<Cloud20Regular />} />
              </div>
            </section>
          ) : null}
        </>
      )}
      <AddEnvironmentDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={(env) => {
          setAdding(false);
          notify.success('Environment added', `'${env.name}' was added. Test its connection before linking it.`);
          void load();
        }}
      />
      {editing ? (
        <AddEnvironmentDialog
          key={editing.id}
          open
          editing={editing}
          onClose={() => setEditing(null)}
          onAdded={(env) => {
            setEditing(null);
            notify.success('Environment saved', `'${env.name}' was saved. Test its connection to check the new details.`);
            void load();
          }}
        />
      ) : null}
      <Dialog open={linkTarget !== null} onOpenChange={(_, d) => (d.open ? undefined : setLinking(null))}>
        <DialogSurface className={styles.linkDialog} data-testid="link-dialog">
          <DialogBody>
            <DialogTitle>Link environments</DialogTitle>
            <DialogContent>
              {linkTarget ? (
                <LinkForm
                  environments={environments}
                  link={link}
                  initialFinanceOperationsId={
                    linkTarget.kind === 'financeOperations' ? linkTarget.id : link?.financeOperations.id
                  }
                  initialDataverseId={linkTarget.kind === 'dataverse' ? linkTarget.id : link?.dataverse.id}
                  onLinked={linked}
                />
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="secondary" onClick={() => setLinking(null)} data-testid="link-dialog-close">
                Close
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
      {link ? (
        <CompaniesDialog
          link={link}
          open={editingCompanies}
          onClose={() => setEditingCompanies(false)}
          onSaved={(value) => {
            setLink(value);
            setEditingCompanies(false);
            notify.success('Legal entities saved', `The link syncs ${value.companies.join(', ')}.`);
          }}
        />
      ) : null}
      <ResetLinkDialog
        open={resetting}
        onClose={() => setResetting(false)}
        onDone={(plan, relinked) => {
          setResetting(false);
          notify.success(
            'Link reset',
            relinked
              ? `'${plan.financeOperations}' ↔ '${plan.dataverse}' is linked again; ${plan.mapsToReactivate.length} map(s) start with an initial sync.`
              : 'The environments are no longer linked.',
          );
          void load();
        }}
      />
    </div>
  );
}

function EnvironmentCard({ env, icon }: { env: EnvironmentView; icon: React.JSX.Element }) {
  const styles = useStyles();
  return (
    <Card className={styles.card} data-testid={`env-card-${env.kind}`}>
      <CardHeader
        image={<span className={styles.cardIcon}>{icon}</span>}
        header={
          <div className={styles.headerTitle}>
            <Subtitle2 data-testid="env-name">{env.name}</Subtitle2>
            {env.sandbox ? (
              <Badge appearance="tint" color="warning" data-testid="sandbox-badge">
                Sandbox
              </Badge>
            ) : null}
          </div>
        }
        description={<Caption1 className={styles.kind}>{environmentKindLabel(env.kind)}</Caption1>}
      />
      <dl className={styles.details}>
        <dt className={styles.dt}>URL</dt>
        <dd className={styles.dd}>
          <Link href={env.url} target="_blank" rel="noreferrer" data-testid="env-url">
            {env.url}
          </Link>
        </dd>
        <dt className={styles.dt}>Tenant</dt>
        <dd className={`${styles.dd} ${styles.mono}`} data-testid="env-tenant">
          {env.tenant}
        </dd>
        <dt className={styles.dt}>Client ID</dt>
        <dd className={`${styles.dd} ${styles.mono}`} data-testid="env-client-id">
          {env.clientId}
        </dd>
        <dt className={styles.dt}>Token URL</dt>
        <dd className={`${styles.dd} ${styles.mono}`}>{env.tokenUrl}</dd>
      </dl>
      <Divider />
      <div className={styles.healthSection}>
        <Subtitle2>Health</Subtitle2>
        {env.health.length === 0 ? (
          <Body1 className={styles.muted}>No checks have run yet.</Body1>
        ) : (
          <HealthList checks={env.health} scope={env.kind} />
        )}
      </div>
    </Card>
  );
}
