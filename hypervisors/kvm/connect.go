package kvm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"libvirt.org/go/libvirt"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// Available reports whether libvirt's shared library (libvirt.so.0) can be
// loaded in this process: nil when it can, else an error wrapping
// hypervisors.ErrNotSupported. The driver loads the library on first use,
// so programs that never connect to a KVM host run without it.
func Available() error { return libraryLoads() }

var libraryLoads = sync.OnceValue(func() error {
	if _, err := libvirt.GetVersion(); err != nil {
		return fmt.Errorf("%w: the kvm driver needs libvirt's shared library libvirt.so.0 (Debian: apt-get install libvirt0): %v",
			hypervisors.ErrNotSupported, err)
	}
	return nil
})

// session holds a host's libvirt connection. Calls share it under a read
// lock; when a call finds the host unreachable the session is marked
// broken, and the next call reopens it under the write lock, so a
// connection is never closed while a call still uses it.
type session struct {
	cfg    hypervisors.HostConfig
	uri    string
	mu     sync.RWMutex
	conn   *libvirt.Connect // nil once closed
	broken atomic.Bool
	closed bool
}

// open connects to uri with the credentials of cfg, giving up when ctx
// is done (a connection that completes later is closed).
func open(ctx context.Context, uri string, cfg hypervisors.HostConfig) (*libvirt.Connect, error) {
	if err := libraryLoads(); err != nil {
		return nil, err
	}
	type result struct {
		c   *libvirt.Connect
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := libvirt.NewConnectWithAuth(uri, credentials(cfg), 0)
		done <- result{c, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			err := wrap("connecting to "+uri, r.err)
			if !errors.Is(err, hypervisors.ErrInvalid) && !errors.Is(err, hypervisors.ErrNotSupported) {
				err = fmt.Errorf("%w: %w", hypervisors.ErrUnreachable, err)
			}
			return nil, err
		}
		return r.c, nil
	case <-ctx.Done():
		go func() {
			if r := <-done; r.c != nil {
				_, _ = r.c.Close()
			}
		}()
		return nil, fmt.Errorf("connecting to %s: %w", uri, ctx.Err())
	}
}

// credentials answers libvirt's questions for a user name and a password
// (SASL over qemu+tcp, the libssh transports) from cfg.
func credentials(cfg hypervisors.HostConfig) *libvirt.ConnectAuth {
	return &libvirt.ConnectAuth{
		CredType: []libvirt.ConnectCredentialType{
			libvirt.CRED_AUTHNAME, libvirt.CRED_USERNAME, libvirt.CRED_PASSPHRASE, libvirt.CRED_NOECHOPROMPT,
		},
		Callback: func(creds []*libvirt.ConnectCredential) {
			for _, c := range creds {
				var answer string
				switch c.Type {
				case libvirt.CRED_AUTHNAME, libvirt.CRED_USERNAME:
					answer = cfg.Username
					if answer == "" {
						answer = c.DefResult
					}
				case libvirt.CRED_PASSPHRASE, libvirt.CRED_NOECHOPROMPT:
					answer = cfg.Password
				default:
					continue
				}
				c.Result, c.ResultLen = answer, len(answer)
			}
		},
	}
}

// use runs fn with the session's connection, reopening it first when it
// is broken, and marks it broken when fn's error says the host is
// unreachable. It fails with ctx's error, naming op, when ctx is done
// before fn runs.
func (s *session) use(ctx context.Context, op string, fn func(*libvirt.Connect) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if s.broken.Load() {
		if err := s.reopen(ctx); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return fmt.Errorf("%s: %w: the connection to %s is closed", op, hypervisors.ErrUnreachable, s.uri)
	}
	err := fn(s.conn)
	if errors.Is(err, hypervisors.ErrUnreachable) {
		s.broken.Store(true)
	}
	return err
}

// reopen replaces a broken connection by a new one.
func (s *session) reopen(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.broken.Load() {
		return nil
	}
	c, err := open(ctx, s.uri, s.cfg)
	if err != nil {
		return err
	}
	_, _ = s.conn.Close()
	s.conn = c
	s.broken.Store(false)
	return nil
}

// close closes the connection once; calls after it fail.
func (s *session) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	_, err := s.conn.Close()
	s.conn = nil
	return wrap("closing the connection to "+s.uri, err)
}
