package xapitest

import (
	"testing"
)

func TestLogin(t *testing.T) {
	_, c := newPool(t, Options{Username: "admin", Password: "s3cret"})
	tests := []struct {
		name   string
		params []any
		code   string
		data   []string
	}{
		{"wrong password", []any{"admin", "nope", "1.0", "t"}, "SESSION_AUTHENTICATION_FAILED",
			[]string{"admin", "Authentication failure"}},
		{"wrong user", []any{"root", "s3cret"}, "SESSION_AUTHENTICATION_FAILED",
			[]string{"root", "Authentication failure"}},
		{"too few", []any{"admin"}, "MESSAGE_PARAMETER_COUNT_MISMATCH",
			[]string{"session.login_with_password", "4", "1"}},
		{"too many", []any{"admin", "s3cret", "1.0", "t", "x"}, "MESSAGE_PARAMETER_COUNT_MISMATCH",
			[]string{"session.login_with_password", "4", "5"}},
	}
	for _, tt := range tests {
		_, e := c.raw("session.login_with_password", tt.params...)
		checkErr(t, tt.name, e, tt.code, tt.data...)
	}
	// version and originator are optional.
	if _, e := c.raw("session.login_with_password", "admin", "s3cret"); e != nil {
		t.Errorf("login without version: %v", e)
	}
}

func TestLogoutAndExpiry(t *testing.T) {
	s, c := newPool(t, Options{})
	other := c.loginAs("root", "password")
	c.must("session.logout")
	c.wantErr("VM.get_all", nil, "SESSION_INVALID", c.session)
	c.session = other
	c.must("VM.get_all")
	s.ExpireSessions()
	c.wantErr("VM.get_all", nil, "SESSION_INVALID", other)
	c.wantErr("Async.VM.clone", []any{"x", "y"}, "SESSION_INVALID", other)
	c.session = c.loginAs("root", "password")
	c.must("VM.get_all")
}

func TestHostIsSlave(t *testing.T) {
	s, c := newPool(t, Options{})
	if s.SlaveURL == "" || s.SlaveURL == s.URL {
		t.Fatalf("SlaveURL = %q", s.SlaveURL)
	}
	slave := &client{t: t, url: s.SlaveURL, http: s.Client()}
	_, e := slave.raw("session.login_with_password", "root", "password", "1.0", "t")
	checkErr(t, "login on the slave", e, "HOST_IS_SLAVE", s.MasterAddress())
	_, e = slave.raw("session.login_with_password", "root", "wrong", "1.0", "t")
	checkErr(t, "login on the slave, wrong password", e, "HOST_IS_SLAVE", s.MasterAddress())
	master := c.str("pool.get_master", c.poolRef())
	if got := c.str("host.get_address", master); got != s.MasterAddress() {
		t.Errorf("master address = %q, want %q", got, s.MasterAddress())
	}
	// A session from the master is valid on a member.
	slave.session = c.session
	slave.must("VM.get_all")
	one := NewServer(Options{Hosts: []HostSpec{{}}})
	defer one.Close()
	if one.SlaveURL != "" {
		t.Errorf("one-host pool SlaveURL = %q, want none", one.SlaveURL)
	}
}
