package xapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
)

// maxRequestBytes bounds a JSON-RPC request body.
const maxRequestBytes = 16 << 20

// rpcRequest is a JSON-RPC request. Pointers tell absent from null.
type rpcRequest struct {
	JSONRPC *string            `json:"jsonrpc"`
	Method  *string            `json:"method"`
	Params  *[]json.RawMessage `json:"params"`
	ID      json.RawMessage    `json:"id"`
}

func (s *Server) serveJSONRPC(w http.ResponseWriter, r *http.Request, l *listener) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes))
	if err != nil {
		internalError(w, "unreadable request: "+err.Error())
		return
	}
	var req rpcRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		internalError(w, "Jsonrpc.Parse_error")
		return
	}
	v2 := req.JSONRPC != nil
	switch {
	case v2 && *req.JSONRPC != "2.0",
		req.Method == nil, req.Params == nil, !validID(req.ID):
		internalError(w, "Jsonrpc.Malformed_method_request")
		return
	}
	result, callErr := s.dispatch(*req.Method, *req.Params, l)
	var resp any
	switch {
	case callErr == nil && v2:
		resp = map[string]any{"jsonrpc": "2.0", "result": result, "id": req.ID}
	case callErr == nil:
		resp = map[string]any{"result": result, "error": nil, "id": req.ID}
	case v2:
		e := asAPIError(callErr)
		resp = map[string]any{"jsonrpc": "2.0", "id": req.ID,
			"error": map[string]any{"code": 1, "message": e.code, "data": e.params}}
	default:
		resp = map[string]any{"result": nil, "error": asAPIError(callErr).info(), "id": req.ID}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// validID accepts a JSON string or integer: XenAPI takes no notifications.
func validID(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	if raw[0] == '"' {
		var s string
		return json.Unmarshal(raw, &s) == nil
	}
	_, err := intOf(raw)
	return err == nil
}

// internalError answers like xapi does to a request it cannot parse.
func internalError(w http.ResponseWriter, detail string) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "<html><body><h1>HTTP 500 internal server error</h1>An unexpected error occurred; "+
		"please wait a while and try again. If the problem persists, please contact your support "+
		"representative.<h1> Additional information </h1>%s</body></html>", html.EscapeString(detail))
}

// intOf decodes a JSON integer: a number without fraction or exponent.
func intOf(raw json.RawMessage) (int64, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return 0, err
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("not a number")
	}
	return n.Int64()
}

func stringOf(raw json.RawMessage) (string, bool) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func boolOf(raw json.RawMessage) (bool, bool) {
	switch string(bytes.TrimSpace(raw)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func strMapOf(raw json.RawMessage) (map[string]string, bool) {
	var m map[string]string
	if len(raw) == 0 || raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, false
	}
	return m, true
}
