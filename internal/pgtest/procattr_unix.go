//go:build unix && !linux

package pgtest

import "syscall"

// procAttr runs postgres as cred, in its own process group. This system
// cannot tie it to the test process: a server left by a killed process
// runs on until stopped by hand (its files are under rootDir).
func procAttr(cred *syscall.Credential) *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Credential: cred, Setpgid: true}
}
