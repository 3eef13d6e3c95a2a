package xenserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// importingSuffix marks a template VDI whose import has not finished; an
// import cut short leaves one, which another import of that template
// destroys once it is staleImport old.
const importingSuffix = " (importing)"

// staleImport is how long an import may run before another process takes
// its VDI for one cut short.
const staleImport = time.Hour

// imports serialises the imports of one template into one SR among the
// hosts of this process (one lock per SR and template).
var imports sync.Map

// templateVDI returns the VDI volumes of tpl are copied from:
// vdi:<name label or UUID> (or vdi://...) names a VDI of the pool; an
// http(s) URL a raw image, imported into sr as cloudcore-tpl-<template ID>
// on first use.
func (h *host) templateVDI(ctx context.Context, sr xenapi.SRRef, tpl hypervisors.TemplateRef) (xenapi.VDIRef, xenapi.VDIRecord, error) {
	if name, ok := objectName(tpl.URL, "vdi"); ok {
		return h.existingVDI(ctx, name)
	}
	switch {
	case strings.HasPrefix(tpl.URL, "http://"), strings.HasPrefix(tpl.URL, "https://"):
		if tpl.Format != "" && tpl.Format != "raw" {
			return "", xenapi.VDIRecord{}, fmt.Errorf("%w: format %q: XenServer imports raw images; convert it, or upload it as a VDI and give vdi://<name>", hypervisors.ErrInvalid, tpl.Format)
		}
		if err := hypervisors.CheckID("template ID", tpl.ID); err != nil {
			return "", xenapi.VDIRecord{}, err
		}
		return h.importedTemplate(ctx, sr, tpl)
	}
	return "", xenapi.VDIRecord{}, fmt.Errorf("%w: URL %q: want vdi:<VDI name label or UUID> or the http(s) URL of a raw image", hypervisors.ErrInvalid, tpl.URL)
}

// existingVDI returns the one VDI of the pool whose UUID or name label is
// name.
func (h *host) existingVDI(ctx context.Context, name string) (xenapi.VDIRef, xenapi.VDIRecord, error) {
	if ref, err := h.c.VDI.GetByUUID(ctx, name); err == nil {
		rec, err := h.c.VDI.GetRecord(ctx, ref)
		return ref, rec, wrap("reading VDI "+name, err)
	}
	refs, err := h.c.VDI.GetByNameLabel(ctx, name)
	if err != nil {
		return "", xenapi.VDIRecord{}, wrap("looking up VDI "+name, err)
	}
	switch len(refs) {
	case 0:
		return "", xenapi.VDIRecord{}, fmt.Errorf("%w: the pool has no VDI %q", hypervisors.ErrNotFound, name)
	case 1:
		rec, err := h.c.VDI.GetRecord(ctx, refs[0])
		return refs[0], rec, wrap("reading VDI "+name, err)
	}
	return "", xenapi.VDIRecord{}, fmt.Errorf("%w: %d VDIs are named %q; give the VDI's UUID", hypervisors.ErrInvalid, len(refs), name)
}

// importedTemplate returns template VDI cloudcore-tpl-<ID> on sr,
// downloading tpl.URL and importing it first when there is none. An
// import another process started less than staleImport ago fails with
// ErrConflict; retry once it is done.
func (h *host) importedTemplate(ctx context.Context, sr xenapi.SRRef, tpl hypervisors.TemplateRef) (xenapi.VDIRef, xenapi.VDIRecord, error) {
	name := templatePrefix + tpl.ID
	if ref, rec, err := h.namedVDI(ctx, sr, name); !isNotFound(err) {
		return ref, rec, err
	}
	mu, _ := imports.LoadOrStore(string(sr)+"/"+tpl.ID, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	if ref, rec, err := h.namedVDI(ctx, sr, name); !isNotFound(err) {
		return ref, rec, err // imported while this call waited
	}
	if other, rec, err := h.namedVDI(ctx, sr, name+importingSuffix); err == nil {
		started, _ := time.Parse(time.RFC3339Nano, rec.OtherConfig[keyCreated])
		if time.Since(started) < staleImport {
			return "", xenapi.VDIRecord{}, fmt.Errorf("%w: another process has been importing the template since %s; retry when it is done", hypervisors.ErrConflict, started.Format(time.RFC3339))
		}
		if err := h.c.VDI.Destroy(ctx, other); err != nil {
			return "", xenapi.VDIRecord{}, wrap("destroying an import cut short", err)
		}
	}
	img, size, err := download(ctx, tpl.URL)
	if err != nil {
		return "", xenapi.VDIRecord{}, err
	}
	defer func() { _ = img.Close(); _ = os.Remove(img.Name()) }()
	ref, err := h.c.VDI.Create(ctx, xenapi.VDISpec{NameLabel: name + importingSuffix, SR: sr, VirtualSize: xenapi.Int(size),
		Type: xenapi.VDITypeUser, OtherConfig: map[string]string{keyID: tpl.ID, keyCreated: time.Now().UTC().Format(time.RFC3339Nano)}})
	if err != nil {
		return "", xenapi.VDIRecord{}, wrap("creating the template's VDI", err)
	}
	err = h.c.ImportRawVDI(ctx, ref, img, size)
	if err == nil {
		err = h.c.VDI.SetNameLabel(ctx, ref, name)
	}
	var rec xenapi.VDIRecord
	if err == nil {
		rec, err = h.c.VDI.GetRecord(ctx, ref)
	}
	if err != nil {
		h.destroyVDIs(ref)
		return "", xenapi.VDIRecord{}, wrap("importing the template", err)
	}
	return ref, rec, nil
}

// download fetches url into a temporary file and returns it, rewound,
// with its size.
func download(ctx context.Context, url string) (*os.File, int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", hypervisors.ErrInvalid, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("downloading %s: %w", url, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%w: downloading %s: %s", hypervisors.ErrNotFound, url, resp.Status)
	}
	f, err := os.CreateTemp("", "cloudcore-template-*.img")
	if err != nil {
		return nil, 0, err
	}
	size, err := io.Copy(f, resp.Body)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, 0, fmt.Errorf("downloading %s: %w", url, err)
	}
	return f, size, nil
}
