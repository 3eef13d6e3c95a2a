package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/google/uuid"
)

// journal keeps a set of JSON records, each under a key, in an append-only
// file of lines: a change appends one line with the key and the record's new
// value (none when the record is removed), so it costs one small write
// however many records there are, and creates no file.
//
// Each process keeps the records in memory. Holding the journal's locks (a
// mutex in the process, flock(2) on the journal's directory among
// processes), it reads the lines other processes appended since it last
// looked, then changes records, appending as it goes. The file's first line
// names it with a random ID; when that changes, the file was compacted or
// replaced and is read again from the start. Once superseded lines
// outnumber live records, the journal is compacted into a new file renamed
// over the old. A line cut short by a process killed mid-write has no
// newline: it is never applied, and the next writer cuts it off.
type journal struct {
	dir  string
	path string

	mu sync.Mutex
	// The records as of the first size bytes of the file whose first line
	// is header; guarded by mu and the flock.
	header  string
	size    int64
	lines   int // record lines in those bytes
	records map[string]json.RawMessage
}

// journalLine is one line of a journal after the header.
type journalLine struct {
	Key   string          `json:"k"`
	Value json.RawMessage `json:"v,omitempty"` // absent: the record was removed
}

const (
	// compactSlack is how many superseded lines a journal keeps before it
	// considers compacting.
	compactSlack = 1000
	// maxHeader bounds the length of a journal's first line.
	maxHeader = 128
)

// journals holds one journal per directory in this process.
var journals sync.Map // string → *journal

// openJournal returns the journal kept in dir, which must be absolute and
// clean, creating the directory when needed.
func openJournal(dir string) (*journal, error) {
	if j, ok := journals.Load(dir); ok {
		return j.(*journal), nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, stateError(err)
	}
	j, _ := journals.LoadOrStore(dir, &journal{dir: dir, path: filepath.Join(dir, "journal")})
	return j.(*journal), nil
}

// update runs fn on an up-to-date view of the journal under its locks. The
// changes fn makes are written as it makes them, whether fn fails or not.
func (j *journal) update(fn func(*txn) error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	unlock, err := flock(j.dir)
	if err != nil {
		return err
	}
	defer unlock()
	fd, err := openFile(j.path, syscall.O_RDWR|syscall.O_CREAT|syscall.O_APPEND)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	if err := j.catchUp(fd); err != nil {
		j.header = "" // read everything again next time
		return err
	}
	err = fn(&txn{j: j, fd: fd})
	if j.lines > 2*len(j.records)+compactSlack {
		err = errors.Join(err, j.compact())
	}
	return err
}

// catchUp reads what was appended to the journal since this process last
// read it.
func (j *journal) catchUp(fd int) error {
	var stat syscall.Stat_t
	if err := syscall.Fstat(fd, &stat); err != nil {
		return j.fileError(err)
	}
	header, err := j.readHeader(fd, stat.Size)
	if err != nil {
		return err
	}
	if header == "" { // a new file, or one whose creator died writing its header
		if err := syscall.Ftruncate(fd, 0); err != nil {
			return j.fileError(err)
		}
		header = newHeader()
		if err := writeAll(fd, []byte(header)); err != nil {
			return j.fileError(err)
		}
		j.reset(header)
		return nil
	}
	if header != j.header || stat.Size < j.size {
		j.reset(header)
	}
	if stat.Size == j.size {
		return nil
	}
	tail := make([]byte, stat.Size-j.size)
	if err := readAll(fd, tail, j.size); err != nil {
		return j.fileError(err)
	}
	complete := bytes.LastIndexByte(tail, '\n') + 1
	for line := range bytes.Lines(tail[:complete]) {
		if err := j.apply(line); err != nil {
			return err
		}
	}
	j.size += int64(complete)
	if complete < len(tail) { // the remains of a writer killed mid-line
		if err := syscall.Ftruncate(fd, j.size); err != nil {
			return j.fileError(err)
		}
	}
	return nil
}

// readHeader returns the first line of the file (of size bytes), newline
// included, or "" when the file is too short to hold one.
func (j *journal) readHeader(fd int, size int64) (string, error) {
	buf := make([]byte, min(size, maxHeader))
	if err := readAll(fd, buf, 0); err != nil {
		return "", j.fileError(err)
	}
	end := bytes.IndexByte(buf, '\n')
	switch {
	case end >= 0:
		return string(buf[:end+1]), nil
	case size < maxHeader:
		return "", nil
	}
	return "", j.fileError(errors.New("not a journal"))
}

func newHeader() string { return `{"journal":"` + uuid.NewString() + "\"}\n" }

// reset forgets the records read so far, for a file that starts with header.
func (j *journal) reset(header string) {
	j.header, j.size, j.lines, j.records = header, int64(len(header)), 0, map[string]json.RawMessage{}
}

// apply applies one line read from the file.
func (j *journal) apply(line []byte) error {
	var l journalLine
	if err := json.Unmarshal(line, &l); err != nil {
		return j.fileError(fmt.Errorf("line at byte %d: %w", j.size, err))
	}
	j.set(l)
	return nil
}

func (j *journal) set(l journalLine) {
	j.lines++
	if l.Value == nil {
		delete(j.records, l.Key)
	} else {
		j.records[l.Key] = l.Value
	}
}

// compact writes the live records to a new file and renames it over the
// journal.
func (j *journal) compact() error {
	header := newHeader()
	var buf bytes.Buffer
	buf.WriteString(header)
	for _, key := range slices.Sorted(maps.Keys(j.records)) {
		if err := encodeLine(&buf, journalLine{Key: key, Value: j.records[key]}); err != nil {
			return err
		}
	}
	tmp := j.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return stateError(err)
	}
	if err := os.Rename(tmp, j.path); err != nil {
		return stateError(err)
	}
	j.header, j.size, j.lines = header, int64(buf.Len()), len(j.records)
	return nil
}

func (j *journal) fileError(err error) error {
	return stateError(&os.PathError{Op: "journal", Path: j.path, Err: err})
}

func encodeLine(buf *bytes.Buffer, l journalLine) error {
	data, err := json.Marshal(l)
	if err != nil {
		return stateError(err)
	}
	buf.Write(data)
	buf.WriteByte('\n')
	return nil
}

// readAll fills buf from the file at offset.
func readAll(fd int, buf []byte, offset int64) error {
	for len(buf) > 0 {
		var n int
		err := retryEINTR(func() (err error) {
			n, err = syscall.Pread(fd, buf, offset)
			return err
		})
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("unexpected end of file")
		}
		buf, offset = buf[n:], offset+int64(n)
	}
	return nil
}

// writeAll writes data to the file, at its end as it is opened O_APPEND.
func writeAll(fd int, data []byte) error {
	for len(data) > 0 {
		var n int
		err := retryEINTR(func() (err error) {
			n, err = syscall.Write(fd, data)
			return err
		})
		if err != nil {
			return err
		}
		data = data[n:]
	}
	return nil
}

// txn is the view of a journal that update gives its function.
type txn struct {
	j  *journal
	fd int
}

// get decodes the record under key into v and reports whether there is one.
func (t *txn) get(key string, v any) (bool, error) {
	raw, ok := t.j.records[key]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, t.j.fileError(fmt.Errorf("record %s: %w", key, err))
	}
	return true, nil
}

// has reports whether there is a record under key.
func (t *txn) has(key string) bool {
	_, ok := t.j.records[key]
	return ok
}

// put sets the record under key to v.
func (t *txn) put(key string, v any) error {
	value, err := json.Marshal(v)
	if err != nil {
		return stateError(err)
	}
	return t.append(journalLine{Key: key, Value: value})
}

// remove removes the record under key and reports whether there was one.
func (t *txn) remove(key string) (bool, error) {
	if !t.has(key) {
		return false, nil
	}
	return true, t.append(journalLine{Key: key})
}

func (t *txn) append(l journalLine) error {
	var buf bytes.Buffer
	if err := encodeLine(&buf, l); err != nil {
		return err
	}
	if err := writeAll(t.fd, buf.Bytes()); err != nil {
		t.j.header = "" // the file may hold part of the line: read it all again
		return t.j.fileError(err)
	}
	t.j.size += int64(buf.Len())
	t.j.set(l)
	return nil
}

// list decodes the records whose keys start with prefix, in key order.
func list[T any](t *txn, prefix string) ([]T, error) {
	var keys []string
	for k := range t.j.records {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	values := make([]T, len(keys))
	for i, k := range keys {
		if _, err := t.get(k, &values[i]); err != nil {
			return nil, err
		}
	}
	return values, nil
}
