-- Objects, the journal of hypervisor side effects, and events.
--
-- Times are microseconds since the Unix epoch (UTC) in BIGINT columns, the
-- same on both databases. {{seq}} columns give creation order and keyset
-- paging. Statements end with a semicolon at the end of a line.

CREATE TABLE objects (
	seq        {{seq}},
	kind       TEXT NOT NULL,
	id         TEXT NOT NULL,
	name       TEXT NOT NULL,
	scope      TEXT NOT NULL,
	zone_id    TEXT NOT NULL,
	parent_id  TEXT NOT NULL,
	state      TEXT NOT NULL,
	version    BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	data       {{blob}} NOT NULL,
	CONSTRAINT objects_kind_id_key UNIQUE (kind, id),
	CONSTRAINT objects_kind_scope_name_key UNIQUE (kind, scope, name)
);
CREATE INDEX objects_kind_seq ON objects (kind, seq);
CREATE INDEX objects_kind_zone ON objects (kind, zone_id, seq);
CREATE INDEX objects_kind_parent ON objects (kind, parent_id, seq);
CREATE INDEX objects_kind_state ON objects (kind, state, seq);
CREATE INDEX objects_kind_name ON objects (kind, name, seq);

CREATE TABLE journal (
	seq         {{seq}},
	id          TEXT NOT NULL,
	op          TEXT NOT NULL,
	object_kind TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	host_id     TEXT NOT NULL,
	intent      {{blob}} NOT NULL,
	state       TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	updated_at  BIGINT NOT NULL,
	CONSTRAINT journal_id_key UNIQUE (id)
);
CREATE INDEX journal_state ON journal (state, seq);

CREATE TABLE events (
	seq         {{seq}},
	id          TEXT NOT NULL,
	time        BIGINT NOT NULL,
	actor       TEXT NOT NULL,
	action      TEXT NOT NULL,
	object_kind TEXT NOT NULL,
	object_id   TEXT NOT NULL,
	result      TEXT NOT NULL,
	detail      TEXT NOT NULL,
	CONSTRAINT events_id_key UNIQUE (id)
);
CREATE INDEX events_time ON events (time, seq);
CREATE INDEX events_object ON events (object_id, time, seq);
CREATE INDEX events_action ON events (action, time, seq);
