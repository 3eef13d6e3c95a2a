package pgtest

import "syscall"

// procAttr runs postgres as cred, in its own process group, and has the
// kernel send it SIGQUIT (immediate shutdown) when the test process dies.
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
}
