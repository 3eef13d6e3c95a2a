package xenapi

import (
	"errors"
	"fmt"
	"strings"
)

// XenAPI error codes the client and its callers act on. The API reference
// lists every code with its parameters ("Error Handling").
const (
	// CodeSessionInvalid (handle): the session reference is not, or no
	// longer, valid. The client logs in again and repeats the call once.
	CodeSessionInvalid = "SESSION_INVALID"
	// CodeSessionAuthenticationFailed: the username or password is wrong.
	CodeSessionAuthenticationFailed = "SESSION_AUTHENTICATION_FAILED"
	// CodeHostIsSlave (master address): the host is a pool member, not the
	// pool master, and takes no regular calls.
	CodeHostIsSlave = "HOST_IS_SLAVE"
	// CodeHandleInvalid (class, handle): no object has that reference.
	CodeHandleInvalid = "HANDLE_INVALID"
	// CodeUUIDInvalid (class, uuid): no object has that UUID.
	CodeUUIDInvalid = "UUID_INVALID"
	// CodeVMBadPowerState (vm, expected, actual): the VM is not in a power
	// state the operation allows.
	CodeVMBadPowerState = "VM_BAD_POWER_STATE"
	// CodeTaskCancelled (task): the task was cancelled.
	CodeTaskCancelled = "TASK_CANCELLED"
)

// ErrNotLoggedIn is returned by calls made before Login or after Logout.
var ErrNotLoggedIn = errors.New("xenapi: not logged in")

// Error is XenAPI refusing a call: the error code (e.g. VM_BAD_POWER_STATE)
// and the code's parameters, exactly as the server sent them. For a call
// run as a task the code and parameters are the task's error_info.
type Error struct {
	Method string   // the XenAPI method, e.g. "VM.start_on"
	Code   string   // the XenAPI error code
	Params []string // the code's parameters, in order
}

// Error names the method, the code and its parameters, the way the API
// reference writes an error's signature: "xenapi: VM.start_on:
// VM_BAD_POWER_STATE(OpaqueRef:…, halted, running)".
func (e *Error) Error() string {
	if len(e.Params) == 0 {
		return fmt.Sprintf("xenapi: %s: %s", e.Method, e.Code)
	}
	return fmt.Sprintf("xenapi: %s: %s(%s)", e.Method, e.Code, strings.Join(e.Params, ", "))
}

// IsCode reports whether err is, or wraps, an *Error with the given code.
func IsCode(err error, code string) bool {
	return Code(err) == code && code != ""
}

// Code returns the XenAPI error code of the *Error in err's chain, or ""
// when there is none.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TransportError is a call that got no XenAPI answer: the server could not
// be reached, the TLS handshake failed, the context ended, the server
// answered with an HTTP error status (XenAPI answers a malformed request
// with HTTP 500), or its answer was not a JSON-RPC response. It wraps the
// underlying error, so errors.Is(err, context.DeadlineExceeded), or
// errors.As with a *tls.CertificateVerificationError, see through it.
type TransportError struct {
	Method     string // the XenAPI method, or the HTTP handler, e.g. "import_raw_vdi"
	URL        string // the request's URL, without its session_id
	StatusCode int    // the HTTP status when the server answered; 0 when it did not
	Err        error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("xenapi: %s: %s: %v", e.Method, e.URL, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }
