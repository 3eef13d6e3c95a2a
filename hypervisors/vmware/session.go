package vmware

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/session/keepalive"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	// keepaliveInterval is how often an idle session is kept alive;
	// vCenter and ESXi end sessions idle for 30 minutes by default.
	keepaliveInterval = 5 * time.Minute
	// logoutTimeout bounds the logout of Close.
	logoutTimeout = 10 * time.Second
)

// session is one logged-in vSphere session, shared by every call of a
// connection. It is the vim25.Client's RoundTripper: a call that fails with
// NotAuthenticated (the session expired or was terminated) logs in again,
// once, and is repeated. govmomi's keepalive handler keeps the session from
// expiring while the connection is idle.
type session struct {
	soap      *soap.Client
	vim       *vim25.Client
	keepalive *keepalive.HandlerSOAP
	username  string
	password  string

	loginMu sync.Mutex    // one login at a time
	logins  atomic.Uint64 // how many logins this session made
}

// dial opens a session with the server of c: TLS as c says, the service
// content, and a login.
func dial(ctx context.Context, c config, username, password string) (*session, error) {
	sc := soap.NewClient(c.sdk, c.insecure)
	t := sc.DefaultTransport()
	t.TLSClientConfig = tlsConfig(c)
	t.DialTLSContext = tlsDialer(t.TLSClientConfig).DialContext
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, connectError(ctx, c, err)
	}
	s := &session{soap: sc, vim: vc, username: username, password: password}
	s.keepalive = keepalive.NewHandlerSOAP(sc, keepaliveInterval, nil)
	vc.RoundTripper = s
	if err := s.login(ctx); err != nil {
		return nil, connectError(ctx, c, err)
	}
	return s, nil
}

// connectError explains why the server of c could not be reached or
// logged in to.
func connectError(ctx context.Context, c config, err error) error {
	wrapped := vsphereError(ctx, err)
	if advice := certificateAdvice(err); advice != "" {
		return fmt.Errorf("connecting to %s: %s: %w", c.sdk.Host, advice, wrapped)
	}
	if isFault[*types.InvalidLogin](err) {
		return fmt.Errorf("connecting to %s: the server refused the username and password: %w", c.sdk.Host, wrapped)
	}
	return fmt.Errorf("connecting to %s: %w", c.sdk.Host, wrapped)
}

// login logs in with the session's credentials.
func (s *session) login(ctx context.Context) error {
	_, err := methods.Login(ctx, s.keepalive, &types.Login{
		This:     *s.vim.ServiceContent.SessionManager,
		UserName: s.username,
		Password: s.password,
	})
	if err == nil {
		s.logins.Add(1)
	}
	return err
}

// relogin logs in again unless another call did since the caller saw
// logins == seen. It logs out first, ending what may be left of the old
// session (a server refuses a login on a live one).
func (s *session) relogin(ctx context.Context, seen uint64) error {
	s.loginMu.Lock()
	defer s.loginMu.Unlock()
	if s.logins.Load() != seen {
		return nil
	}
	_, _ = methods.Logout(ctx, s.keepalive, &types.Logout{This: *s.vim.ServiceContent.SessionManager}) // fails when the session is gone already
	if err := s.login(ctx); err != nil {
		return fmt.Errorf("logging in again after the vSphere session ended: %w", err)
	}
	return nil
}

// RoundTrip makes one vSphere call, logging in again and repeating the call
// once when it fails with NotAuthenticated.
func (s *session) RoundTrip(ctx context.Context, req, res soap.HasFault) error {
	seen := s.logins.Load()
	err := s.keepalive.RoundTrip(ctx, req, res)
	if err == nil || !isFault[*types.NotAuthenticated](err) {
		return err
	}
	if _, isLogin := req.(*methods.LoginBody); isLogin {
		return err
	}
	if err := s.relogin(ctx, seen); err != nil {
		return err
	}
	// The failed call decoded its fault into res; start from a clean one.
	v := reflect.ValueOf(res).Elem()
	v.Set(reflect.Zero(v.Type()))
	return s.keepalive.RoundTrip(ctx, req, res)
}

// retry runs fn, and once more when it failed after the session had to log
// in again while it ran: objects a call keeps on the server, such as the
// property collectors that wait for tasks, belong to one session and end
// with it.
func (s *session) retry(ctx context.Context, fn func() error) error {
	seen := s.logins.Load()
	err := fn()
	if err != nil && ctx.Err() == nil && s.logins.Load() != seen {
		err = fn()
	}
	return err
}

// download fetches the file at u on the server with the session's cookie,
// logging in again once when the server answers 401. The caller closes the
// body.
func (s *session) download(ctx context.Context, u *url.URL) (*http.Response, error) {
	seen := s.logins.Load()
	res, err := s.soap.DownloadRequest(ctx, u, &soap.DefaultDownload)
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, err
	}
	_ = res.Body.Close()
	if err := s.relogin(ctx, seen); err != nil {
		return nil, err
	}
	return s.soap.DownloadRequest(ctx, u, &soap.DefaultDownload)
}

// logout ends the session and its keepalive.
func (s *session) logout() error {
	ctx, cancel := context.WithTimeout(context.Background(), logoutTimeout)
	defer cancel()
	_, err := methods.Logout(ctx, s.keepalive, &types.Logout{This: *s.vim.ServiceContent.SessionManager})
	s.soap.CloseIdleConnections()
	if err != nil && !isFault[*types.NotAuthenticated](err) {
		return vsphereError(ctx, err)
	}
	return nil
}
