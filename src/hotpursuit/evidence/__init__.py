"""Signed evidence bundles: a trace report, its STIX bundle and the stored rows behind every figure, a
SHA-256 manifest, an in-toto statement over it in a DSSE envelope signed with Ed25519 by one or more
organisations, an optional RFC 3161 timestamp and a hash-chained custody log; verified offline.

Pure modules (no file, network or store access): `layout`, `keys`, `manifest`, `dsse`, `statement`,
`custody`, `timestamp`, `seal`, `verify`. At the edges: `bundle_files` (the bundle on disk: a folder, a
.zip or a .tar), `tsa_client` (the HTTP call to a timestamp authority) and `export` (the store and the
trace)."""
