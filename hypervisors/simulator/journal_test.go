package simulator

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudcore/terraform-provider-cloudcore/hypervisors"
)

// newView returns a journal view of dir of its own, as another process has.
func newView(dir string) *journal {
	return &journal{dir: dir, path: filepath.Join(dir, "journal")}
}

func put(t *testing.T, j *journal, key, value string) {
	t.Helper()
	if err := j.update(func(tx *txn) error { return tx.put(key, value) }); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

// records returns the journal's records as a fresh read shows them.
func records(t *testing.T, j *journal) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := j.update(func(tx *txn) error {
		for k, v := range tx.j.records {
			got[k] = string(v)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the journal: %v", err)
	}
	return got
}

func expectRecords(t *testing.T, j *journal, want map[string]string) {
	t.Helper()
	if got := records(t, j); !maps.Equal(got, want) {
		t.Errorf("records = %v, want %v", got, want)
	}
}

func appendRaw(t *testing.T, path, data string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(data); err != nil {
		t.Fatal(err)
	}
}

func TestJournalCutsOffATornLine(t *testing.T) {
	dir := t.TempDir()
	put(t, newView(dir), "a", "1")
	appendRaw(t, filepath.Join(dir, "journal"), `{"k":"b","v":"tor`) // a writer killed mid-line

	writer := newView(dir)
	expectRecords(t, writer, map[string]string{"a": `"1"`})
	put(t, writer, "c", "3")
	expectRecords(t, newView(dir), map[string]string{"a": `"1"`, "c": `"3"`})
}

func TestJournalViewsFollowCompaction(t *testing.T) {
	dir := t.TempDir()
	a, b := newView(dir), newView(dir)
	put(t, a, "kept", "1")
	expectRecords(t, b, map[string]string{"kept": `"1"`})

	header := a.header
	for range compactSlack + 10 {
		put(t, a, "churned", "x")
	}
	if a.header == header || a.lines > compactSlack {
		t.Fatalf("the journal was not compacted: %d lines", a.lines)
	}
	if _, err := os.Stat(filepath.Join(dir, "journal.tmp")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("compaction left its temporary file: %v", err)
	}
	expectRecords(t, b, map[string]string{"kept": `"1"`, "churned": `"x"`})
	put(t, b, "later", "2")
	expectRecords(t, a, map[string]string{"kept": `"1"`, "churned": `"x"`, "later": `"2"`})
}

func TestJournalRemovesRecords(t *testing.T) {
	dir := t.TempDir()
	j := newView(dir)
	put(t, j, "a", "1")
	for _, want := range []bool{true, false} {
		var found bool
		err := j.update(func(tx *txn) (err error) {
			found, err = tx.remove("a")
			return err
		})
		if err != nil || found != want {
			t.Errorf("remove = %v, %v; want %v", found, err, want)
		}
	}
	expectRecords(t, newView(dir), map[string]string{})
}

func TestJournalRefusesAForeignFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal")
	foreign := strings.Repeat("x", 2*maxHeader)
	if err := os.WriteFile(path, []byte(foreign), 0o600); err != nil {
		t.Fatal(err)
	}
	err := newView(dir).update(func(*txn) error { return nil })
	if !errors.Is(err, hypervisors.ErrUnreachable) || !strings.Contains(err.Error(), "not a journal") {
		t.Errorf("update = %v, want an ErrUnreachable saying it is not a journal", err)
	}
	if data, _ := os.ReadFile(path); string(data) != foreign {
		t.Error("the foreign file was changed")
	}
}
