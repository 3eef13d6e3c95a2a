package cloudcore_test

import (
	"errors"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/simulator"
)

// TestAttachAndDetachNICs adds a NIC on a second network to a running and
// then to a stopped instance and removes it: the record and the VM agree
// after each step, and the address is free again afterwards.
func TestAttachAndDetachNICs(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	extra := must(f.c.Networks.Create(f.ctx, cloudcore.NetworkSpec{Name: "extra", ZoneID: f.zone.ID, CIDR: "10.2.0.0/24"}))(t)
	inst := f.deploy(f.spec("web"))
	for _, stopped := range []bool{false, true} {
		if stopped {
			must(f.c.Instances.Stop(f.ctx, inst.ID, false))(t)
		}
		want := map[bool]cloudcore.State{false: cloudcore.Running, true: cloudcore.Stopped}[stopped]
		got := must(f.c.Instances.AttachNIC(f.ctx, inst.ID, cloudcore.NICRequest{NetworkID: extra.ID, IP: "10.2.0.7"}))(t)
		if len(got.NICs) != 2 || got.NICs[1].NetworkID != extra.ID || got.NICs[1].IP.String() != "10.2.0.7" || got.NICs[1].MAC == "" || got.State != want {
			t.Fatalf("after AttachNIC the instance is %s with NICs %+v; want %s with a second NIC at 10.2.0.7", got.State, got.NICs, want)
		}
		checkVMNICs(t, f, f.hosts[0], got)
		got = must(f.c.Instances.DetachNIC(f.ctx, inst.ID, got.NICs[1].MAC))(t)
		if len(got.NICs) != 1 || got.State != want {
			t.Fatalf("after DetachNIC the instance is %s with NICs %+v; want %s with its first NIC only", got.State, got.NICs, want)
		}
		checkVMNICs(t, f, f.hosts[0], got)
		checkConsistent(t, f, f.c) // the address is free again
	}
}

// TestNICChangesRefused: bad or impossible NIC changes fail with the
// error a user can act on and change nothing.
func TestNICChangesRefused(t *testing.T) {
	f := newFixture(t, fixtureOpts{hosts: 1})
	extra := must(f.c.Networks.Create(f.ctx, cloudcore.NetworkSpec{Name: "extra", ZoneID: f.zone.ID, CIDR: "10.2.0.0/24"}))(t)
	inst := f.deploy(f.spec("web"))
	other := f.deploy(f.spec("other"))
	taken := must(f.c.Instances.AttachNIC(f.ctx, other.ID, cloudcore.NICRequest{NetworkID: extra.ID}))(t).NICs[1].IP.String()
	snapped := f.deploy(f.spec("snapped"))
	must(f.c.Snapshots.Create(f.ctx, cloudcore.SnapshotSpec{Name: "s", InstanceID: snapped.ID}))(t)

	for _, tc := range []struct {
		name  string
		do    func() error
		want  error
		field string // of the *FieldError; "" for none
	}{
		{"network of the instance already", func() error {
			_, err := f.c.Instances.AttachNIC(f.ctx, inst.ID, cloudcore.NICRequest{NetworkID: f.net.ID})
			return err
		}, cloudcore.ErrInvalid, "network[1].network_id"},
		{"unknown network", func() error {
			_, err := f.c.Instances.AttachNIC(f.ctx, inst.ID, cloudcore.NICRequest{NetworkID: "6a1f0f6e-4a47-4d4f-8c64-2f0b8c7e1a11"})
			return err
		}, cloudcore.ErrNotFound, "network[1].network_id"},
		{"address outside the network", func() error {
			_, err := f.c.Instances.AttachNIC(f.ctx, inst.ID, cloudcore.NICRequest{NetworkID: extra.ID, IP: "10.3.0.5"})
			return err
		}, cloudcore.ErrInvalid, "network[1].ip_address"},
		{"address in use", func() error {
			_, err := f.c.Instances.AttachNIC(f.ctx, inst.ID, cloudcore.NICRequest{NetworkID: extra.ID, IP: taken})
			return err
		}, cloudcore.ErrConflict, "network[1].ip_address"},
		{"instance with snapshots", func() error {
			_, err := f.c.Instances.AttachNIC(f.ctx, snapped.ID, cloudcore.NICRequest{NetworkID: extra.ID})
			return err
		}, cloudcore.ErrConflict, ""},
		{"unknown MAC", func() error {
			_, err := f.c.Instances.DetachNIC(f.ctx, inst.ID, "02:00:00:00:00:99")
			return err
		}, cloudcore.ErrNotFound, "mac_address"},
		{"the only NIC", func() error {
			_, err := f.c.Instances.DetachNIC(f.ctx, inst.ID, inst.NICs[0].MAC)
			return err
		}, cloudcore.ErrInvalid, "mac_address"},
		{"the host refuses", func() error {
			if err := f.control(f.hosts[0]).InjectFault(simulator.Fault{Op: simulator.OpAttachNIC, Nth: 1, Action: simulator.ActionFail}); err != nil {
				t.Fatal(err)
			}
			_, err := f.c.Instances.AttachNIC(f.ctx, inst.ID, cloudcore.NICRequest{NetworkID: extra.ID})
			return err
		}, cloudcore.ErrUnreachable, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.do()
			var fe *cloudcore.FieldError
			switch {
			case !errors.Is(err, tc.want):
				t.Errorf("got %v, want %v", err, tc.want)
			case tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field):
				t.Errorf("got %v, want a *FieldError on %s", err, tc.field)
			}
			for _, id := range []string{inst.ID, snapped.ID} {
				if got := f.instance(id); len(got.NICs) != 1 || got.Task != "" || got.State != cloudcore.Running {
					t.Errorf("instance %s is %s (task %q) with NICs %+v; want it running with its one NIC", got.Name, got.State, got.Task, got.NICs)
				}
			}
			checkConsistent(t, f, f.c)
		})
	}
}
