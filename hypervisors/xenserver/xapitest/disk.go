package xapitest

import (
	"bytes"
	"errors"
	"maps"
)

// chunkSize is the granularity at which VDI content is kept: chunks that are
// all zeroes are not stored.
const chunkSize = 64 << 10

// disk is the content of a VDI, sparse. Chunks are never modified once
// stored, so clones share them.
type disk struct {
	chunks    map[int64][]byte // offset -> chunkSize bytes (the last may be shorter)
	truncated bool             // some content was not kept (over the memory cap)
}

func (d *disk) clone() *disk {
	if d == nil {
		return nil
	}
	return &disk{chunks: maps.Clone(d.chunks), truncated: d.truncated}
}

// stored is the number of content bytes d keeps.
func (d *disk) stored() int64 {
	if d == nil {
		return 0
	}
	var n int64
	for _, c := range d.chunks {
		n += int64(len(c))
	}
	return n
}

// newDisk splits data into chunks, dropping zero chunks, and keeps at most
// budget bytes.
func newDisk(data []byte, budget int64) *disk {
	d := &disk{chunks: map[int64][]byte{}}
	zero := make([]byte, chunkSize)
	for off := 0; off < len(data); off += chunkSize {
		c := data[off:min(off+chunkSize, len(data))]
		if bytes.Equal(c, zero[:len(c)]) {
			continue
		}
		if int64(len(c)) > budget {
			d.truncated = true
			continue
		}
		budget -= int64(len(c))
		d.chunks[int64(off)] = bytes.Clone(c)
	}
	return d
}

// errNotRetained says that a VDI's content was larger than the memory cap.
var errNotRetained = errors.New("xapitest: VDI content exceeds Options.MaxStoredBytes and was not kept")

// bytes returns the first size bytes of the content.
func (d *disk) bytes(size int64) ([]byte, error) {
	if d != nil && d.truncated {
		return nil, errNotRetained
	}
	out := make([]byte, size)
	if d == nil {
		return out, nil
	}
	for off, c := range d.chunks {
		if off < size {
			copy(out[off:], c)
		}
	}
	return out, nil
}
