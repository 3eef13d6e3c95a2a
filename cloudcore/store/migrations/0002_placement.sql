-- Placement: host and pool capacity, address allocations, affinity groups.

-- cpu_free and mem_free are kept by the database. host_capacity_fit finds
-- the allocatable hosts of a zone with enough free memory by a range scan
-- that never visits hosts without room; read backwards, it lists them from
-- the emptiest without sorting.
CREATE TABLE host_capacity (
	seq         {{seq}},
	host_id     TEXT NOT NULL,
	zone_id     TEXT NOT NULL,
	pod_id      TEXT NOT NULL,
	cluster_id  TEXT NOT NULL,
	hypervisor  TEXT NOT NULL,
	allocatable BOOLEAN NOT NULL,
	cpu_total   BIGINT NOT NULL,
	cpu_used    BIGINT NOT NULL,
	mem_total   BIGINT NOT NULL,
	mem_used    BIGINT NOT NULL,
	cpu_free    BIGINT GENERATED ALWAYS AS (cpu_total - cpu_used) STORED,
	mem_free    BIGINT GENERATED ALWAYS AS (mem_total - mem_used) STORED,
	CONSTRAINT host_capacity_host_id_key UNIQUE (host_id)
);
CREATE INDEX host_capacity_fit ON host_capacity (zone_id, mem_free, cpu_free, seq) WHERE allocatable;

CREATE TABLE pool_capacity (
	seq        {{seq}},
	pool_id    TEXT NOT NULL,
	zone_id    TEXT NOT NULL,
	cluster_id TEXT NOT NULL,
	total      BIGINT NOT NULL,
	used       BIGINT NOT NULL,
	enabled    BOOLEAN NOT NULL,
	CONSTRAINT pool_capacity_pool_id_key UNIQUE (pool_id)
);
CREATE INDEX pool_capacity_zone ON pool_capacity (zone_id, seq);

-- ip is the 16-byte form of the address (IPv4 mapped into IPv6), so that
-- bytewise order is address order and MaxIP is one index lookup.
CREATE TABLE nics (
	id           TEXT NOT NULL PRIMARY KEY,
	instance_id  TEXT NOT NULL,
	network_id   TEXT NOT NULL,
	zone_id      TEXT NOT NULL,
	device_index INTEGER NOT NULL,
	ip           {{blob}},           -- NULL on an L2 network: no address, only a MAC
	mac          TEXT NOT NULL,
	CONSTRAINT nics_network_id_ip_key UNIQUE (network_id, ip),
	CONSTRAINT nics_zone_id_mac_key UNIQUE (zone_id, mac)
);
CREATE INDEX nics_instance ON nics (instance_id, device_index);

CREATE TABLE affinity_members (
	group_id    TEXT NOT NULL,
	instance_id TEXT NOT NULL,
	PRIMARY KEY (group_id, instance_id)
);
CREATE INDEX affinity_members_instance ON affinity_members (instance_id);
