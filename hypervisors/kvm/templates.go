package kvm

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// templateFormat returns the image format of t: qcow2 (also when Format is
// empty) or raw; other formats fail with ErrInvalid.
func templateFormat(t hypervisors.TemplateRef) (string, error) {
	switch t.Format {
	case "", "qcow2":
		return "qcow2", nil
	case "raw":
		return "raw", nil
	}
	return "", fmt.Errorf("%w: template %s has format %q; KVM hosts take qcow2 and raw images", hypervisors.ErrInvalid, t.ID, t.Format)
}

// templateImage returns the image volumes made from template t are
// overlays of, by the template's URL:
//
//	file:///<path>    the image at <path> on the host; on a local host a
//	                  missing file fails with ErrNotFound (on a remote one,
//	                  libvirt reports it when the overlay is made)
//	http(s)://...     a copy in pool, downloaded once (see cachedTemplate)
func (h *host) templateImage(ctx context.Context, c *libvirt.Connect, pool *libvirt.StoragePool, t hypervisors.TemplateRef) (*libvirtxml.StorageVolumeBackingStore, error) {
	format, err := templateFormat(t)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(t.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: template %s: URL %q: %v", hypervisors.ErrInvalid, t.ID, t.URL, err)
	}
	var image string
	switch {
	case u.Scheme == "file" && u.Host == "" && path.IsAbs(u.Path):
		image = path.Clean(u.Path)
		if h.cfg.local {
			if _, err := os.Stat(image); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("%w: template %s: image %s does not exist", hypervisors.ErrNotFound, t.ID, image)
			}
		}
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		if image, err = h.cachedTemplate(ctx, c, pool, t, format); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: template %s: URL %q: want file:///<path of the image on the host> or http(s)://", hypervisors.ErrInvalid, t.ID, t.URL)
	}
	return &libvirtxml.StorageVolumeBackingStore{Path: image, Format: &libvirtxml.StorageVolumeTargetFormat{Type: format}}, nil
}

// cachedTemplate returns the path of the copy of template t in pool,
// cloudcore-tpl-<template ID>.img, downloading it first when there is
// none. An empty volume beside it (the same name and ".complete") marks a
// copy whose download finished: a copy without it, cut short by a crash,
// is downloaded again. Downloads on one host connection run one at a time;
// the copies stay in the pool for later volumes.
func (h *host) cachedTemplate(ctx context.Context, c *libvirt.Connect, pool *libvirt.StoragePool, t hypervisors.TemplateRef, format string) (string, error) {
	if err := hypervisors.CheckID("template ID", t.ID); err != nil {
		return "", err
	}
	name := templateName(t.ID)
	marker := name + ".complete"
	cached := func() (string, error) {
		if done, err := volumePath(pool, marker); done == "" || err != nil {
			return "", err
		}
		return volumePath(pool, name)
	}
	if p, err := cached(); p != "" || err != nil {
		return p, err
	}
	h.templateMu.Lock()
	defer h.templateMu.Unlock()
	if p, err := cached(); p != "" || err != nil { // downloaded while we waited
		return p, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		return "", fmt.Errorf("%w: template %s: %v", hypervisors.ErrInvalid, t.ID, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("downloading template %s: %w", t.ID, err)
	}
	defer func() { _ = resp.Body.Close() }()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", fmt.Errorf("%w: template %s: %s answers %s", hypervisors.ErrNotFound, t.ID, t.URL, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return "", fmt.Errorf("downloading template %s: %s answers %s", t.ID, t.URL, resp.Status)
	case resp.ContentLength <= 0:
		return "", fmt.Errorf("%w: template %s: %s sends no Content-Length", hypervisors.ErrNotSupported, t.ID, t.URL)
	}
	body := bufio.NewReader(resp.Body)
	if err := checkImageHeader(t, format, body); err != nil {
		return "", err
	}
	if err := deleteVolume(pool, name); err != nil { // a download cut short
		return "", err
	}
	vol, err := createRaw(pool, name, resp.ContentLength)
	if err != nil {
		return "", err
	}
	defer free(vol)
	p, err := vol.GetPath()
	if err == nil {
		err = upload(c, vol, body, resp.ContentLength)
	}
	if err == nil {
		var done *libvirt.StorageVol
		if done, err = createRaw(pool, marker, 0); err == nil {
			free(done)
		}
	}
	if err != nil {
		_ = vol.Delete(0)
		return "", fmt.Errorf("downloading template %s: %w", t.ID, err)
	}
	return p, nil
}

// checkImageHeader fails with ErrInvalid unless the image about to be read
// from r (which it peeks into) is a qcow2 image without a backing file,
// when format is qcow2: QEMU would open a backing file named in a
// downloaded image on the host.
func checkImageHeader(t hypervisors.TemplateRef, format string, r *bufio.Reader) error {
	if format != "qcow2" {
		return nil
	}
	// The qcow2 header: magic "QFI\xfb", version (4 bytes), then the offset
	// of the backing file name (8 bytes, 0 for none).
	head, err := r.Peek(16)
	switch {
	case err != nil:
		return fmt.Errorf("%w: template %s: reading its header: %v", hypervisors.ErrInvalid, t.ID, err)
	case string(head[:4]) != "QFI\xfb":
		return fmt.Errorf("%w: template %s is not a qcow2 image", hypervisors.ErrInvalid, t.ID)
	case binary.BigEndian.Uint64(head[8:16]) != 0:
		return fmt.Errorf("%w: template %s is a qcow2 image with a backing file", hypervisors.ErrInvalid, t.ID)
	}
	return nil
}

// volumePath returns the path of volume name in pool, or "" when there is
// no such volume.
func volumePath(pool *libvirt.StoragePool, name string) (string, error) {
	vol, err := pool.LookupStorageVolByName(name)
	if errors.Is(err, libvirt.ERR_NO_STORAGE_VOL) {
		return "", nil
	}
	if err != nil {
		return "", wrap("looking up volume "+name, err)
	}
	defer free(vol)
	p, err := vol.GetPath()
	return p, wrap("looking up volume "+name, err)
}
