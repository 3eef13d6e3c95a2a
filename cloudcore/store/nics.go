package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
)

const nicColumns = `id, instance_id, network_id, zone_id, device_index, ip, mac`

var (
	qInsertNIC               = newQuery(`INSERT INTO nics (` + nicColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qNICIDTaken              = newQuery(`SELECT 1 FROM nics WHERE id = ?`)
	qNICIPTaken              = newQuery(`SELECT 1 FROM nics WHERE network_id = ? AND ip = ?`)
	qNICMACTaken             = newQuery(`SELECT 1 FROM nics WHERE zone_id = ? AND mac = ?`)
	qNICsOfInstance          = newQuery(`SELECT ` + nicColumns + ` FROM nics WHERE instance_id = ? ORDER BY device_index, id`)
	qNICsOfInstanceOnNetwork = newQuery(`SELECT ` + nicColumns + ` FROM nics
		WHERE instance_id = ? AND network_id = ? ORDER BY device_index, id`)
	qNICsOfNetwork = newQuery(`SELECT ` + nicColumns + ` FROM nics WHERE network_id = ? ORDER BY ip`)
	qMaxIP         = newQuery(`SELECT ip FROM nics WHERE network_id = ? AND ip IS NOT NULL ORDER BY ip DESC LIMIT 1`)
	qDeleteNICs    = newQuery(`DELETE FROM nics WHERE instance_id = ?`)
)

// ipKey is the stored form of an address: its 16-byte form, IPv4 mapped
// into IPv6, so that bytewise order is address order for both families.
// The zero Addr (a NIC on an L2 network) is stored as NULL.
func ipKey(a netip.Addr) []byte {
	if !a.IsValid() {
		return nil
	}
	b := a.As16()
	return b[:]
}

// ipFromKey is the inverse of ipKey; IPv4 comes back as IPv4, so an
// IPv4-mapped IPv6 address comes back as IPv4 too.
func ipFromKey(b []byte) (netip.Addr, error) {
	if b == nil {
		return netip.Addr{}, nil
	}
	if len(b) != 16 {
		return netip.Addr{}, fmt.Errorf("stored IP address has %d bytes, not 16", len(b))
	}
	return netip.AddrFrom16([16]byte(b)).Unmap(), nil
}

func scanNIC(r scanner, n *NIC) error {
	var ip []byte
	if err := r.Scan(&n.ID, &n.InstanceID, &n.NetworkID, &n.ZoneID, &n.Index, &ip, &n.MAC); err != nil {
		return err
	}
	var err error
	n.IP, err = ipFromKey(ip)
	return err
}

// InsertNIC stores an allocation. n.ID must be set and n.IP without an
// IPv6 zone (ErrInvalid otherwise); the zero IP stands for a NIC on an L2
// network, which has a MAC but no address. Conflict "id" when the NIC
// exists, "ip" when the network has the IP, "mac" when the zone has the
// MAC (MACs compare as written: give them in one canonical form).
func (t *sqlTx) InsertNIC(ctx context.Context, n NIC) error {
	if n.ID == "" || n.IP.Zone() != "" {
		return invalid("insert nic: want an id and an IP address without zone, have id %q and IP %q", n.ID, n.IP)
	}
	key := ipKey(n.IP)
	err := t.insertUnique(ctx, qInsertNIC, []any{n.ID, n.InstanceID, n.NetworkID, n.ZoneID, n.Index, key, n.MAC}, func() []uniqueKey {
		return []uniqueKey{
			{"id", qNICIDTaken, []any{n.ID}, fmt.Sprintf("nic %s exists already", n.ID)},
			{"ip", qNICIPTaken, []any{n.NetworkID, key}, fmt.Sprintf("%s is taken on network %s", n.IP, n.NetworkID)},
			{"mac", qNICMACTaken, []any{n.ZoneID, n.MAC}, fmt.Sprintf("%s is taken in zone %s", n.MAC, n.ZoneID)},
		}
	})
	if err != nil {
		return fmt.Errorf("store: insert nic %s: %w", n.ID, err)
	}
	return nil
}

// ListNICs returns the NICs of instanceID by device index when it is set
// (only those on networkID when that is set too), else those of networkID
// by address. With neither it fails with ErrInvalid.
func (t *sqlTx) ListNICs(ctx context.Context, instanceID, networkID string) ([]NIC, error) {
	var rows *sql.Rows
	var err error
	switch {
	case instanceID != "" && networkID != "":
		rows, err = t.query(ctx, qNICsOfInstanceOnNetwork, instanceID, networkID)
	case instanceID != "":
		rows, err = t.query(ctx, qNICsOfInstance, instanceID)
	case networkID != "":
		rows, err = t.query(ctx, qNICsOfNetwork, networkID)
	default:
		return nil, invalid("list nics: give an instance or a network")
	}
	nics, err := scanAll(rows, err, scanNIC)
	if err != nil {
		return nil, fmt.Errorf("store: list nics (instance %q, network %q): %w", instanceID, networkID, err)
	}
	return nics, nil
}

// MaxIP returns the highest address allocated on the network.
func (t *sqlTx) MaxIP(ctx context.Context, networkID string) (netip.Addr, bool, error) {
	var key []byte
	err := t.queryRow(ctx, qMaxIP, networkID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return netip.Addr{}, false, nil
	}
	var ip netip.Addr
	if err == nil {
		ip, err = ipFromKey(key)
	}
	if err != nil {
		return netip.Addr{}, false, fmt.Errorf("store: highest IP of network %s: %w", networkID, err)
	}
	return ip, true, nil
}

// DeleteNICs removes every NIC of the instance; none is not an error.
func (t *sqlTx) DeleteNICs(ctx context.Context, instanceID string) error {
	if _, err := t.exec(ctx, qDeleteNICs, instanceID); err != nil {
		return fmt.Errorf("store: delete nics of instance %s: %w", instanceID, err)
	}
	return nil
}
