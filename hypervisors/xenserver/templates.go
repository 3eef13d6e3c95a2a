package xenserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors/xenserver/xenapi"
)

// importingSuffix marks a template VDI whose import has not finished; an
// import cut short leaves one, which the next import of that template
// destroys.
const importingSuffix = " (importing)"

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
		if err := checkID("template ID", tpl.ID); err != nil {
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
// downloading tpl.URL and importing it first when there is none.
func (h *host) importedTemplate(ctx context.Context, sr xenapi.SRRef, tpl hypervisors.TemplateRef) (xenapi.VDIRef, xenapi.VDIRecord, error) {
	h.templateMu.Lock()
	defer h.templateMu.Unlock()
	name := templatePrefix + tpl.ID
	if ref, rec, err := h.namedVDI(ctx, sr, name); !errors.Is(err, hypervisors.ErrNotFound) {
		return ref, rec, err
	}
	if stale, _, err := h.namedVDI(ctx, sr, name+importingSuffix); err == nil {
		if err := h.c.VDI.Destroy(ctx, stale); err != nil {
			return "", xenapi.VDIRecord{}, wrap("destroying an import cut short", err)
		}
	}
	img, size, err := download(ctx, tpl.URL)
	if err != nil {
		return "", xenapi.VDIRecord{}, err
	}
	defer func() { _ = img.Close(); _ = os.Remove(img.Name()) }()
	ref, err := h.c.VDI.Create(ctx, xenapi.VDISpec{NameLabel: name + importingSuffix, SR: sr, VirtualSize: xenapi.Int(size),
		Type: xenapi.VDITypeUser, OtherConfig: map[string]string{keyID: tpl.ID}})
	if err != nil {
		return "", xenapi.VDIRecord{}, wrap("creating the template's VDI", err)
	}
	err = h.c.ImportRawVDI(ctx, ref, img, size)
	if err == nil {
		err = h.c.VDI.SetNameLabel(ctx, ref, name)
	}
	if err != nil {
		h.destroyVDIs(ref)
		return "", xenapi.VDIRecord{}, wrap("importing the template", err)
	}
	rec, err := h.c.VDI.GetRecord(ctx, ref)
	return ref, rec, wrap("reading the template's VDI", err)
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
