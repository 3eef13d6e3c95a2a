// Package xenapi is a small, typed client for XenAPI, the management API of
// XenServer and XCP-ng, spoken as JSON-RPC 2.0 over HTTP(S) to the pool
// master's /jsonrpc endpoint.
//
// A [Client] is made with [New] from the pool master's URL, a username and
// a password, and shared by any number of goroutines. [Client.Login] opens
// the session every call carries as its first parameter; when a call fails
// with SESSION_INVALID the client logs in again, once, and repeats the call.
// A login that reaches a pool member answers HOST_IS_SLAVE with the master's
// address; the client then moves to the master and logs in there.
//
// Calls are grouped by XenAPI class in the Client's fields, named after the
// class: c.VM.Clone, c.VDI.Create, c.Task.GetRecord. References are typed
// per class ([VMRef], [VDIRef], ...); records are Go structs holding the
// fields a driver needs, under XenAPI's field names. Long-running calls run
// as XenAPI tasks (Async.<class>.<message>) that the client waits for,
// cancels when the context ends, and destroys ([Client.CallAsync]).
//
// Failures come in two kinds: an [*Error] is XenAPI refusing a call, with
// its error code and parameters as the server sent them ([IsCode] tests for
// a code); a [*TransportError] is the server not answering with XenAPI at
// all (no connection, TLS failure, an HTTP error status, an unreadable body).
//
// Wire format: XenAPI's "Wire Protocol" documentation (JSON-RPC v2.0:
// requests carry jsonrpc, method, positional params and id; failures carry
// an error object whose message is the XenAPI error code and whose data are
// the code's parameters).
package xenapi
