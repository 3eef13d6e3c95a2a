package xenapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// xapiFault is an error the fake server answers with.
type xapiFault struct {
	code   string
	params []string
}

// handler answers one XenAPI method: a result, or a fault.
type handler func(params []json.RawMessage) (any, *xapiFault)

// seenRequest is one JSON-RPC request the fake server received.
type seenRequest struct {
	HTTPMethod  string
	Path        string
	ContentType string
	Body        string
	Method      string
	Params      []json.RawMessage
	ID          json.RawMessage
}

// fakeXAPI is a scriptable XenAPI JSON-RPC server: it logs in any user with
// password "secret", checks the session of every other call, and answers
// methods from its handlers.
type fakeXAPI struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	handlers map[string]handler
	raw      map[string]string // method -> literal response body; "%d" is replaced by the request id
	sessions map[string]bool   // valid sessions
	logins   int
	requests []seenRequest
	other    http.HandlerFunc // non-RPC paths
}

func newFake(t *testing.T) *fakeXAPI {
	f := newFakeUnstarted(t)
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func newFakeUnstarted(t *testing.T) *fakeXAPI {
	f := &fakeXAPI{t: t, handlers: map[string]handler{}, raw: map[string]string{}, sessions: map[string]bool{}}
	f.handle("session.login_with_password", func(p []json.RawMessage) (any, *xapiFault) {
		var user, pass string
		_ = json.Unmarshal(p[0], &user)
		_ = json.Unmarshal(p[1], &pass)
		if pass != "secret" {
			return nil, &xapiFault{CodeSessionAuthenticationFailed, []string{user, "Authentication failure"}}
		}
		f.logins++
		s := fmt.Sprintf("OpaqueRef:session-%d", f.logins)
		f.sessions[s] = true
		return s, nil
	})
	f.handle("session.logout", func(p []json.RawMessage) (any, *xapiFault) {
		delete(f.sessions, str(p[0]))
		return "", nil
	})
	return f
}

func (f *fakeXAPI) url() string { return f.srv.URL }

// handle sets the handler of method. Handlers run with f.mu held.
func (f *fakeXAPI) handle(method string, h handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[method] = h
}

// answer makes method answer with body, whose "%d" becomes the request id.
func (f *fakeXAPI) answer(method, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.raw[method] = body
}

// invalidate forgets every session, as a xapi restart would.
func (f *fakeXAPI) invalidate() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.sessions)
}

func (f *fakeXAPI) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

// seen returns the requests for method, in order.
func (f *fakeXAPI) seen(method string) []seenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []seenRequest
	for _, r := range f.requests {
		if r.Method == method {
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeXAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/jsonrpc" {
		f.mu.Lock()
		other := f.other
		f.mu.Unlock()
		if other == nil {
			http.NotFound(w, r)
			return
		}
		other(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		Method string            `json:"method"`
		Params []json.RawMessage `json:"params"`
		ID     json.RawMessage   `json:"id"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "malformed request", http.StatusInternalServerError)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, seenRequest{
		HTTPMethod: r.Method, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"),
		Body: string(body), Method: req.Method, Params: req.Params, ID: req.ID,
	})
	w.Header().Set("Content-Type", "application/json")
	if raw, ok := f.raw[req.Method]; ok {
		_, _ = fmt.Fprint(w, strings.ReplaceAll(raw, "%d", string(req.ID)))
		return
	}
	result, fault := f.dispatch(req.Method, req.Params)
	out := map[string]any{"jsonrpc": "2.0", "id": req.ID}
	if fault != nil {
		data := fault.params
		if data == nil {
			data = []string{}
		}
		out["error"] = map[string]any{"code": 1, "message": fault.code, "data": data}
	} else {
		out["result"] = result
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (f *fakeXAPI) dispatch(method string, params []json.RawMessage) (any, *xapiFault) {
	h, ok := f.handlers[method]
	if !ok {
		return nil, &xapiFault{"MESSAGE_METHOD_UNKNOWN", []string{method}}
	}
	if !strings.HasPrefix(method, "session.") {
		if len(params) == 0 || !f.sessions[str(params[0])] {
			s := ""
			if len(params) > 0 {
				s = str(params[0])
			}
			return nil, &xapiFault{CodeSessionInvalid, []string{s}}
		}
		params = params[1:]
	}
	return h(params)
}

// str decodes a JSON string, or returns the raw JSON.
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return string(raw)
	}
	return s
}

// newClient returns a client of f, logged in as root.
func newClient(t *testing.T, f *fakeXAPI) *Client {
	t.Helper()
	c, err := New(f.url(), "root", "secret", Options{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := c.Login(t.Context()); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return c
}
