package xenapi

import (
	"io"
	"net/http"
	"strings"
)

// statusTransport answers every request with one status and body.
type statusTransport struct {
	status      int
	contentType string
	body        string
}

func (s statusTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode: s.status,
		Status:     http.StatusText(s.status),
		Header:     http.Header{"Content-Type": {s.contentType}},
		Body:       io.NopCloser(strings.NewReader(s.body)),
		Request:    r,
	}, nil
}
