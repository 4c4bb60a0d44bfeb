-- Supplier API keys. Only a SHA-256 hash of each key is kept: the key itself is shown once, when
-- it is created. A key is revoked by stamping revoked_at; the row stays for the audit trail.
CREATE TABLE supplier_keys (
  id          text PRIMARY KEY,
  supplier    text NOT NULL,
  key_hash    text NOT NULL UNIQUE,
  label       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX supplier_keys_by_supplier ON supplier_keys (supplier);
