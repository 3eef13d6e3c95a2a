package xenapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// vmRecordHandler answers VM.get_record with a record named after the ref.
func vmRecordHandler(p []json.RawMessage) (any, *xapiFault) {
	return map[string]any{"uuid": "u", "name_label": str(p[0])}, nil
}

func TestSessionInvalidLogsInAgainOnce(t *testing.T) {
	f := newFake(t)
	f.handle("VM.get_record", vmRecordHandler)
	c := newClient(t, f)
	f.invalidate()

	rec, err := c.VM.GetRecord(t.Context(), "OpaqueRef:vm")
	if err != nil {
		t.Fatalf("GetRecord after the session ended: %v", err)
	}
	if rec.NameLabel != "OpaqueRef:vm" {
		t.Errorf("record = %+v", rec)
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("%d logins, want 2", n)
	}
	calls := f.seen("VM.get_record")
	if len(calls) != 2 {
		t.Fatalf("%d VM.get_record calls, want the refused one and its repetition", len(calls))
	}
	if first, second := str(calls[0].Params[0]), str(calls[1].Params[0]); first != "OpaqueRef:session-1" || second != "OpaqueRef:session-2" {
		t.Errorf("sessions used: %s then %s, want session-1 then session-2", first, second)
	}
}

func TestSessionInvalidTwiceIsReturned(t *testing.T) {
	f := newFake(t)
	// The documented JSON-RPC v2.0 answer to a call on a logged-out session,
	// whatever session the call carries.
	f.answer("VM.get_record", `{
    "jsonrpc": "2.0",
    "error": {
        "code": 1,
        "message": "SESSION_INVALID",
        "data": [
            "OpaqueRef:c90cd28f-37ec-4dbf-88e6-f697ccb28b39"
        ]
    },
    "id": %d
  }`)
	c := newClient(t, f)
	_, err := c.VM.GetRecord(t.Context(), "OpaqueRef:vm")
	if !IsCode(err, CodeSessionInvalid) {
		t.Fatalf("err = %v, want SESSION_INVALID", err)
	}
	var e *Error
	if errors.As(err, &e); len(e.Params) != 1 || e.Params[0] != "OpaqueRef:c90cd28f-37ec-4dbf-88e6-f697ccb28b39" {
		t.Errorf("params = %q, want the documented handle", e.Params)
	}
	if n := len(f.seen("VM.get_record")); n != 2 {
		t.Errorf("%d VM.get_record calls, want 2: one retry, no more", n)
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("%d logins, want 2", n)
	}
}

// TestConcurrentCallsLogInAgainOnce has many goroutines share a client
// whose session ended: they all succeed, and the client logs in once more.
func TestConcurrentCallsLogInAgainOnce(t *testing.T) {
	f := newFake(t)
	f.handle("VM.get_record", vmRecordHandler)
	c := newClient(t, f)
	f.invalidate()

	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			ref := VMRef(fmt.Sprintf("OpaqueRef:vm-%d", i))
			rec, err := c.VM.GetRecord(t.Context(), ref)
			if err == nil && rec.NameLabel != string(ref) {
				err = fmt.Errorf("got the record of %s for %s", rec.NameLabel, ref)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := f.loginCount(); got != 2 {
		t.Errorf("%d logins, want 2: the first and one after the session ended", got)
	}
}

func TestLoginAndLogout(t *testing.T) {
	f := newFake(t)
	f.handle("VM.get_record", vmRecordHandler)
	c, err := New(f.url(), "root", "wrong", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.VM.GetRecord(t.Context(), "OpaqueRef:vm"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("call before Login: %v, want ErrNotLoggedIn", err)
	}
	err = c.Login(t.Context())
	if !IsCode(err, CodeSessionAuthenticationFailed) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("Login with a wrong password: %v, want SESSION_AUTHENTICATION_FAILED without the password", err)
	}

	c = newClient(t, f)
	if err := c.Login(t.Context()); err != nil || f.loginCount() != 1 {
		t.Errorf("a second Login: %v, %d logins; want nil and no new session", err, f.loginCount())
	}
	f.invalidate()
	if err := c.Logout(t.Context()); err != nil {
		t.Errorf("Logout of a session the server forgot: %v", err)
	}
	if _, err := c.VM.GetRecord(t.Context(), "OpaqueRef:vm"); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("call after Logout: %v, want ErrNotLoggedIn", err)
	}
	if n := f.loginCount(); n != 1 {
		t.Errorf("%d logins, want 1: a logged-out client does not log in again by itself", n)
	}
}

// TestHostIsSlaveRedirect logs in through a pool member that names the
// master: the client moves to the master's address on the same port.
func TestHostIsSlaveRedirect(t *testing.T) {
	member, master := newFakeUnstarted(t), newFakeUnstarted(t)
	memberLn, masterLn := listenPair(t)
	member.srv = startOn(t, member, memberLn)
	master.srv = startOn(t, master, masterLn)
	masterHost, _, _ := net.SplitHostPort(masterLn.Addr().String())
	member.handle("session.login_with_password", func([]json.RawMessage) (any, *xapiFault) {
		return nil, &xapiFault{CodeHostIsSlave, []string{masterHost}}
	})
	master.handle("VM.get_record", vmRecordHandler)

	c := newClient(t, member)
	if got, want := c.BaseURL(), "http://"+masterLn.Addr().String(); got != want {
		t.Errorf("BaseURL = %s, want %s", got, want)
	}
	if _, err := c.VM.GetRecord(t.Context(), "OpaqueRef:vm"); err != nil {
		t.Fatal(err)
	}
	if len(master.seen("session.login_with_password")) != 1 || len(master.seen("VM.get_record")) != 1 {
		t.Errorf("the master got %d logins and %d calls, want 1 and 1",
			len(master.seen("session.login_with_password")), len(master.seen("VM.get_record")))
	}
	if n := len(member.seen("session.login_with_password")); n != 1 || len(member.seen("VM.get_record")) != 0 {
		t.Errorf("the member got %d logins and some calls, want 1 login only", n)
	}
}

// TestHostIsSlaveChain follows one redirection, not two.
func TestHostIsSlaveChain(t *testing.T) {
	member, other := newFakeUnstarted(t), newFakeUnstarted(t)
	memberLn, otherLn := listenPair(t)
	member.srv = startOn(t, member, memberLn)
	other.srv = startOn(t, other, otherLn)
	otherHost, _, _ := net.SplitHostPort(otherLn.Addr().String())
	memberHost, _, _ := net.SplitHostPort(memberLn.Addr().String())
	member.handle("session.login_with_password", func([]json.RawMessage) (any, *xapiFault) {
		return nil, &xapiFault{CodeHostIsSlave, []string{otherHost}}
	})
	other.handle("session.login_with_password", func([]json.RawMessage) (any, *xapiFault) {
		return nil, &xapiFault{CodeHostIsSlave, []string{memberHost}}
	})
	c, err := New(member.url(), "root", "secret", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(t.Context()); !IsCode(err, CodeHostIsSlave) {
		t.Fatalf("Login = %v, want HOST_IS_SLAVE", err)
	}
	if n := len(member.seen("session.login_with_password")) + len(other.seen("session.login_with_password")); n != 2 {
		t.Errorf("%d login attempts, want 2", n)
	}
	if c.BaseURL() != member.url() {
		t.Errorf("BaseURL = %s after a failed login, want it unchanged", c.BaseURL())
	}
}

// listenPair listens on 127.0.0.1 and 127.0.0.2 with the same port, as a
// pool's member and master listen on the same port of different hosts.
func listenPair(t *testing.T) (net.Listener, net.Listener) {
	t.Helper()
	for range 20 {
		a, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(a.Addr().String())
		b, err := net.Listen("tcp", net.JoinHostPort("127.0.0.2", port))
		if err == nil {
			return a, b
		}
		_ = a.Close()
	}
	t.Skip("cannot listen on 127.0.0.1 and 127.0.0.2 with one port")
	return nil, nil
}

func startOn(t *testing.T, f *fakeXAPI, ln net.Listener) *httptest.Server {
	s := httptest.NewUnstartedServer(f)
	_ = s.Listener.Close()
	s.Listener = ln
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func TestMasterURL(t *testing.T) {
	for _, tc := range []struct {
		base, address, want string
	}{
		{"https://10.0.0.5", "10.0.0.1", "https://10.0.0.1"},
		{"https://10.0.0.5:8443", "10.0.0.1", "https://10.0.0.1:8443"},
		{"http://member.example:80/sub", "master.example", "http://master.example:80/sub"},
		{"https://[fd00::5]", "fd00::1", "https://[fd00::1]"},
		{"https://[fd00::5]:443", "fd00::1", "https://[fd00::1]:443"},
		{"https://10.0.0.5", "[fd00::1]", "https://[fd00::1]"},
		{"https://10.0.0.5", "evil/path", ""},
		{"https://10.0.0.5", " ", ""},
	} {
		base, _ := url.Parse(tc.base)
		got, err := masterURL(base, tc.address)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("masterURL(%s, %q) = %s, want an error", tc.base, tc.address, got)
		case tc.want != "" && (err != nil || got.String() != tc.want):
			t.Errorf("masterURL(%s, %q) = %v, %v; want %s", tc.base, tc.address, got, err, tc.want)
		}
	}
}
