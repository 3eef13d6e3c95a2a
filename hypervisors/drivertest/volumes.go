package drivertest

import (
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testVolumes checks each kind of volume through create, duplicate create,
// list, grow, shrink and delete.
func (s *suite) testVolumes(t *testing.T) {
	for _, tc := range []struct {
		name         string
		fromTemplate bool
		sizeBytes    int64
		wantAtLeast  int64
	}{
		{"from template at its size", true, 0, 1},
		{"from template grown", true, 16 * gib, 16 * gib},
		{"empty", false, gib, gib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			spec := s.volumeSpec(tc.fromTemplate, tc.sizeBytes)
			vol := s.createVolume(t, spec)
			if vol.ID != spec.ID || vol.PoolID != s.Pool.ID || vol.SizeBytes < tc.wantAtLeast {
				t.Fatalf("CreateVolume = %+v, want ID %s on pool %s of at least %d bytes", vol, spec.ID, s.Pool.ID, tc.wantAtLeast)
			}
			s.expectListedSize(t, vol.ID, vol.SizeBytes)

			_, err := s.Host.CreateVolume(ctx, spec)
			expectErr(t, "CreateVolume with the ID of an existing volume", err, hypervisors.ErrConflict)
			s.expectListedSize(t, vol.ID, vol.SizeBytes)

			grown := vol.SizeBytes + gib
			expectErr(t, "ResizeVolume to grow", s.Host.ResizeVolume(ctx, s.Pool, vol.ID, grown), nil)
			s.expectListedSize(t, vol.ID, grown)
			expectErr(t, "ResizeVolume to shrink", s.Host.ResizeVolume(ctx, s.Pool, vol.ID, vol.SizeBytes), hypervisors.ErrInvalid)
			s.expectListedSize(t, vol.ID, grown)

			expectErr(t, "DeleteVolume", s.Host.DeleteVolume(ctx, s.Pool, vol.ID), nil)
			expectErr(t, "DeleteVolume of a deleted volume", s.Host.DeleteVolume(ctx, s.Pool, vol.ID), nil)
			if _, listed := s.listedVolume(t, vol.ID); listed {
				t.Errorf("ListVolumes lists deleted volume %s", vol.ID)
			}
		})
	}
}

// expectListedSize reports an error unless ListVolumes lists volume id with
// at least atLeast bytes.
func (s *suite) expectListedSize(t *testing.T, id string, atLeast int64) {
	t.Helper()
	vol, listed := s.listedVolume(t, id)
	switch {
	case !listed:
		t.Errorf("ListVolumes does not list volume %s", id)
	case vol.PoolID != s.Pool.ID || vol.SizeBytes < atLeast:
		t.Errorf("ListVolumes reports %+v, want pool %s and at least %d bytes", vol, s.Pool.ID, atLeast)
	}
}
