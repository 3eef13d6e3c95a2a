package kvm

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"libvirt.org/go/libvirt"
	"libvirt.org/go/libvirtxml"
)

// createRaw creates the raw volume name of size bytes on pool. The
// caller frees it.
func createRaw(pool *libvirt.StoragePool, name string, size int64) (*libvirt.StorageVol, error) {
	doc, err := (&libvirtxml.StorageVolume{
		Name:     name,
		Capacity: &libvirtxml.StorageVolumeSize{Unit: "bytes", Value: uint64(size)},
		Target:   &libvirtxml.StorageVolumeTarget{Format: &libvirtxml.StorageVolumeTargetFormat{Type: "raw"}},
	}).Marshal()
	if err != nil {
		return nil, err
	}
	vol, err := pool.StorageVolCreateXML(doc, 0)
	return vol, wrap("creating volume "+name, err)
}

// putImage stores data as the raw volume name on pool, replacing a volume
// of that name, and returns the volume's path. The data goes through
// libvirt, so the host may be remote. On failure nothing is left.
func putImage(c *libvirt.Connect, pool *libvirt.StoragePool, name string, data []byte) (string, error) {
	if err := deleteVolume(pool, name); err != nil {
		return "", err
	}
	vol, err := createRaw(pool, name, int64(len(data)))
	if err != nil {
		return "", err
	}
	defer free(vol)
	path, err := vol.GetPath()
	if err == nil {
		err = upload(c, vol, bytes.NewReader(data), int64(len(data)))
	}
	if err != nil {
		_ = vol.Delete(0)
		return "", fmt.Errorf("writing volume %s: %w", name, err)
	}
	return path, nil
}

// upload writes size bytes read from r to the start of vol.
func upload(c *libvirt.Connect, vol *libvirt.StorageVol, r io.Reader, size int64) error {
	stream, err := c.NewStream(0)
	if err != nil {
		return wrap("opening a stream", err)
	}
	defer free(stream)
	if err := vol.Upload(stream, 0, uint64(size), 0); err != nil {
		return wrap("starting the upload", err)
	}
	buf := make([]byte, 1<<20)
	for sent := int64(0); sent < size; {
		n, err := io.ReadFull(r, buf[:min(int64(len(buf)), size-sent)])
		for chunk := buf[:n]; len(chunk) > 0 && err == nil; {
			var k int
			if k, err = stream.Send(chunk); err != nil {
				err = wrap("uploading", err)
			}
			chunk = chunk[k:]
		}
		if err != nil {
			_ = stream.Abort()
			return err
		}
		sent += int64(n)
	}
	return wrap("finishing the upload", stream.Finish())
}

// deleteVolume deletes volume name from pool; it succeeds when there is
// none.
func deleteVolume(pool *libvirt.StoragePool, name string) error {
	vol, err := pool.LookupStorageVolByName(name)
	if errors.Is(err, libvirt.ERR_NO_STORAGE_VOL) {
		return nil
	}
	if err != nil {
		return wrap("looking up volume "+name, err)
	}
	defer free(vol)
	if err := vol.Delete(0); err != nil && !errors.Is(err, libvirt.ERR_NO_STORAGE_VOL) {
		return wrap("deleting volume "+name, err)
	}
	return nil
}
