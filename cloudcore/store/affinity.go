package store

import (
	"context"
	"fmt"
)

var (
	qAddAffinityMember    = newQuery(`INSERT INTO affinity_members (group_id, instance_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	qRemoveAffinityMember = newQuery(`DELETE FROM affinity_members WHERE instance_id = ?`)
	qAffinityGroupsOf     = newQuery(`SELECT group_id FROM affinity_members WHERE instance_id = ? ORDER BY group_id`)
	qAffinityMembers      = newQuery(`SELECT instance_id FROM affinity_members WHERE group_id = ? ORDER BY instance_id`)
)

// affinityHostsSQL finds the hosts of the members of n groups.
func affinityHostsSQL(n int) string {
	return `SELECT DISTINCT o.parent_id FROM affinity_members AS m
		JOIN objects AS o ON o.kind = '` + string(KindInstance) + `' AND o.id = m.instance_id
		WHERE m.group_id IN (` + placeholders(n) + `) AND m.instance_id <> ? AND o.parent_id <> ''
		ORDER BY o.parent_id`
}

// AddAffinityMember puts an instance in a group; a member already is one.
func (t *sqlTx) AddAffinityMember(ctx context.Context, groupID, instanceID string) error {
	if _, err := t.exec(ctx, qAddAffinityMember, groupID, instanceID); err != nil {
		return fmt.Errorf("store: add instance %s to affinity group %s: %w", instanceID, groupID, err)
	}
	return nil
}

// RemoveAffinityMember takes an instance out of all its groups; none is
// not an error.
func (t *sqlTx) RemoveAffinityMember(ctx context.Context, instanceID string) error {
	if _, err := t.exec(ctx, qRemoveAffinityMember, instanceID); err != nil {
		return fmt.Errorf("store: remove instance %s from its affinity groups: %w", instanceID, err)
	}
	return nil
}

// AffinityGroupsOf lists the instance's groups, sorted.
func (t *sqlTx) AffinityGroupsOf(ctx context.Context, instanceID string) ([]string, error) {
	rows, err := t.query(ctx, qAffinityGroupsOf, instanceID)
	ids, err := scanAll(rows, err, scanString)
	if err != nil {
		return nil, fmt.Errorf("store: affinity groups of instance %s: %w", instanceID, err)
	}
	return ids, nil
}

// AffinityMembers lists the group's instances, sorted.
func (t *sqlTx) AffinityMembers(ctx context.Context, groupID string) ([]string, error) {
	rows, err := t.query(ctx, qAffinityMembers, groupID)
	ids, err := scanAll(rows, err, scanString)
	if err != nil {
		return nil, fmt.Errorf("store: members of affinity group %s: %w", groupID, err)
	}
	return ids, nil
}

// AffinityHosts lists, sorted and once each, the hosts that the instances
// in any of the groups run on, leaving out exceptID and instances without
// a host.
func (t *sqlTx) AffinityHosts(ctx context.Context, groupIDs []string, exceptID string) ([]string, error) {
	if len(groupIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(groupIDs)+1)
	for _, id := range groupIDs {
		args = append(args, id)
	}
	rows, err := t.queryText(ctx, affinityHostsSQL(len(groupIDs)), append(args, exceptID)...)
	hosts, err := scanAll(rows, err, scanString)
	if err != nil {
		return nil, fmt.Errorf("store: hosts of affinity groups %v: %w", groupIDs, err)
	}
	return hosts, nil
}

func scanString(r scanner, s *string) error { return r.Scan(s) }
