package kvm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// TestTemplates makes volumes from templates of each kind the driver
// takes, and refuses the others.
func TestTemplates(t *testing.T) {
	s := newSystem(t, nil)
	raw := filepath.Join(filepath.Dir(s.template.URL[len("file://"):]), "raw.img")
	run(t, "qemu-img", "create", "-q", "-f", "raw", raw, "32M")
	for _, tc := range []struct {
		name string
		tpl  hypervisors.TemplateRef
		want error
		size int64
	}{
		{"qcow2", s.template, nil, 64 << 20},
		{"raw", hypervisors.TemplateRef{ID: uuid.NewString(), URL: "file://" + raw, Format: "raw"}, nil, 32 << 20},
		{"missing image", hypervisors.TemplateRef{ID: uuid.NewString(), URL: "file://" + raw + ".missing", Format: "raw"}, hypervisors.ErrNotFound, 0},
		{"vmdk", hypervisors.TemplateRef{ID: uuid.NewString(), URL: "file://" + raw, Format: "vmdk"}, hypervisors.ErrInvalid, 0},
		{"relative URL", hypervisors.TemplateRef{ID: uuid.NewString(), URL: "images/raw.img"}, hypervisors.ErrInvalid, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &tc.tpl}
			t.Cleanup(func() { mustDo(t, "DeleteVolume", s.host.DeleteVolume(context.Background(), s.pool, v.ID)) })
			info, err := s.host.CreateVolume(t.Context(), v)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Errorf("CreateVolume: %v, want %v", err, tc.want)
				}
				return
			}
			if err != nil || info.SizeBytes != tc.size {
				t.Errorf("CreateVolume = %+v, %v; want %d bytes", info, err, tc.size)
			}
			_, err = s.host.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &tc.tpl, SizeBytes: tc.size - 1})
			if !errors.Is(err, hypervisors.ErrInvalid) {
				t.Errorf("CreateVolume smaller than the template: %v, want ErrInvalid", err)
			}
		})
	}
	vols, err := s.host.ListVolumes(t.Context(), s.pool)
	mustDo(t, "ListVolumes", err)
	if len(vols) != 0 {
		t.Errorf("ListVolumes = %+v, want none: the subtests deleted theirs, and failed attempts leave nothing", vols)
	}
}

// TestResizeInUse grows the disk of a running VM, which QEMU holds open.
func TestResizeInUse(t *testing.T) {
	s := newSystem(t, nil)
	ctx := t.Context()
	vol, err := s.host.CreateVolume(ctx, hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &s.template})
	mustDo(t, "CreateVolume", err)
	t.Cleanup(func() { mustDo(t, "DeleteVolume", s.host.DeleteVolume(context.Background(), s.pool, vol.ID)) })
	spec := hypervisors.VMSpec{ID: uuid.NewString(), Resources: hypervisors.Resources{CPUs: 1, MemoryMiB: 128},
		Disks: []hypervisors.Disk{{VolumeID: vol.ID, Pool: s.pool}}}
	t.Cleanup(func() { mustDo(t, "DestroyVM", s.host.DestroyVM(context.Background(), spec.ID)) })
	_, err = s.host.CreateVM(ctx, spec)
	mustDo(t, "CreateVM", err)
	mustDo(t, "StartVM", s.host.StartVM(ctx, spec.ID))
	grown := vol.SizeBytes + 1<<30
	mustDo(t, "ResizeVolume", s.host.ResizeVolume(ctx, s.pool, vol.ID, grown))
	vols, err := s.host.ListVolumes(ctx, s.pool)
	mustDo(t, "ListVolumes", err)
	if !slices.Contains(vols, hypervisors.VolumeInfo{ID: vol.ID, PoolID: s.pool.ID, SizeBytes: grown}) {
		t.Errorf("ListVolumes = %+v, want volume %s at %d bytes", vols, vol.ID, grown)
	}
	if out := run(t, "virsh", "-c", systemURI, "domblkinfo", "cloudcore-"+spec.ID, "vda"); !strings.Contains(out, fmt.Sprintf("Capacity:       %d", grown)) {
		t.Errorf("virsh domblkinfo: the running VM does not see the new size:\n%s", out)
	}
}

// TestHTTPTemplate makes volumes from a template served over HTTP: the
// first download is kept in the pool and serves the next volumes. A qcow2
// template with a backing file (which QEMU would open on the host) or that
// is no qcow2 image is refused.
func TestHTTPTemplate(t *testing.T) {
	s := newSystem(t, nil)
	tplPath := strings.TrimPrefix(s.template.URL, "file://")
	overlay := filepath.Join(filepath.Dir(tplPath), "overlay.qcow2")
	run(t, "qemu-img", "create", "-q", "-f", "qcow2", "-b", tplPath, "-F", "qcow2", overlay)
	images := map[string][]byte{}
	for name, file := range map[string]string{"/tiny.qcow2": tplPath, "/overlay.qcow2": overlay} {
		data, err := os.ReadFile(file)
		mustDo(t, "reading "+file, err)
		images[name] = data
	}
	images["/text.qcow2"] = []byte("not an image, but long enough to have a header")
	var downloads atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := images[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		downloads.Add(1)
		http.ServeContent(w, r, r.URL.Path, time.Time{}, bytes.NewReader(data))
	}))
	defer srv.Close()
	tpl := hypervisors.TemplateRef{ID: uuid.NewString(), URL: srv.URL + "/tiny.qcow2", Format: "qcow2"}
	for range 2 {
		v := hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &tpl}
		t.Cleanup(func() { mustDo(t, "DeleteVolume", s.host.DeleteVolume(context.Background(), s.pool, v.ID)) })
		info, err := s.host.CreateVolume(t.Context(), v)
		if err != nil || info.SizeBytes != 64<<20 {
			t.Errorf("CreateVolume = %+v, %v; want the template's 64 MiB", info, err)
		}
	}
	if n := downloads.Load(); n != 1 {
		t.Errorf("the template was downloaded %d times, want once", n)
	}
	for path, want := range map[string]error{
		"/missing.qcow2": hypervisors.ErrNotFound,
		"/overlay.qcow2": hypervisors.ErrInvalid,
		"/text.qcow2":    hypervisors.ErrInvalid,
	} {
		bad := hypervisors.TemplateRef{ID: uuid.NewString(), URL: srv.URL + path, Format: "qcow2"}
		_, err := s.host.CreateVolume(t.Context(), hypervisors.VolumeSpec{ID: uuid.NewString(), Pool: s.pool, Template: &bad})
		if !errors.Is(err, want) {
			t.Errorf("CreateVolume from %s: %v, want %v", path, err, want)
		}
	}
}
