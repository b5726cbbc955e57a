import type { Pool, PoolClient } from 'pg';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The team store's schema, in order; a deployed version is never edited, only followed. Usage
 * events keep the whole record (jsonb) beside the indexed columns reports filter on. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'usage events, daily rollups, tokens, teams, policies, budget counters and holds, rate limits, replicas',
    sql: `
CREATE TABLE teams (name text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE policies (
  id bigserial PRIMARY KEY, team text REFERENCES teams(name), name text NOT NULL UNIQUE,
  rule jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE tokens (
  id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, team text REFERENCES teams(name),
  secret_sha256 bytea NOT NULL UNIQUE, allowed_models jsonb, daily_usd double precision,
  monthly_usd double precision, rpm integer, admin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz);
CREATE TABLE store_versions (name text PRIMARY KEY, version bigint NOT NULL);
INSERT INTO store_versions (name, version) VALUES ('tokens', 0);
CREATE TABLE usage_events (
  request_id text PRIMARY KEY, time timestamptz NOT NULL, day date NOT NULL, client text NOT NULL,
  team text, end_user text, tags jsonb, provider text NOT NULL, model text NOT NULL,
  status integer NOT NULL, spend_micro bigint NOT NULL, record jsonb NOT NULL);
CREATE INDEX usage_events_day ON usage_events (day);
CREATE INDEX usage_events_client_day ON usage_events (client, day);
CREATE INDEX usage_events_team_day ON usage_events (team, day);
CREATE INDEX usage_events_user_day ON usage_events (end_user, day);
CREATE INDEX usage_events_tags ON usage_events USING gin (tags);
CREATE TABLE usage_daily (
  day date NOT NULL, client text NOT NULL, team text NOT NULL, provider text NOT NULL, model text NOT NULL,
  requests bigint NOT NULL, errors bigint NOT NULL, prompt_tokens bigint NOT NULL,
  completion_tokens bigint NOT NULL, cached_tokens bigint NOT NULL, reasoning_tokens bigint NOT NULL,
  spend_micro bigint NOT NULL, unknown_cost_requests bigint NOT NULL,
  PRIMARY KEY (day, client, team, provider, model));
CREATE TABLE budget_counters (key text PRIMARY KEY, spent_micro bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE budget_holds (
  request_id text NOT NULL, key text NOT NULL, amount_micro bigint NOT NULL, replica text NOT NULL,
  expires_at timestamptz NOT NULL, PRIMARY KEY (request_id, key));
CREATE INDEX budget_holds_key ON budget_holds (key, expires_at);
CREATE INDEX budget_holds_replica ON budget_holds (replica);
CREATE TABLE rate_limits (key text PRIMARY KEY, tat_ms double precision NOT NULL);
CREATE TABLE replicas (id text PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now(), seen_at timestamptz NOT NULL DEFAULT now());
`,
  },
  {
    version: 2,
    name: 'usage events by time, for the per-record views (the CSV export oldest first, the recent ones newest first)',
    sql: 'CREATE INDEX usage_events_time ON usage_events (time, request_id);',
  },
  {
    version: 3,
    name: 'every change to tokens or policies moves its store_versions row, whoever writes it (the CLI, or SQL by hand)',
    sql: `
CREATE FUNCTION modapi_store_changed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO store_versions (name, version) VALUES (TG_ARGV[0], 1)
    ON CONFLICT (name) DO UPDATE SET version = store_versions.version + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tokens
  FOR EACH STATEMENT EXECUTE FUNCTION modapi_store_changed('tokens');
CREATE TRIGGER policies_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON policies
  FOR EACH STATEMENT EXECUTE FUNCTION modapi_store_changed('policies');
`,
  },
];

export const LATEST_SCHEMA = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

// One number for every replica and CLI: two `migrate` runs at once take turns.
const MIGRATION_LOCK = 7_041_917;

const ensureTable = (client: PoolClient | Pool) =>
  client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');

/** The schema version the database is at (0 before any migration). */
export const schemaVersion = async (pool: Pool): Promise<number> => {
  const found = await pool.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (!found.rows[0]?.exists) return 0;
  const result = await pool.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return result.rows[0]?.version ?? 0;
};

/** Refuses a store whose schema is older than this version's (its tables or triggers may be missing). */
export const requireLatestSchema = async (pool: Pool): Promise<void> => {
  const version = await schemaVersion(pool);
  if (version < LATEST_SCHEMA) throw new Error(`the team store is at schema version ${version} and this gateway needs ${LATEST_SCHEMA}: run \`modapi-gateway migrate\` with the same --store first`);
};

/** Applies the migrations the database lacks, each in its own transaction; returns their names. */
export const migrate = async (pool: Pool): Promise<string[]> => {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await ensureTable(client);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(`${migration.version}: ${migration.name}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
};
