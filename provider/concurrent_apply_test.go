package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/cloudcore"
)

// TestTwoAppliesAtOnceShareOneStore runs two `terraform apply` processes at
// the same time, each with its own state and its own provider process, on
// one store: both deploy eight instances into the same network and hosts,
// which hold exactly sixteen. Both must succeed without duplicate addresses
// or over-committed hosts, and plan nothing afterwards.
func TestTwoAppliesAtOnceShareOneStore(t *testing.T) {
	a := newAccCloud(t)
	in := a.buildInfra(2) // two hosts of 8 CPUs
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-cloudcore"), "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "terraformrc")
	err := os.WriteFile(rc, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "registry.terraform.io/cloudcore/cloudcore" = %q
  }
  direct {}
}
`, bin), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	run := func(work string, args ...string) error {
		cmd := exec.Command(tf, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("terraform %v in %s: %w\n%s", args, filepath.Base(work), err, out)
		}
		return nil
	}

	var works []string
	for _, prefix := range []string{"a", "b"} {
		work := filepath.Join(dir, prefix)
		if err := os.MkdirAll(work, 0o700); err != nil {
			t.Fatal(err)
		}
		hcl := fmt.Sprintf(`terraform {
  required_providers {
    cloudcore = { source = "cloudcore/cloudcore" }
  }
}
provider "cloudcore" {
  database = %q
}
resource "cloudcore_instance" "vm" {
  count       = 8
  name        = "%s-${count.index}"
  template_id = %q
  cpus        = 1
  memory_mib  = 256
  network {
    network_id = %q
  }
}
`, a.database, prefix, in.TemplateID, in.NetworkID)
		if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(hcl), 0o600); err != nil {
			t.Fatal(err)
		}
		works = append(works, work)
	}

	var wg sync.WaitGroup
	errs := make([]error, len(works))
	for i, work := range works {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = run(work, "apply", "-auto-approve", "-input=false")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, work := range works {
		if err := run(work, "plan", "-input=false", "-detailed-exitcode"); err != nil {
			t.Fatalf("plan after the concurrent applies is not empty: %v", err)
		}
	}

	a.outOfBand(func(ctx context.Context, c *cloudcore.Cloud) error {
		insts, err := c.Instances.List(ctx, cloudcore.InstanceFilter{ZoneID: in.ZoneID, State: cloudcore.Running})
		if err != nil {
			return err
		}
		if len(insts) != 16 {
			return fmt.Errorf("%d instances run; want 16", len(insts))
		}
		seen := map[string]string{}
		used := map[string]int64{}
		for _, i := range insts {
			ip := i.NICs[0].IP.String()
			if other, dup := seen[ip]; dup {
				return fmt.Errorf("%s and %s both have %s", other, i.Name, ip)
			}
			seen[ip] = i.Name
			used[i.HostID] += int64(i.CPUs) * 1000
		}
		for host, cpu := range used {
			capa, err := c.Hosts.Capacity(ctx, host)
			if err != nil {
				return err
			}
			if capa.CPUUsed != cpu || capa.CPUUsed > capa.CPUTotal {
				return fmt.Errorf("host %s reserves %d of %d milli-CPUs; its instances use %d", host, capa.CPUUsed, capa.CPUTotal, cpu)
			}
		}
		return nil
	})()
}
