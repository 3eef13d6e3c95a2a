package cloudcore

import (
	"context"
	"fmt"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore/oobm"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// fenceHost powers h off so that none of its VMs can still run: through
// its BMC when it has out-of-band management, else through its driver when
// the driver can fence (the simulator). It fails when neither can, and
// whenever the power-off is not confirmed.
func (c *Cloud) fenceHost(ctx context.Context, h *Host) error {
	if h.OOBM != nil {
		cfg := oobm.Config{Address: h.OOBM.Address, Username: h.OOBM.Username}
		if h.OOBM.SealedPassword != "" {
			p, err := c.key.Open(h.OOBM.SealedPassword, oobmAAD(h.ID))
			if err != nil {
				return fmt.Errorf("host %s: decrypting its BMC password: %w", h.Name, err)
			}
			cfg.Password = string(p)
		}
		if err := oobm.PowerOff(ctx, cfg); err != nil {
			return fmt.Errorf("powering host %s off through its BMC: %w", h.Name, err)
		}
		return nil
	}
	d, cfg, err := c.driverOf(h)
	if err != nil {
		return err
	}
	f, ok := d.(hypervisors.Fencer)
	if !ok {
		return fmt.Errorf("host %s has no out-of-band management and the %s driver cannot power it off; give the host its BMC (oobm) so that it can be fenced: %w",
			h.Name, h.Hypervisor, ErrNotSupported)
	}
	if err := f.FenceHost(ctx, cfg); err != nil {
		return fmt.Errorf("fencing host %s through the %s driver: %w", h.Name, h.Hypervisor, err)
	}
	return nil
}
