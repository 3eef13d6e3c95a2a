package storetest

import (
	"slices"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/store"
)

var affinityTests = []test{
	{"Members", testAffinityMembers},
	{"Hosts", testAffinityHosts},
}

func testAffinityMembers(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, m := range [][2]string{{"g-1", "inst-b"}, {"g-1", "inst-a"}, {"g-2", "inst-a"}, {"g-1", "inst-a"}} { // the last is a repeat
			if err := tx.AddAffinityMember(t.Context(), m[0], m[1]); err != nil {
				return err
			}
		}
		return nil
	})
	members := func(group string) []string {
		return get(t, s, func(tx store.Tx) ([]string, error) { return tx.AffinityMembers(t.Context(), group) })
	}
	groups := func(instance string) []string {
		return get(t, s, func(tx store.Tx) ([]string, error) { return tx.AffinityGroupsOf(t.Context(), instance) })
	}
	if got := members("g-1"); !slices.Equal(got, []string{"inst-a", "inst-b"}) {
		t.Fatalf("members of g-1: %v", got)
	}
	if got := groups("inst-a"); !slices.Equal(got, []string{"g-1", "g-2"}) {
		t.Fatalf("groups of inst-a: %v", got)
	}
	if got := members("g-none"); len(got) != 0 {
		t.Fatalf("members of an unknown group: %v", got)
	}

	update(t, s, func(tx store.Tx) error { return tx.RemoveAffinityMember(t.Context(), "inst-a") })
	if got := groups("inst-a"); len(got) != 0 {
		t.Fatalf("groups of inst-a after removal: %v", got)
	}
	if got := members("g-1"); !slices.Equal(got, []string{"inst-b"}) {
		t.Fatalf("members of g-1 after removal of inst-a: %v", got)
	}
	update(t, s, func(tx store.Tx) error { return tx.RemoveAffinityMember(t.Context(), "inst-none") })
}

func testAffinityHosts(t *testing.T, s store.Store) {
	placed := map[string]string{"inst-a": "host-2", "inst-b": "host-1", "inst-c": "host-2", "inst-d": "", "inst-e": "host-3", "inst-f": "host-4"}
	update(t, s, func(tx store.Tx) error {
		for _, i := range []string{"inst-a", "inst-b", "inst-c", "inst-d", "inst-e", "inst-f"} {
			o := instance(i, i)
			o.ParentID = placed[i]
			if err := tx.Insert(t.Context(), &o); err != nil {
				return err
			}
		}
		// A host of another kind's object with a member's ID is ignored.
		snap := store.Object{Kind: store.KindSnapshot, ID: "inst-d", ParentID: "host-9", Name: "s"}
		if err := tx.Insert(t.Context(), &snap); err != nil {
			return err
		}
		for _, m := range [][2]string{{"g-1", "inst-a"}, {"g-1", "inst-b"}, {"g-1", "inst-c"}, {"g-1", "inst-d"}, {"g-2", "inst-e"}, {"g-3", "inst-f"}, {"g-2", "inst-gone"}} {
			if err := tx.AddAffinityMember(t.Context(), m[0], m[1]); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		name   string
		groups []string
		except string
		want   []string
	}{
		{"one group, distinct and sorted", []string{"g-1"}, "", []string{"host-1", "host-2"}},
		{"except an instance", []string{"g-1"}, "inst-b", []string{"host-2"}},
		{"except one of two on a host", []string{"g-1"}, "inst-a", []string{"host-1", "host-2"}},
		{"two groups", []string{"g-1", "g-2"}, "inst-x", []string{"host-1", "host-2", "host-3"}},
		{"no groups", nil, "", nil},
		{"unknown group", []string{"g-none"}, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := get(t, s, func(tx store.Tx) ([]string, error) {
				return tx.AffinityHosts(t.Context(), tc.groups, tc.except)
			})
			if len(got) != len(tc.want) || (len(got) > 0 && !slices.Equal(got, tc.want)) {
				t.Fatalf("AffinityHosts(%v, %q) = %v, want %v", tc.groups, tc.except, got, tc.want)
			}
		})
	}
}
