package xenapi

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// ImportRawVDI writes size bytes read from r into vdi, from its first byte:
// an HTTP PUT of the bytes to
// <base>/import_raw_vdi?session_id=<session>&vdi=<vdi>&format=raw, the
// upload XenAPI serves beside its RPCs. The disk must exist and be at
// least size bytes large (VDI.create); it is used to write a config-drive
// ISO or a raw template image.
//
// Only ctx bounds the upload. A non-2xx answer, including a redirect, is a
// *TransportError naming the status. XenAPI answers before it has written
// the data, so a 2xx answer means the upload was accepted, not that every
// block reached the disk.
func (c *Client) ImportRawVDI(ctx context.Context, vdi VDIRef, r io.Reader, size int64) error {
	const method = "import_raw_vdi"
	if size < 0 {
		return fmt.Errorf("xenapi: %s: negative size %d", method, size)
	}
	session, _, err := c.current()
	if err != nil {
		return fmt.Errorf("xenapi: %s: %w", method, err)
	}
	u := c.baseURL().JoinPath(method)
	u.RawQuery = url.Values{
		"session_id": {string(session)},
		"vdi":        {string(vdi)},
		"format":     {"raw"},
	}.Encode()
	body := io.NopCloser(io.LimitReader(r, size))
	if size == 0 {
		body = http.NoBody
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), body)
	if err != nil {
		return fmt.Errorf("xenapi: %s: %w", method, err)
	}
	// The documented request is HTTP/1.0-style: a known length, no chunked
	// encoding, and the connection closed after it.
	req.ContentLength = size
	req.Close = true
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := c.bulkHTTP.Do(req)
	if err != nil {
		return transportError(method, u, 0, err)
	}
	defer func() { _ = res.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		err := statusError(res.StatusCode)
		if res.Header.Get("Location") != "" {
			err = fmt.Errorf("%w, redirecting the upload elsewhere", err)
		}
		return transportError(method, u, res.StatusCode, err)
	}
	return nil
}
