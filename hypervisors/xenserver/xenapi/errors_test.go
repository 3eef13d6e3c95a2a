package xenapi

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestTransportErrorIsNotAPIError tells "the host did not answer" from
// "XenAPI refused".
func TestTransportErrorIsNotAPIError(t *testing.T) {
	f := newFake(t)
	f.handle("VM.get_record", func(p []json.RawMessage) (any, *xapiFault) {
		return nil, &xapiFault{CodeHandleInvalid, []string{"VM", str(p[0])}}
	})
	c := newClient(t, f)

	_, err := c.VM.GetRecord(t.Context(), "OpaqueRef:gone")
	var te *TransportError
	if !IsCode(err, CodeHandleInvalid) || errors.As(err, &te) {
		t.Errorf("refused call: %v, want HANDLE_INVALID and no *TransportError", err)
	}

	f.srv.Close()
	c.rpcHTTP.CloseIdleConnections() // so the call dials, and finds no one
	_, err = c.VM.GetRecord(t.Context(), "OpaqueRef:vm")
	var e *Error
	if !errors.As(err, &te) || errors.As(err, &e) || Code(err) != "" {
		t.Fatalf("unanswered call: %#v, want a *TransportError only", err)
	}
	var opErr *net.OpError
	if te.Method != "VM.get_record" || te.StatusCode != 0 || !errors.As(err, &opErr) {
		t.Errorf("TransportError = %+v, want method VM.get_record, no status, wrapping the dial error", te)
	}
	if !strings.Contains(err.Error(), "VM.get_record") || !strings.Contains(err.Error(), "/jsonrpc") {
		t.Errorf("Error() = %q, want the method and URL named", err)
	}
}

func TestTransportErrorKeepsContextError(t *testing.T) {
	f := newFake(t)
	release := make(chan struct{})
	f.handle("VM.get_record", func([]json.RawMessage) (any, *xapiFault) {
		<-release
		return map[string]any{}, nil
	})
	c := newClient(t, f)
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.VM.GetRecord(ctx, "OpaqueRef:vm")
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a *TransportError wrapping context.DeadlineExceeded", err)
	}
}

func TestErrorString(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{&Error{Method: "VM.start_on", Code: "VM_BAD_POWER_STATE", Params: []string{"OpaqueRef:vm", "halted", "running"}},
			"xenapi: VM.start_on: VM_BAD_POWER_STATE(OpaqueRef:vm, halted, running)"},
		{&Error{Method: "session.login_with_password", Code: "SESSION_AUTHENTICATION_FAILED"},
			"xenapi: session.login_with_password: SESSION_AUTHENTICATION_FAILED"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
	wrapped := errors.Join(errors.New("creating the VM"), &Error{Code: CodeUUIDInvalid})
	if !IsCode(wrapped, CodeUUIDInvalid) || IsCode(wrapped, "") || IsCode(errors.New("x"), CodeUUIDInvalid) {
		t.Error("IsCode does not look through wrapping, or matches what it should not")
	}
}
