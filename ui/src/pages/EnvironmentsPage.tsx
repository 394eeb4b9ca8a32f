import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Divider,
  Link,
  Spinner,
  Subtitle2,
  Tag,
  TagGroup,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ArrowSync20Regular, Building20Regular, Cloud20Regular, PlugDisconnected48Regular } from '@fluentui/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { backend, toApiError } from '../backend';
import type { ApiError } from '../bindings/ApiError';
import type { EnvironmentView } from '../bindings/EnvironmentView';
import type { LinkView } from '../bindings/LinkView';
import { ErrorBar } from '../components/ErrorBar';
import { useNotify } from '../components/notify';
import { PageHeader } from '../components/PageHeader';
import { formatDateTime } from '../lib/format';
import { environmentKindLabel, healthColor, healthLabel } from '../lib/labels';

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
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  healthList: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  healthItem: {
    display: 'grid',
    gridTemplateColumns: 'minmax(96px, max-content) minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    alignItems: 'start',
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  healthText: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, fontWeight: tokens.fontWeightSemibold },
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
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [checking, setChecking] = useState(false);

  const load = useCallback(() => {
    return backend.link().then(
      (value) => {
        setLink(value);
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

  const checkHealth = async () => {
    setChecking(true);
    try {
      const value = await backend.checkHealth();
      setLink(value);
      setError(null);
      const checks = [...value.financeOperations.health, ...value.dataverse.health];
      const bad = checks.filter((c) => c.status !== 'healthy').length;
      if (bad === 0) notify.success('Health check complete', `All ${checks.length} checks are healthy.`);
      else
        notify.warning('Health check complete', `${bad} of ${checks.length} checks are not healthy.`);
    } catch (e) {
      notify.error('Health check failed', toApiError(e));
    } finally {
      setChecking(false);
    }
  };

  return (
    <div className={styles.page} data-testid="page-environments">
      <PageHeader
        title="Environments"
        description="The linked finance and operations and Dataverse environments and their health."
        actions={
          <Button
            appearance="primary"
            icon={checking ? <Spinner size="tiny" /> : <ArrowSync20Regular />}
            onClick={checkHealth}
            disabled={checking || loading || link === null}
            data-testid="check-health"
          >
            {checking ? 'Checking…' : 'Check health'}
          </Button>
        }
      />
      {error ? <ErrorBar title="Cannot load the environment link" error={error} onRetry={() => void load()} /> : null}
      {loading ? (
        <Spinner label="Loading environments…" data-testid="environments-loading" />
      ) : link ? (
        <>
          <div className={styles.cards}>
            <EnvironmentCard env={link.financeOperations} icon={<Building20Regular />} />
            <EnvironmentCard env={link.dataverse} icon={<Cloud20Regular />} />
          </div>
          <Card className={styles.linkCard} data-testid="link-card">
            <div className={styles.linkRow}>
              <div className={styles.section}>
                <Subtitle2>Companies</Subtitle2>
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
              </div>
              <div className={styles.section}>
                <Subtitle2>Linked</Subtitle2>
                <Body1 data-testid="linked-at">
                  <time dateTime={link.linkedAt}>{formatDateTime(link.linkedAt)}</time>
                </Body1>
              </div>
            </div>
          </Card>
        </>
      ) : error ? null : (
        <Card data-testid="environments-empty">
          <div className={styles.empty}>
            <span className={styles.emptyIcon}>
              <PlugDisconnected48Regular />
            </span>
            <Subtitle2>No environments are linked</Subtitle2>
            <Body1>Link a finance and operations environment to a Dataverse environment to start syncing.</Body1>
          </div>
        </Card>
      )}
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
      <div className={styles.section}>
        <Subtitle2>Health</Subtitle2>
        {env.health.length === 0 ? (
          <Body1 className={styles.muted}>No checks have run yet.</Body1>
        ) : (
          <ul className={styles.healthList} data-testid="health-list">
            {env.health.map((check) => (
              <li key={check.code} className={styles.healthItem} data-testid={`health-${env.kind}-${check.code}`}>
                <Badge
                  appearance="filled"
                  color={healthColor(check.status)}
                  data-testid="health-status"
                  data-status={check.status}
                >
                  {healthLabel(check.status)}
                </Badge>
                <div className={styles.healthText}>
                  <Text className={styles.code}>{check.code}</Text>
                  <Text size={300}>{check.message}</Text>
                  <Caption1 className={styles.muted}>
                    Checked <time dateTime={check.checkedAt}>{formatDateTime(check.checkedAt)}</time>
                  </Caption1>
                </div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
