package xenapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// apiVersion is the client API version session.login_with_password is
// given; XenAPI records it and does not act on it.
const apiVersion = "1.0"

// Login opens the client's session with session.login_with_password
// (username, password, version, originator), unless one is open already.
//
// When the host is a pool member it refuses with HOST_IS_SLAVE, whose
// parameter is the master's address. Login then moves the client to the
// master, keeping the URL's scheme, port and path and replacing only the
// host, and logs in there; later calls and uploads go to the master too.
// It follows one such redirection, not a chain of them.
//
// A wrong username or password fails with SESSION_AUTHENTICATION_FAILED.
func (c *Client) Login(ctx context.Context) error {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if _, _, err := c.current(); err == nil {
		return nil
	}
	return c.login(ctx)
}

// Logout ends the session with session.logout. A session the server
// already forgot (SESSION_INVALID) counts as ended. The client is logged
// out whatever the server answers; Login opens a new session.
func (c *Client) Logout(ctx context.Context) error {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	c.mu.Lock()
	session := c.session
	c.session = ""
	c.mu.Unlock()
	defer c.rpcHTTP.CloseIdleConnections()
	if session == "" {
		return nil
	}
	err := c.rpc(ctx, c.baseURL(), "session.logout", nil, []any{session})
	if err != nil && !IsCode(err, CodeSessionInvalid) {
		return err
	}
	return nil
}

// relogin logs in again after a call made with the session of login number
// seen was refused with SESSION_INVALID, unless another call has logged in
// again since. Logins are serialised, so many calls refused at once cause
// one login.
func (c *Client) relogin(ctx context.Context, seen uint64) error {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	c.mu.Lock()
	fresh, loggedOut := c.logins != seen, c.session == ""
	c.mu.Unlock()
	switch {
	case loggedOut:
		return ErrNotLoggedIn
	case fresh:
		return nil
	}
	if err := c.login(ctx); err != nil {
		return fmt.Errorf("logging in again after the session ended: %w", err)
	}
	return nil
}

// login logs in at the current base URL, or at the pool master's when the
// host answers HOST_IS_SLAVE. The caller holds loginMu.
func (c *Client) login(ctx context.Context) error {
	base := c.baseURL()
	session, err := c.loginAt(ctx, base)
	var e *Error
	if errors.As(err, &e) && e.Code == CodeHostIsSlave && len(e.Params) > 0 && e.Params[0] != "" {
		master, merr := masterURL(base, e.Params[0])
		if merr != nil {
			return fmt.Errorf("%w (and the master's address is unusable: %v)", err, merr)
		}
		base = master
		session, err = c.loginAt(ctx, base)
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.base, c.session = base, session
	c.logins++
	c.mu.Unlock()
	return nil
}

func (c *Client) loginAt(ctx context.Context, base *url.URL) (SessionRef, error) {
	var session SessionRef
	err := c.rpc(ctx, base, "session.login_with_password", &session,
		[]any{c.username, c.password, apiVersion, c.originator})
	if err == nil && IsNull(session) {
		err = transportError("session.login_with_password", base.JoinPath("jsonrpc"), 0, errors.New("the server answered with no session"))
	}
	return session, err
}

// masterURL is base pointing at the pool master's address instead: the
// scheme, the port (explicit or the scheme's default) and the path stay,
// since every host of a pool serves XenAPI the same way.
func masterURL(base *url.URL, address string) (*url.URL, error) {
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(address), "["), "]")
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return nil, fmt.Errorf("%q is not a host address", address)
	}
	u := *base
	switch port := base.Port(); {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"): // an IPv6 address
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	return &u, nil
}
