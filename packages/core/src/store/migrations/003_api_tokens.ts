/** Migration 003: API bearer tokens (stored as sha256 hashes, never in plain text). */
export const name = '003_api_tokens';

export const sql = /* sql */ `
CREATE TABLE sluice_api_tokens (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'read-only')),
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE UNIQUE INDEX sluice_api_tokens_active_name ON sluice_api_tokens (name) WHERE revoked_at IS NULL;
`;
