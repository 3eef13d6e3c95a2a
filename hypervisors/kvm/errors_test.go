package kvm

import (
	"errors"
	"fmt"
	"testing"

	"libvirt.org/go/libvirt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

func TestWrap(t *testing.T) {
	for _, tc := range []struct {
		err  libvirt.Error
		want error
	}{
		{libvirt.Error{Code: libvirt.ERR_NO_DOMAIN}, hypervisors.ErrNotFound},
		{libvirt.Error{Code: libvirt.ERR_NO_STORAGE_VOL}, hypervisors.ErrNotFound},
		{libvirt.Error{Code: libvirt.ERR_NO_DOMAIN_SNAPSHOT}, hypervisors.ErrNotFound},
		{libvirt.Error{Code: libvirt.ERR_OPERATION_INVALID}, hypervisors.ErrConflict},
		{libvirt.Error{Code: libvirt.ERR_DOM_EXIST}, hypervisors.ErrConflict},
		{libvirt.Error{Code: libvirt.ERR_XML_DETAIL}, hypervisors.ErrInvalid},
		{libvirt.Error{Code: libvirt.ERR_AUTH_FAILED}, hypervisors.ErrInvalid},
		{libvirt.Error{Code: libvirt.ERR_NO_SUPPORT}, hypervisors.ErrNotSupported},
		{libvirt.Error{Code: libvirt.ERR_OPERATION_UNSUPPORTED}, hypervisors.ErrNotSupported},
		{libvirt.Error{Code: libvirt.ERR_NO_CONNECT}, hypervisors.ErrUnreachable},
		{libvirt.Error{Code: libvirt.ERR_SYSTEM_ERROR, Domain: libvirt.FROM_RPC}, hypervisors.ErrUnreachable},
	} {
		err := wrap("op", fmt.Errorf("context: %w", tc.err))
		if !errors.Is(err, tc.want) || !errors.Is(err, tc.err.Code) {
			t.Errorf("wrap(%v) = %v, want it to wrap %v and the libvirt error", tc.err, err, tc.want)
		}
	}
	sentinels := []error{hypervisors.ErrNotFound, hypervisors.ErrConflict, hypervisors.ErrInvalid, hypervisors.ErrNoCapacity, hypervisors.ErrUnreachable, hypervisors.ErrNotSupported}
	for _, lv := range []libvirt.Error{
		{Code: libvirt.ERR_INTERNAL_ERROR},
		{Code: libvirt.ERR_SYSTEM_ERROR, Domain: libvirt.FROM_STORAGE},
	} {
		err := wrap("op", lv)
		for _, s := range sentinels {
			if errors.Is(err, s) {
				t.Errorf("wrap(%v) wraps %v; want no sentinel", lv, s)
			}
		}
	}
	if wrap("op", nil) != nil {
		t.Error("wrap(op, nil) is not nil")
	}
	if err := wrap("op", libvirt.Error{Code: libvirt.ERR_NO_DOMAIN, Message: "Domain not found"}); err.Error() != "op: Domain not found" {
		t.Errorf("message %q", err)
	}
}
