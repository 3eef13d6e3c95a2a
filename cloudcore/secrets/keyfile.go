package secrets

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// maxKeyFileSize bounds what is read from a key file; a key is under 100 bytes.
const maxKeyFileSize = 4096

// LoadOrCreateKeyFile returns the key stored in the file at path, creating
// the file with a new key when it does not exist. The directory must exist.
//
// A new file has mode 0600 and appears complete or not at all: the key is
// written and synced to a temporary file in the same directory (created
// 0600), which is then hard-linked to path. Linking never replaces an
// existing file, so when processes race to create the file, one wins and the
// others read its key: all of them return the same key. The filesystem must
// support hard links.
//
// An existing file is never rewritten. It must be a regular file holding a
// key in a form ParseKey reads and, except on Windows, grant no permission to
// group or others; otherwise the error says how to fix it (chmod 600).
func LoadOrCreateKeyFile(path string) (Key, error) {
	k, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if k, err = GenerateKey(); err != nil {
		return Key{}, err
	}
	return createKeyFile(path, k)
}

// readKeyFile reads and checks an existing key file. When the file does not
// exist, the error satisfies errors.Is(err, fs.ErrNotExist).
func readKeyFile(path string) (Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return Key{}, fmt.Errorf("secrets: open key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Key{}, fmt.Errorf("secrets: key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return Key{}, fmt.Errorf("%w: key file %s is not a regular file (mode %s); point to a file that holds the key", hypervisors.ErrInvalid, path, fi.Mode())
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return Key{}, fmt.Errorf("%w: key file %s is accessible by group or others (mode %04o); restrict it to its owner with: chmod 600 %s", hypervisors.ErrInvalid, path, perm, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize))
	if err != nil {
		return Key{}, fmt.Errorf("secrets: read key file %s: %w", path, err)
	}
	k, err := ParseKey(string(data))
	if err != nil {
		return Key{}, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// createKeyFile publishes k at path unless a file is there already, in which
// case it returns that file's key.
func createKeyFile(path string, k Key) (Key, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return Key{}, fmt.Errorf("secrets: create key file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the link, path keeps the content
	_, err = io.WriteString(tmp, k.String()+"\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Key{}, fmt.Errorf("secrets: write key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path) // another process created it first
		}
		return Key{}, fmt.Errorf("secrets: create key file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return Key{}, fmt.Errorf("secrets: create key file %s: %w", path, err)
	}
	return k, nil
}

// syncDir makes a new directory entry durable (a lost key loses every secret
// sealed with it). It does nothing on Windows, which cannot sync a directory.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
