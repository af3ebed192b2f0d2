/** Migration 002: the data catalog (tables recorded by crawlers, with every schema version kept). */
export const name = '002_catalog';

export const sql = /* sql */ `
CREATE TABLE sluice_catalog_tables (
  database_name text NOT NULL,
  table_name text NOT NULL,
  current_version integer NOT NULL,
  stats jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (database_name, table_name)
);

CREATE TABLE sluice_catalog_table_versions (
  database_name text NOT NULL,
  table_name text NOT NULL,
  version integer NOT NULL,
  location text NOT NULL,
  format text NOT NULL,
  columns jsonb NOT NULL,
  partition_keys jsonb NOT NULL DEFAULT '[]',
  stats jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (database_name, table_name, version),
  FOREIGN KEY (database_name, table_name) REFERENCES sluice_catalog_tables (database_name, table_name) ON DELETE CASCADE
);
`;
