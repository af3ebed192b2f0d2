/** Migration 001: the initial metadata schema. Forward-only; never edit once released. */
export const name = '001_initial';

export const sql = /* sql */ `
CREATE TABLE sluice_dags (
  dag_id text PRIMARY KEY,
  file_path text,
  is_paused boolean NOT NULL DEFAULT false,
  is_active boolean NOT NULL DEFAULT true,
  latest_version text,
  schedule jsonb NOT NULL DEFAULT '{"kind":"none"}',
  timezone text NOT NULL DEFAULT 'UTC',
  tags text[] NOT NULL DEFAULT '{}',
  description text,
  last_parsed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sluice_import_errors (
  file_path text PRIMARY KEY,
  error text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sluice_dag_versions (
  dag_id text NOT NULL REFERENCES sluice_dags(dag_id) ON DELETE CASCADE,
  version_hash text NOT NULL,
  structure jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dag_id, version_hash)
);

CREATE TABLE sluice_backfills (
  id bigserial PRIMARY KEY,
  dag_id text NOT NULL REFERENCES sluice_dags(dag_id) ON DELETE CASCADE,
  from_date timestamptz NOT NULL,
  to_date timestamptz NOT NULL,
  reprocess text NOT NULL CHECK (reprocess IN ('none', 'failed', 'all')),
  max_active_runs integer NOT NULL DEFAULT 4,
  conf jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'success', 'failed', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);

CREATE TABLE sluice_dag_runs (
  id bigserial PRIMARY KEY,
  run_id text NOT NULL,
  dag_id text NOT NULL REFERENCES sluice_dags(dag_id) ON DELETE CASCADE,
  logical_date timestamptz NOT NULL,
  data_interval_start timestamptz NOT NULL,
  data_interval_end timestamptz NOT NULL,
  run_type text NOT NULL CHECK (run_type IN ('scheduled', 'manual', 'backfill', 'asset')),
  state text NOT NULL CHECK (state IN ('queued', 'running', 'success', 'failed')),
  version_hash text NOT NULL,
  conf jsonb NOT NULL DEFAULT '{}',
  backfill_id bigint REFERENCES sluice_backfills(id) ON DELETE SET NULL,
  triggering_asset_event_ids bigint[] NOT NULL DEFAULT '{}',
  sla_missed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  ended_at timestamptz,
  UNIQUE (dag_id, logical_date),
  UNIQUE (dag_id, run_id)
);
CREATE INDEX sluice_dag_runs_active ON sluice_dag_runs (dag_id, state) WHERE state IN ('queued', 'running');
CREATE INDEX sluice_dag_runs_dag_date ON sluice_dag_runs (dag_id, logical_date DESC);
CREATE INDEX sluice_dag_runs_scheduled ON sluice_dag_runs (dag_id, logical_date DESC) WHERE run_type = 'scheduled';
CREATE INDEX sluice_dag_runs_backfill ON sluice_dag_runs (backfill_id, state) WHERE backfill_id IS NOT NULL;

CREATE TABLE sluice_pools (
  name text PRIMARY KEY,
  slots integer NOT NULL CHECK (slots >= 0),
  description text
);
INSERT INTO sluice_pools (name, slots, description) VALUES ('default_pool', 128, 'Default pool');

CREATE TABLE sluice_task_instances (
  run_pk bigint NOT NULL REFERENCES sluice_dag_runs(id) ON DELETE CASCADE,
  task_id text NOT NULL,
  map_index integer NOT NULL DEFAULT -1,
  dag_id text NOT NULL,
  state text NOT NULL DEFAULT 'none' CHECK (state IN ('none', 'scheduled', 'queued', 'running', 'success', 'failed',
    'up_for_retry', 'up_for_reschedule', 'skipped', 'upstream_failed', 'removed')),
  try_number integer NOT NULL DEFAULT 0,
  max_tries integer NOT NULL DEFAULT 1,
  attempt_id uuid,
  pool text NOT NULL DEFAULT 'default_pool',
  pool_slots integer NOT NULL DEFAULT 1,
  priority_weight integer NOT NULL DEFAULT 1,
  queue text NOT NULL DEFAULT 'default',
  queued_at timestamptz,
  started_at timestamptz,
  ended_at timestamptz,
  next_attempt_at timestamptz,
  first_poke_at timestamptz,
  -- true while an up_for_reschedule sensor waits: its next claim keeps the same try_number
  pending_reschedule boolean NOT NULL DEFAULT false,
  worker text,
  hostname text,
  heartbeat_at timestamptz,
  error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_pk, task_id, map_index)
);
CREATE INDEX sluice_ti_scheduled ON sluice_task_instances (priority_weight DESC, updated_at) WHERE state = 'scheduled';
CREATE INDEX sluice_ti_queued ON sluice_task_instances (queue, priority_weight DESC, queued_at) WHERE state = 'queued';
CREATE INDEX sluice_ti_running ON sluice_task_instances (heartbeat_at) WHERE state = 'running';
CREATE INDEX sluice_ti_waiting ON sluice_task_instances (next_attempt_at) WHERE state IN ('up_for_retry', 'up_for_reschedule');
CREATE INDEX sluice_ti_pool_active ON sluice_task_instances (pool) WHERE state IN ('queued', 'running');
CREATE INDEX sluice_ti_dag_active ON sluice_task_instances (dag_id) WHERE state IN ('queued', 'running');
CREATE UNIQUE INDEX sluice_ti_attempt ON sluice_task_instances (attempt_id) WHERE attempt_id IS NOT NULL;

CREATE TABLE sluice_attempts (
  attempt_id uuid PRIMARY KEY,
  run_pk bigint NOT NULL REFERENCES sluice_dag_runs(id) ON DELETE CASCADE,
  task_id text NOT NULL,
  map_index integer NOT NULL,
  try_number integer NOT NULL,
  state text NOT NULL DEFAULT 'running',
  worker text,
  hostname text,
  started_at timestamptz NOT NULL DEFAULT now(),
  ended_at timestamptz,
  error text
);
CREATE INDEX sluice_attempts_ti ON sluice_attempts (run_pk, task_id, map_index, try_number);

CREATE TABLE sluice_log_lines (
  id bigserial PRIMARY KEY,
  attempt_id uuid NOT NULL REFERENCES sluice_attempts(attempt_id) ON DELETE CASCADE,
  logged_at timestamptz NOT NULL,
  level text NOT NULL,
  message text NOT NULL,
  fields jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX sluice_log_lines_attempt ON sluice_log_lines (attempt_id, id);

CREATE TABLE sluice_outputs (
  run_pk bigint NOT NULL REFERENCES sluice_dag_runs(id) ON DELETE CASCADE,
  task_id text NOT NULL,
  map_index integer NOT NULL DEFAULT -1,
  value jsonb,
  size_bytes integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_pk, task_id, map_index)
);

CREATE TABLE sluice_asset_events (
  id bigserial PRIMARY KEY,
  uri text NOT NULL,
  dag_id text,
  run_id text,
  task_id text,
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sluice_asset_events_uri ON sluice_asset_events (uri, id);

-- For asset-scheduled DAGs: the last asset event id consumed per (DAG, asset).
CREATE TABLE sluice_asset_cursors (
  dag_id text NOT NULL REFERENCES sluice_dags(dag_id) ON DELETE CASCADE,
  uri text NOT NULL,
  last_event_id bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (dag_id, uri)
);

CREATE TABLE sluice_variables (
  key text PRIMARY KEY,
  value text NOT NULL,
  description text,
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sluice_connections (
  conn_id text PRIMARY KEY,
  conn_type text NOT NULL,
  host text,
  port integer,
  login text,
  password text,
  schema text,
  extra jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sluice_processes (
  id text PRIMARY KEY,
  kind text NOT NULL,
  hostname text NOT NULL,
  pid integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  stopped_at timestamptz
);
`;
