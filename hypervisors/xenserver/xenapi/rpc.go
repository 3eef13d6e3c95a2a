package xenapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// request and response are JSON-RPC v2.0 as XenAPI speaks it.
type request struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  []any  `json:"params"`
	ID      uint64 `json:"id"`
}

type response struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result"`
	Error   *rpcError       `json:"error"`
	ID      json.RawMessage `json:"id"`
}

// rpcError is a JSON-RPC v2.0 error as XenAPI sends it: code is a non-zero
// integer XenAPI does not use, message the XenAPI error code, data an array
// of strings, the code's parameters.
type rpcError struct {
	Code    int             `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

func (e *rpcError) toError(method string) *Error {
	code := e.Message
	if code == "" {
		code = "JSON-RPC error " + strconv.Itoa(e.Code)
	}
	var data []json.RawMessage
	if json.Unmarshal(e.Data, &data) != nil && len(e.Data) > 0 && string(e.Data) != "null" {
		data = []json.RawMessage{e.Data} // not an array: keep it as the one parameter
	}
	params := make([]string, 0, len(data))
	for _, d := range data {
		var s string
		if json.Unmarshal(d, &s) != nil {
			s = string(d) // documented as strings; keep anything else verbatim
		}
		params = append(params, s)
	}
	return &Error{Method: method, Code: code, Params: params}
}

// rpc makes one JSON-RPC request to base/jsonrpc.
func (c *Client) rpc(ctx context.Context, base *url.URL, method string, result any, params []any) error {
	id := c.ids.Add(1)
	body, err := json.Marshal(request{JSONRPC: "2.0", Method: method, Params: params, ID: id})
	if err != nil {
		return fmt.Errorf("xenapi: %s: encoding the request: %w", method, err)
	}
	endpoint := base.JoinPath("jsonrpc")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("xenapi: %s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := c.rpcHTTP.Do(req)
	if err != nil {
		return transportError(method, endpoint, 0, err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return transportError(method, endpoint, res.StatusCode, statusError(res.StatusCode))
	}
	var r response
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		return transportError(method, endpoint, res.StatusCode, fmt.Errorf("reading the JSON-RPC response: %w", err))
	}
	if got := string(bytes.TrimSpace(r.ID)); got != strconv.FormatUint(id, 10) {
		return transportError(method, endpoint, res.StatusCode, fmt.Errorf("the response has id %s, the request had %d", got, id))
	}
	if r.Error != nil {
		return r.Error.toError(method)
	}
	if r.Result == nil {
		return transportError(method, endpoint, res.StatusCode, errors.New("the response has neither result nor error"))
	}
	if result == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, result); err != nil {
		return fmt.Errorf("xenapi: %s: decoding the result: %w", method, err)
	}
	return nil
}

// statusError describes an HTTP status that is not a XenAPI answer.
func statusError(code int) error {
	return fmt.Errorf("the server answered HTTP %d %s", code, http.StatusText(code))
}

// transportError wraps err, dropping what net/http adds about the URL (it
// may carry the session) in favour of the redacted u.
func transportError(method string, u *url.URL, status int, err error) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &TransportError{Method: method, URL: redact(u), StatusCode: status, Err: err}
}

// redact is u without the value of its session_id parameter.
func redact(u *url.URL) string {
	q := u.Query()
	if !q.Has("session_id") {
		return u.String()
	}
	q.Set("session_id", "REDACTED")
	r := *u
	r.RawQuery = q.Encode()
	return r.String()
}
