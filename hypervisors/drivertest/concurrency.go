package drivertest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// testConcurrentUse runs VM lifecycles side by side on the one Host, which
// must be safe for concurrent use.
func (s *suite) testConcurrentUse(t *testing.T) {
	const parallel = 8
	n := s.ensureNetwork(t)
	type job struct {
		vm   hypervisors.VMSpec
		data hypervisors.VolumeSpec
	}
	jobs := make([]job, parallel)
	for i := range jobs {
		jobs[i] = job{vm: s.vmSpecOn(t, n), data: s.volumeSpec(false, gib)}
		id := jobs[i].data.ID
		cleanup(t, "DeleteVolume "+id, func(ctx context.Context) error { return s.Host.DeleteVolume(ctx, s.Pool, id) })
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			if err := s.lifecycle(t.Context(), j.vm, j.data); err != nil {
				t.Errorf("VM %s: %v", j.vm.ID, err)
			}
		})
	}
	wg.Wait()
	for _, j := range jobs {
		s.expectGone(t, j.vm.ID)
	}
}

// lifecycle creates a data volume, creates spec's VM with it as second
// disk, starts, checks, stops and destroys the VM, and deletes the volume.
func (s *suite) lifecycle(ctx context.Context, spec hypervisors.VMSpec, data hypervisors.VolumeSpec) error {
	h := s.Host
	if _, err := h.CreateVolume(ctx, data); err != nil {
		return fmt.Errorf("CreateVolume: %w", err)
	}
	spec.Disks = append(slices.Clone(spec.Disks), hypervisors.Disk{VolumeID: data.ID, Pool: data.Pool})
	if _, err := h.CreateVM(ctx, spec); err != nil {
		return fmt.Errorf("CreateVM: %w", err)
	}
	if err := h.StartVM(ctx, spec.ID); err != nil {
		return fmt.Errorf("StartVM: %w", err)
	}
	st, err := h.VMStatus(ctx, spec.ID)
	if err != nil {
		return fmt.Errorf("VMStatus: %w", err)
	}
	if st.Power != hypervisors.PowerRunning {
		return fmt.Errorf("VM is %s after StartVM, want running", st.Power)
	}
	if err := h.StopVM(ctx, spec.ID, false); err != nil {
		return fmt.Errorf("StopVM: %w", err)
	}
	if err := h.DestroyVM(ctx, spec.ID); err != nil {
		return fmt.Errorf("DestroyVM: %w", err)
	}
	if err := h.DeleteVolume(ctx, data.Pool, data.ID); err != nil {
		return fmt.Errorf("DeleteVolume: %w", err)
	}
	return nil
}
