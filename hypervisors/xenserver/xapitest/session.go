package xapitest

import (
	"encoding/json"
	"strconv"
	"time"
)

// login implements session.login_with_password(uname, pwd[, version[,
// originator]]): version and originator are optional, as in xapi. A pool
// member that is not the master answers HOST_IS_SLAVE [master address].
func (s *Server) login(name string, params []json.RawMessage, l *listener) (any, error) {
	if len(params) < 2 || len(params) > 4 {
		return nil, xerr(errParameterCountMismatch, name, "4", strconv.Itoa(len(params)))
	}
	var strs []string
	for i, p := range params {
		v, ok := stringOf(p)
		if !ok {
			return nil, fieldTypeError([]string{"uname", "pwd", "version", "originator"}[i])
		}
		strs = append(strs, v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !l.master {
		return nil, xerr(errHostIsSlave, s.st.hosts[s.st.master].address)
	}
	if e := s.takeFailure("session.login_with_password"); e != nil {
		return nil, e
	}
	if strs[0] != s.opts.Username || strs[1] != s.opts.Password {
		return nil, xerr(errSessionAuthenticationFailed, strs[0], "Authentication failure")
	}
	se := &session{obj: s.st.newObj(), user: strs[0], created: time.Now()}
	s.st.sessions[se.ref] = se
	return se.ref, nil
}

// checkSession validates the session parameter of a call.
func (s *Server) checkSession(raw json.RawMessage) (*session, error) {
	ref, ok := stringOf(raw)
	if !ok {
		return nil, fieldTypeError("session_id")
	}
	se := s.st.sessions[ref]
	if se == nil {
		return nil, xerr(errSessionInvalid, ref)
	}
	return se, nil
}

func (s *Server) sessionMethods() []*method {
	return []*method{
		{name: "session.login_with_password"}, // handled by login
		{name: "session.logout", fn: func(c *call) (any, error) {
			delete(c.st.sessions, c.sess.ref)
			return "", nil
		}},
	}
}

// ExpireSessions invalidates every current session, as a restart of the
// master or a session timeout would: the next call with any of them gets
// SESSION_INVALID.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.st.sessions)
}
