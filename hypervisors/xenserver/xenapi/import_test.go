package xenapi

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

type upload struct {
	method, path, session, vdi, format string
	contentLength                      int64
	body                               []byte
}

// uploadServer records uploads to /import_raw_vdi and answers status.
func uploadServer(f *fakeXAPI, status int) *[]upload {
	var got []upload
	f.mu.Lock()
	defer f.mu.Unlock()
	f.other = func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		q := r.URL.Query()
		f.mu.Lock()
		got = append(got, upload{r.Method, r.URL.Path, q.Get("session_id"), q.Get("vdi"), q.Get("format"), r.ContentLength, body})
		f.mu.Unlock()
		if status == http.StatusFound {
			w.Header().Set("Location", "https://elsewhere/import_raw_vdi")
		}
		w.WriteHeader(status)
	}
	return &got
}

func TestImportRawVDI(t *testing.T) {
	f := newFake(t)
	got := uploadServer(f, http.StatusOK)
	c := newClient(t, f)
	data := bytes.Repeat([]byte("cloudcore"), 1000)

	if err := c.ImportRawVDI(t.Context(), "OpaqueRef:vdi", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(*got) != 1 {
		t.Fatalf("%d uploads, want 1", len(*got))
	}
	u := (*got)[0]
	if u.method != http.MethodPut || u.path != "/import_raw_vdi" || u.session != "OpaqueRef:session-1" ||
		u.vdi != "OpaqueRef:vdi" || u.format != "raw" || u.contentLength != int64(len(data)) || !bytes.Equal(u.body, data) {
		t.Errorf("upload = %s %s session %s vdi %s format %s length %d, %d bytes",
			u.method, u.path, u.session, u.vdi, u.format, u.contentLength, len(u.body))
	}
}

func TestImportRawVDIRefused(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusForbidden, http.StatusFound} {
		f := newFake(t)
		got := uploadServer(f, status)
		c := newClient(t, f)
		err := c.ImportRawVDI(t.Context(), "OpaqueRef:vdi", strings.NewReader("iso"), 3)
		var te *TransportError
		if !errors.As(err, &te) || te.StatusCode != status || !strings.Contains(err.Error(), http.StatusText(status)) {
			t.Errorf("HTTP %d: err = %v, want a *TransportError naming the status", status, err)
			continue
		}
		if strings.Contains(err.Error(), "OpaqueRef:session-1") {
			t.Errorf("HTTP %d: the error shows the session: %v", status, err)
		}
		f.mu.Lock()
		if len(*got) != 1 {
			t.Errorf("HTTP %d: %d uploads, want 1 (no redirect followed)", status, len(*got))
		}
		f.mu.Unlock()
	}
}

func TestImportRawVDINeedsSession(t *testing.T) {
	f := newFake(t)
	c, err := New(f.url(), "root", "secret", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ImportRawVDI(t.Context(), "OpaqueRef:vdi", strings.NewReader("x"), 1); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("err = %v, want ErrNotLoggedIn", err)
	}
}
